import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FileSpendStore, SpendStoreError, decodeRecord, encodeRecord } from "../../src/state/file-spend-store.js";
import { MemorySpendStore, accountKey, type SpendStore } from "../../src/state/spend-store.js";
import { buildStateForChildren } from "./child-build.js";

const ACCOUNT = accountKey("login@example.com");
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0); // 2026-11-25 12:00 UTC
const HOUR = 3_600_000;

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "bl-spend-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const stores: [string, () => SpendStore][] = [
  ["MemorySpendStore", () => new MemorySpendStore()],
  ["FileSpendStore", () => new FileSpendStore({ dir, sync: false })],
];

describe.each(stores)("%s", (_name, make) => {
  it("refuses a call that would pass the daily cap, counting calls in flight", async () => {
    const store = make();
    const caps = { dailyNanos: 1000 };
    const a = await store.reserve(ACCOUNT, 600, caps, T0);
    expect(a.ok).toBe(true);
    const b = await store.reserve(ACCOUNT, 500, caps, T0);
    expect(b).toMatchObject({ ok: false, cap: "daily", spentNanos: 0, reservedNanos: 600, capNanos: 1000, estimateNanos: 500 });
    expect(b.ok === false && b.resetsAt).toBe(Date.UTC(2026, 10, 26));
    if (!a.ok) throw new Error("unreachable");
    await store.settle(a.reservation, { tool: "t", billedNanos: 450, possiblyBilledNanos: 0 }, T0);
    // exactly up to the cap is allowed, one nano more is not
    expect((await store.reserve(ACCOUNT, 551, caps, T0)).ok).toBe(false);
    const c = await store.reserve(ACCOUNT, 550, caps, T0);
    expect(c.ok).toBe(true);
    if (c.ok) await store.release(c.reservation, T0);
    const t = await store.totals(ACCOUNT, T0);
    expect(t.today).toMatchObject({ period: "2026-11-25", billedNanos: 450, possiblyBilledNanos: 0, reservedNanos: 0, calls: 1, refusals: 2 });
    expect(t.month).toMatchObject({ period: "2026-11", billedNanos: 450, calls: 1, refusals: 2 });
    await store.close();
  });

  it("counts possibly billed calls against the caps and settles a reservation once", async () => {
    const store = make();
    const r = await store.reserve(ACCOUNT, 300, {}, T0);
    if (!r.ok) throw new Error("refused");
    await store.settle(r.reservation, { tool: "t", billedNanos: 0, possiblyBilledNanos: 300 }, T0);
    await store.settle(r.reservation, { tool: "t", billedNanos: 0, possiblyBilledNanos: 300 }, T0);
    expect((await store.totals(ACCOUNT, T0)).today).toMatchObject({ possiblyBilledNanos: 300, calls: 1 });
    expect(await store.reserve(ACCOUNT, 701, { monthlyNanos: 1000 }, T0)).toMatchObject({ ok: false, cap: "monthly", spentNanos: 300 });
    await store.close();
  });

  it("rolls over at UTC midnight and at the start of the month", async () => {
    const store = make();
    const caps = { dailyNanos: 100, monthlyNanos: 250 };
    const lastDay = Date.UTC(2026, 10, 30, 23, 0);
    for (const at of [lastDay - 2 * 24 * HOUR, lastDay - 24 * HOUR, lastDay]) {
      const r = await store.reserve(ACCOUNT, 100, caps, at);
      if (r.ok) await store.settle(r.reservation, { tool: "t", billedNanos: 100, possiblyBilledNanos: 0 }, at);
    }
    // day 3 of 3 was refused by the monthly cap, not the daily one
    const t = await store.totals(ACCOUNT, lastDay);
    expect(t.today).toMatchObject({ period: "2026-11-30", billedNanos: 0, refusals: 1 });
    expect(t.month).toMatchObject({ billedNanos: 200, calls: 2 });
    expect(await store.reserve(ACCOUNT, 100, caps, lastDay)).toMatchObject({ ok: false, cap: "monthly", resetsAt: Date.UTC(2026, 11, 1) });
    const next = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect((await store.reserve(ACCOUNT, 100, caps, next)).ok).toBe(true);
    expect((await store.totals(ACCOUNT, next)).month.period).toBe("2026-12");
    await store.close();
  });

  it("admits exactly what fits when many calls reserve at once", async () => {
    const store = make();
    const results = await Promise.all(Array.from({ length: 25 }, () => store.reserve(ACCOUNT, 100, { dailyNanos: 1000 }, T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect((await store.totals(ACCOUNT, T0)).today).toMatchObject({ reservedNanos: 1000, refusals: 15 });
    await store.close();
  });

  it("lets an unsettled reservation lapse at its expiry", async () => {
    const store = make();
    const r = await store.reserve(ACCOUNT, 1000, { dailyNanos: 1000 }, T0);
    expect(r.ok && r.reservation.expiresAt).toBe(T0 + 10 * 60_000);
    expect((await store.reserve(ACCOUNT, 1, { dailyNanos: 1000 }, T0 + 60_000)).ok).toBe(false);
    expect((await store.reserve(ACCOUNT, 1, { dailyNanos: 1000 }, T0 + 10 * 60_000)).ok).toBe(true);
    await store.close();
  });
});

describe("FileSpendStore", () => {
  it("writes settlements that arrive together in one group, each on disk when its promise resolves", async () => {
    const store = new FileSpendStore({ dir });
    const file = store.fileOf(ACCOUNT);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await store.reserve(ACCOUNT, 10, {}, T0);
      if (!r.ok) throw new Error("refused");
      ids.push(r.reservation.id);
    }
    const linesBefore = (await fs.readFile(file, "utf8")).split("\n").length;
    // 50 calls end at once; a reader in another store (another process) checks each as it resolves.
    const reader = new FileSpendStore({ dir, sync: false });
    const settled = await Promise.all(
      ids.map(async (id, i) => {
        await store.settle({ id, account: ACCOUNT, estimateNanos: 10, expiresAt: T0 + HOUR }, { tool: "t", billedNanos: i + 1, possiblyBilledNanos: 0 }, T0);
        return (await fs.readFile(file, "utf8")).includes(`"id":"${id}"`) && (await fs.readFile(file, "utf8")).split(`"id":"${id}"`).length === 3;
      }),
    );
    expect(settled.every(Boolean)).toBe(true);
    const text = await fs.readFile(file, "utf8");
    expect(text.split("\n").length - linesBefore).toBe(50);
    expect((await reader.totals(ACCOUNT, T0)).today).toMatchObject({ billedNanos: (50 * 51) / 2, calls: 50, reservedNanos: 0 });
    // Settling again, or releasing a settled call, adds nothing.
    await Promise.all(ids.slice(0, 5).map((id) => store.settle({ id, account: ACCOUNT, estimateNanos: 10, expiresAt: T0 + HOUR }, { tool: "t", billedNanos: 999, possiblyBilledNanos: 0 }, T0)));
    await store.release({ id: ids[5]!, account: ACCOUNT, estimateNanos: 10, expiresAt: T0 + HOUR }, T0);
    expect(await fs.readFile(file, "utf8")).toBe(text);
    await store.close();
    await reader.close();
  });

  it("takes far fewer locks than calls when many settle at once", async () => {
    const lockfile = (await import("proper-lockfile")).default;
    const store = new FileSpendStore({ dir });
    const reservations = [];
    for (let i = 0; i < 100; i++) {
      const r = await store.reserve(ACCOUNT, 10, {}, T0);
      if (!r.ok) throw new Error("refused");
      reservations.push(r.reservation);
    }
    const original = lockfile.lock;
    let locks = 0;
    lockfile.lock = ((...args: Parameters<typeof original>) => {
      locks++;
      return original(...args);
    }) as typeof original;
    try {
      await Promise.all(reservations.map((r) => store.settle(r, { tool: "t", billedNanos: 1, possiblyBilledNanos: 0 }, T0)));
    } finally {
      lockfile.lock = original;
    }
    expect(locks).toBeGreaterThan(0);
    expect(locks).toBeLessThanOrEqual(2);
    expect((await store.totals(ACCOUNT, T0)).today).toMatchObject({ billedNanos: 100, calls: 100 });
    await store.close();
  });

  it("keeps the day's spend across a restart", async () => {
    const first = new FileSpendStore({ dir });
    const r = await first.reserve(ACCOUNT, 700, { dailyNanos: 1000 }, T0);
    if (!r.ok) throw new Error("refused");
    await first.settle(r.reservation, { tool: "backlinks_backlinks", billedNanos: 700, possiblyBilledNanos: 0 }, T0);
    await first.close();

    const second = new FileSpendStore({ dir });
    expect((await second.totals(ACCOUNT, T0 + HOUR)).today).toMatchObject({ billedNanos: 700, calls: 1 });
    expect(await second.reserve(ACCOUNT, 301, { dailyNanos: 1000 }, T0 + HOUR)).toMatchObject({ ok: false, spentNanos: 700 });
    // another account is not affected
    expect((await second.reserve(accountKey("other"), 1000, { dailyNanos: 1000 }, T0)).ok).toBe(true);
    await second.close();
  });

  it("skips a torn last line and writes the next record on a line of its own", async () => {
    const store = new FileSpendStore({ dir });
    const r = await store.reserve(ACCOUNT, 100, {}, T0);
    if (!r.ok) throw new Error("refused");
    await store.settle(r.reservation, { tool: "t", billedNanos: 100, possiblyBilledNanos: 0 }, T0);
    await store.close();
    const file = new FileSpendStore({ dir }).fileOf(ACCOUNT);
    // a writer died half way through a settlement line
    const torn = encodeRecord({ t: "s", id: "zz", day: "2026-11-25", tool: "t", b: 5_000, p: 0 }).slice(0, 30);
    await fs.appendFile(file, torn);

    const reopened = new FileSpendStore({ dir });
    expect((await reopened.totals(ACCOUNT, T0)).today).toMatchObject({ billedNanos: 100, calls: 1 });
    const r2 = await reopened.reserve(ACCOUNT, 40, {}, T0);
    if (!r2.ok) throw new Error("refused");
    await reopened.settle(r2.reservation, { tool: "t", billedNanos: 40, possiblyBilledNanos: 0 }, T0);
    await reopened.close();

    const lines = (await fs.readFile(file, "utf8")).split("\n");
    expect(lines).toContain(torn);
    const third = new FileSpendStore({ dir });
    expect((await third.totals(ACCOUNT, T0)).today).toMatchObject({ billedNanos: 140, calls: 2 });
    await third.close();
  });

  it("gives up with SpendStoreError while a live process holds the lock, and takes over a stale one", async () => {
    const probe = new FileSpendStore({ dir });
    const lockDir = `${probe.fileOf(ACCOUNT)}.lock`;
    await fs.mkdir(lockDir, { recursive: true });
    const store = new FileSpendStore({ dir, lockRetries: 2 });
    const err = await store.reserve(ACCOUNT, 1, {}, T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpendStoreError);
    expect((err as Error).message).toMatch(/could not lock the spend ledger/);
    // its holder died a minute ago: the lock is stale and is taken over
    const past = new Date(Date.now() - 60_000);
    await fs.utimes(lockDir, past, past);
    expect((await store.reserve(ACCOUNT, 1, {}, T0)).ok).toBe(true);
    await store.close();
  });

  it("reports a state folder it cannot use as SpendStoreError, and recovers when it can", async () => {
    const blocker = path.join(dir, "not-a-folder");
    await fs.writeFile(blocker, "");
    const store = new FileSpendStore({ dir: path.join(blocker, "state") });
    await expect(store.reserve(ACCOUNT, 1, {}, T0)).rejects.toBeInstanceOf(SpendStoreError);
    await fs.rm(blocker);
    expect((await store.reserve(ACCOUNT, 1, {}, T0)).ok).toBe(true);
    await store.close();
  });

  it("ignores a line whose checksum does not match", () => {
    const line = encodeRecord({ t: "f", day: "2026-11-25" }).trimEnd();
    expect(decodeRecord(line)).toEqual({ t: "f", day: "2026-11-25" });
    expect(decodeRecord(line.replace("2026-11-25", "2026-11-26"))).toBeUndefined();
    expect(decodeRecord(line.slice(0, -1))).toBeUndefined();
    expect(decodeRecord("")).toBeUndefined();
  });

  it("compacts a 10,000-call ledger over 40 days to under 4 KiB, totals unchanged", async () => {
    // the ledger as 10,000 calls over 40 days would have left it without compaction
    const file = new FileSpendStore({ dir }).fileOf(ACCOUNT);
    const start = Date.UTC(2026, 9, 20); // 40 days ending 2026-11-28
    const lines: string[] = [];
    let billedLastDay = 0;
    for (let i = 0; i < 10_000; i++) {
      const day = new Date(start + Math.floor(i / 250) * 24 * HOUR).toISOString().slice(0, 10);
      const b = 20_000 + (i % 7);
      if (i >= 9_750) billedLastDay += b;
      lines.push(encodeRecord({ t: "r", id: `id${i}`, day, n: 1_000_000, exp: start + 41 * 24 * HOUR }));
      lines.push(encodeRecord({ t: "s", id: `id${i}`, day, tool: "backlinks_backlinks", b, p: i % 50 === 0 ? 1 : 0 }));
    }
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(file, lines.join(""));
    expect((await fs.stat(file)).size).toBeGreaterThan(1_500_000);
    const end = start + 39 * 24 * HOUR + 249_000;

    const store = new FileSpendStore({ dir });
    const totals = await store.totals(ACCOUNT, end);
    await store.close();
    expect(totals.today).toMatchObject({ period: "2026-11-28", calls: 250, billedNanos: billedLastDay, reservedNanos: 0 });
    expect(totals.month).toMatchObject({ period: "2026-11", calls: 250 * 28, possiblyBilledNanos: 140 });
    expect((await fs.stat(file)).size).toBeLessThan(4 * 1024);
    // the totals survive compaction and a restart exactly
    const fresh = new FileSpendStore({ dir });
    expect(await fresh.totals(ACCOUNT, end)).toEqual(totals);
    await fresh.close();
  });

  it("stays under its compaction threshold while calls are written", async () => {
    const store = new FileSpendStore({ dir, sync: false, compactAtBytes: 8 * 1024 });
    const file = store.fileOf(ACCOUNT);
    let maxSize = 0;
    for (let i = 0; i < 400; i++) {
      const at = T0 + Math.floor(i / 100) * 24 * HOUR + i * 1000;
      const r = await store.reserve(ACCOUNT, 1_000, { dailyNanos: 1_000_000 }, at);
      if (!r.ok) throw new Error("refused");
      await store.settle(r.reservation, { tool: "backlinks_backlinks", billedNanos: 1_000, possiblyBilledNanos: 0 }, at);
      maxSize = Math.max(maxSize, (await fs.stat(file)).size);
    }
    const end = T0 + 3 * 24 * HOUR + 399_000;
    expect((await store.totals(ACCOUNT, end)).month).toMatchObject({ calls: 400, billedNanos: 400_000 });
    await store.close();
    // 400 calls write about 70 KB of lines; compaction keeps the file under 8 KiB plus one call's lines
    expect(maxSize).toBeLessThan(8 * 1024 + 200);
  });
});

describe("FileSpendStore across processes", () => {
  let build: Awaited<ReturnType<typeof buildStateForChildren>>;
  beforeAll(async () => {
    build = await buildStateForChildren();
  });
  afterAll(async () => {
    await build.cleanup();
  });

  function child(args: string[]): { done: Promise<string>; kill: () => void; firstLine: Promise<string> } {
    const proc = spawn(process.execPath, [path.join(build.dir, "spend-child.mjs"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let gotLine: (s: string) => void = () => undefined;
    const firstLine = new Promise<string>((resolve) => (gotLine = resolve));
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) gotLine(out.split("\n")[0]!);
    });
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const done = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => proc.kill("SIGKILL"), 45_000);
      proc.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`child exited ${code ?? signal}: ${err}`));
      });
    });
    return { done, firstLine, kill: () => proc.kill("SIGKILL") };
  }

  it("two processes reserving at once never pass one daily cap", async () => {
    const cap = 50_000;
    const children = [0, 1].map(() => child([dir, ACCOUNT, "spend", "60", "1000", String(cap)]));
    const results = (await Promise.all(children.map((c) => c.done))).map((o) => JSON.parse(o) as { ok: number; refused: number });
    const store = new FileSpendStore({ dir });
    const today = (await store.totals(ACCOUNT)).today;
    await store.close();
    // each call reserves its full cost before it is sent: no overshoot at all
    expect(today.billedNanos).toBeLessThanOrEqual(cap);
    expect(today.billedNanos).toBe(cap);
    expect(results[0]!.ok + results[1]!.ok).toBe(50);
    expect(today.calls).toBe(50);
    expect(today.refusals).toBe(70);
  }, 60_000);

  it("sees another process's reservation, and lets it lapse when that process dies", async () => {
    const holder = child([dir, ACCOUNT, "hold", "900"]);
    const line = JSON.parse(await holder.firstLine) as { ok: boolean };
    expect(line.ok).toBe(true);
    const store = new FileSpendStore({ dir });
    expect(await store.reserve(ACCOUNT, 200, { dailyNanos: 1000 })).toMatchObject({ ok: false, reservedNanos: 900 });
    holder.kill();
    await holder.done.catch(() => undefined);
    expect((await store.reserve(ACCOUNT, 200, { dailyNanos: 1000 })).ok).toBe(true);
    await store.close();
  }, 60_000);
});

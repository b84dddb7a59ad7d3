// One contract, two implementations: MemoryState and RedisState (on a throwaway redis-server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryState } from "../../src/hosted/memory-state.js";
import { StateUnavailableError, type HostedState, type Namespace } from "../../src/hosted/state.js";
import { RedisState } from "../../src/state/redis-state.js";
import type { PageState } from "../../src/paging/paging-store.js";
import { TestRedis } from "./helpers.js";

const redis = new TestRedis();
let redisState: RedisState;
let n = 0;
/** A fresh namespace per test, so tests never see each other's keys. */
const fresh = (): Namespace => ({ tenant: `t${++n}`, account: `acct${n}` });

const cursor = (held: unknown[] | null, token?: string): PageState => ({
  tool: "backlinks_backlinks",
  args: { target: "example.com" },
  held: held ? JSON.stringify(held) : null,
  heldRows: held ? held.length : 0,
  next: token ? { searchAfterToken: token } : null,
  shown: 10,
  totalCount: 100,
});

beforeAll(async () => {
  await redis.start();
  redisState = new RedisState(redis.url);
  expect(await redisState.ready()).toBe(true);
});

afterAll(async () => {
  await redisState?.close();
  await redis.dispose();
});

const impls: [string, () => HostedState][] = [
  ["memory", () => new MemoryState()],
  ["redis", () => redisState],
];

describe.each(impls)("%s state", (_name, make) => {
  it("keeps cursors per namespace and finds one by the upstream token it continues from", async () => {
    const s = make();
    const a = fresh();
    const b = fresh();
    await s.putCursor(a, "bl_one", cursor([{ x: 1 }]), { ttlMs: 60_000, maxEntries: 10, maxBytes: 1e6 });
    await s.putCursor(a, "bl_two", cursor(null, "upstream-token-1"), { ttlMs: 60_000, maxEntries: 10, maxBytes: 1e6 });
    expect((await s.getCursor(a, "bl_one"))?.held).toBe('[{"x":1}]');
    expect(await s.getCursor(b, "bl_one")).toBeUndefined();
    expect((await s.getCursor(a, "upstream-token-1"))?.next?.searchAfterToken).toBe("upstream-token-1");
    expect(await s.getCursor(b, "upstream-token-1")).toBeUndefined();
  });

  it("bounds cursors by count and bytes, dropping the oldest first and always keeping the newest", async () => {
    const s = make();
    const ns = fresh();
    const bounds = { ttlMs: 60_000, maxEntries: 3, maxBytes: 1e6 };
    for (let i = 0; i < 5; i++) await s.putCursor(ns, `bl_${i}`, cursor([i]), bounds);
    expect(await s.getCursor(ns, "bl_0")).toBeUndefined();
    expect(await s.getCursor(ns, "bl_1")).toBeUndefined();
    for (const i of [2, 3, 4]) expect(await s.getCursor(ns, `bl_${i}`)).toBeDefined();
    const big = "y".repeat(2000);
    const tight = { ttlMs: 60_000, maxEntries: 100, maxBytes: 9000 };
    const ns2 = fresh();
    for (let i = 0; i < 4; i++) await s.putCursor(ns2, `bl_${i}`, cursor([big]), tight);
    // each takes a little over 4,000 bytes: two fit
    expect(await s.getCursor(ns2, "bl_1")).toBeUndefined();
    expect(await s.getCursor(ns2, "bl_2")).toBeDefined();
    expect(await s.getCursor(ns2, "bl_3")).toBeDefined();
  });

  it("expires cursors and cache entries after their TTL", async () => {
    const s = make();
    const ns = fresh();
    await s.putCursor(ns, "bl_short", cursor([1]), { ttlMs: 150, maxEntries: 10, maxBytes: 1e6 });
    await s.putCached(ns, "k", { result: { a: 1 }, costUsd: 0.02 }, { ttlMs: 150, maxEntries: 10, maxBytes: 1e6 });
    expect(await s.getCursor(ns, "bl_short")).toBeDefined();
    expect((await s.getCached(ns, "k"))?.value.result).toEqual({ a: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await s.getCursor(ns, "bl_short")).toBeUndefined();
    expect(await s.getCached(ns, "k")).toBeUndefined();
  });

  it("reserves atomically against the daily cap: concurrent holds never pass it together", async () => {
    const s = make();
    const ns = fresh();
    const caps = { dailyNanos: 1_000 };
    const tries = await Promise.all(Array.from({ length: 50 }, () => s.reserve(ns, 100, caps, 60_000)));
    const held = tries.filter((t) => t.ok);
    expect(held.length).toBe(10);
    const refused = tries.find((t) => !t.ok);
    expect(refused).toMatchObject({ ok: false, cap: "daily", capNanos: 1_000, reservedNanos: 1_000 });
    // Settling records the real cost and frees the rest of the hold.
    for (const h of held) if (h.ok) await s.settle(ns, h.id, 40, 0);
    const t = await s.totals(ns);
    expect(t).toMatchObject({
      today: { billedNanos: 400, possiblyBilledNanos: 0, calls: 10, refusals: 40 },
      month: { billedNanos: 400, calls: 10 },
      reservedNanos: 0,
    });
    // Settling twice records once; possibly billed amounts count against the cap.
    const again = held[0]!;
    if (again.ok) await s.settle(ns, again.id, 40, 0);
    const r = await s.reserve(ns, 500, caps, 60_000);
    expect(r.ok).toBe(true);
    if (r.ok) await s.settle(ns, r.id, 0, 500);
    expect((await s.totals(ns)).today).toMatchObject({ billedNanos: 400, possiblyBilledNanos: 500, calls: 11 });
    expect((await s.reserve(ns, 101, caps, 60_000)).ok).toBe(false);
    // A released hold counts nothing; a monthly cap applies on its own.
    const m = await s.reserve(ns, 100, { monthlyNanos: 950 }, 60_000);
    expect(m).toMatchObject({ ok: false, cap: "monthly" });
  });

  it("lets a hold lapse after its TTL (its replica died) so the cap frees up", async () => {
    const s = make();
    const ns = fresh();
    const first = await s.reserve(ns, 1_000, { dailyNanos: 1_000 }, 150);
    expect(first.ok).toBe(true);
    expect((await s.reserve(ns, 1, { dailyNanos: 1_000 }, 150)).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await s.reserve(ns, 1, { dailyNanos: 1_000 }, 150)).ok).toBe(true);
  });

  it("gives out at most maxInFlight places and frees a place whose lease lapsed", async () => {
    const s = make();
    const account = `acct-slots-${++n}`;
    const limits = { maxInFlight: 3, ratePerMinute: 1000, leaseMs: 200 };
    const got = await Promise.all(Array.from({ length: 10 }, () => s.acquireSlot(account, limits)));
    expect(got.filter((g) => g.ok).length).toBe(3);
    const first = got.find((g) => g.ok)!;
    if (first.ok) await s.releaseSlot(account, first.id);
    expect((await s.acquireSlot(account, limits)).ok).toBe(true);
    expect((await s.acquireSlot(account, limits)).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect((await s.acquireSlot(account, limits)).ok).toBe(true);
  });

  it("enforces the per-minute rate and says how long to wait", async () => {
    const s = make();
    const account = `acct-rate-${++n}`;
    const limits = { maxInFlight: 30, ratePerMinute: 5, leaseMs: 10_000 };
    for (let i = 0; i < 5; i++) {
      const g = await s.acquireSlot(account, limits);
      expect(g.ok).toBe(true);
      if (g.ok) await s.releaseSlot(account, g.id);
    }
    const over = await s.acquireSlot(account, limits);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.retryMs).toBeGreaterThan(50_000);
  });
});

describe("redis state when Redis is gone", () => {
  it("fails fast with StateUnavailableError and answers again once Redis is back", async () => {
    const r = new TestRedis();
    await r.start();
    const s = new RedisState(r.url, { commandTimeoutMs: 500 });
    try {
      expect(await s.ready()).toBe(true);
      const ns = fresh();
      await r.stop();
      await expect(s.reserve(ns, 1, {}, 1000)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(s.getCursor(ns, "bl_x")).rejects.toBeInstanceOf(StateUnavailableError);
      expect(await s.ping()).toBe(false);
      await r.start();
      expect(await s.ready(5000)).toBe(true);
      expect((await s.reserve(ns, 1, {}, 1000)).ok).toBe(true);
    } finally {
      await s.close();
      await r.dispose();
    }
  }, 30_000);
});

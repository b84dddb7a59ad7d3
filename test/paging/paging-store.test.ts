import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CursorTooLargeError, PagingStore, type PageState } from "../../src/paging/paging-store.js";

let tmpDir: string;
const open: PagingStore[] = [];
beforeEach(async () => {
  tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), "bl-paging-"));
});
afterEach(async () => {
  for (const s of open.splice(0)) s.closeSync();
  await fs.rm(tmpDir, { recursive: true, force: true });
});

function store(options: Partial<ConstructorParameters<typeof PagingStore>[0]> = {}): PagingStore {
  const s = new PagingStore({ ttlMs: 60_000, maxBytes: 1 << 20, tmpDir, ...options });
  open.push(s);
  return s;
}

function rows(n: number, tag: string): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ url_from: `https://${tag}.example/${i}`, rank: i })));
}

const page = (n: number, held: string | null, heldRows: number, token?: string): PageState => ({
  tool: "backlinks_backlinks",
  args: { target: `t${n}.com`, limit: 100 },
  held,
  heldRows,
  next: token ? { searchAfterToken: token } : { offset: 100 * (n + 1) },
  shown: 100,
  totalCount: 5000,
});

describe("PagingStore memory bound", () => {
  it("with boundsAfter gives the handle before writing an older cursor out, and holds the bound before any later operation", async () => {
    const s = store({ maxInMemory: 2, maxBytes: 1 << 20 });
    const first = await s.issue(page(0, rows(20, "a"), 20), { boundsAfter: true });
    await s.issue(page(1, rows(20, "b"), 20), { boundsAfter: true });
    const third = s.issue(page(2, rows(20, "c"), 20), { boundsAfter: true });
    // Asked for after the third: it runs once the third's bound is enforced.
    const later = s.get(first);
    const handle = await third;
    expect(s.stats()).toMatchObject({ cursors: 3, inMemory: 3, spilled: 0 });
    expect(s.spillDir).toBeUndefined();
    const got = await later;
    expect(s.stats()).toMatchObject({ cursors: 3, inMemory: 2, spilled: 1 });
    // The oldest was written out whole, and nothing was lost.
    expect(got).toMatchObject({ found: true, state: { held: rows(20, "a"), heldRows: 20 } });
    expect(await s.get(handle)).toMatchObject({ found: true, state: { held: rows(20, "c") } });
  });

  it("never writes a cursor without rows to disk: the count bound is on rows, the bytes bound evicts the oldest", async () => {
    const s = store({ maxInMemory: 2, maxBytes: 1 << 20 });
    const handles = [];
    for (let i = 0; i < 8; i++) handles.push(await s.issue(page(i, null, 0, `tok${i}`)));
    expect(s.stats()).toMatchObject({ cursors: 8, inMemory: 8, spilled: 0, spillBytes: 0 });
    expect(s.spillDir).toBeUndefined();
    // Rows count: two held in memory, the third pushes the oldest holder (not a row-less cursor) to disk.
    for (let i = 0; i < 3; i++) await s.issue(page(100 + i, rows(20, `h${i}`), 20));
    expect(s.stats()).toMatchObject({ cursors: 11, inMemory: 10, spilled: 1 });
    expect((await s.get(handles[0]!)).found).toBe(true);
    // Four row-less cursors per row-holding one are kept: the ninth pushes out the oldest, which says so.
    const ninth = await s.issue(page(9, null, 0, "tok9"));
    expect(s.stats()).toMatchObject({ cursors: 11, inMemory: 10, spilled: 1 });
    expect(await s.get(handles[1]!)).toMatchObject({ found: false, reason: "evicted", heldRows: 0 });
    expect((await s.get(ninth)).found).toBe(true);
    // The bytes bound applies to row-less cursors too: the oldest go, and say so.
    const small = store({ maxInMemory: 20, maxBytes: 8_000 });
    const smallHandles = [];
    for (let i = 0; i < 45; i++) smallHandles.push(await small.issue(page(i, null, 0, `tok${i}`)));
    expect(small.stats()).toMatchObject({ spilled: 0, spillBytes: 0 });
    expect(small.stats().memoryBytes).toBeLessThanOrEqual(8_000);
    expect(await small.get(smallHandles[0]!)).toMatchObject({ found: false, reason: "evicted", heldRows: 0 });
    const last = await small.get(smallHandles[44]!);
    expect(last.found && last.state.next).toEqual({ searchAfterToken: "tok44" });
  });

  it("counts arguments and upstream tokens, not just held rows", async () => {
    const maxBytes = 200_000;
    const s = store({ maxBytes, maxArgsChars: 70_000, maxTokenChars: 16_384 });
    const handles: string[] = [];
    for (let i = 0; i < 100; i++) {
      // 40 k characters of arguments and a 10 k character token, no held rows at all
      const state: PageState = { ...page(i, null, 0, `TOKEN${i}-${"x".repeat(10_000)}`), args: { target: "a.com", filters: "y".repeat(40_000), i } };
      handles.push(await s.issue(state));
      expect(s.stats().memoryBytes).toBeLessThanOrEqual(maxBytes);
    }
    // unbounded, this would hold 100 × ~100 KB = 10 MB in memory
    expect(s.stats().spilled).toBeGreaterThan(90);
    const first = await s.get(handles[0]!);
    expect(first.found && first.state.args.i).toBe(0);
    expect(s.stats().memoryBytes).toBeLessThanOrEqual(maxBytes);
    // a raw token still finds its cursor after a round trip through disk
    const byToken = await s.get(`TOKEN7-${"x".repeat(10_000)}`);
    expect(byToken.found && byToken.state.args.i).toBe(7);
  });

  it("refuses an oversized token or arguments with a clear error and keeps nothing", async () => {
    const s = store({ maxTokenChars: 16_384, maxArgsChars: 65_536 });
    const huge = "T".repeat(20 * 1024 * 1024);
    const err = await s.issue(page(1, null, 0, huge)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CursorTooLargeError);
    expect((err as CursorTooLargeError).what).toBe("token");
    expect((err as Error).message).toContain("upstream paging token (20,971,520 characters) pass the limit of 16,384 characters");
    expect(s.stats()).toMatchObject({ cursors: 0, memoryBytes: 0 });
    const big = { ...page(2, null, 0), args: { filters: "f".repeat(70_000) } };
    await expect(s.issue(big)).rejects.toThrow(/tool arguments \(70,0\d\d characters\) pass the limit of 65,536/);
    // the same check before a paid call
    expect(s.problem(big.args)?.what).toBe("arguments");
    expect(s.problem({ target: "a.com" }, "short")).toBeUndefined();
    // a store that refused still works
    const h = await s.issue(page(3, null, 0, "ok-token"));
    expect((await s.get(h)).found).toBe(true);
  });
});

describe("PagingStore spill", () => {
  it("moves paid rows to disk instead of dropping them, and brings them back intact", async () => {
    const s = store({ maxInMemory: 2, maxBytes: 1 << 20 });
    const held = Array.from({ length: 12 }, (_, i) => rows(50, `site${i}`));
    const handles: string[] = [];
    for (let i = 0; i < 12; i++) handles.push(await s.issue(page(i, held[i]!, 50)));
    expect(s.stats()).toMatchObject({ cursors: 12, inMemory: 2, spilled: 10 });
    const dir = s.spillDir!;
    expect((await fs.readdir(dir)).length).toBe(10);
    expect(path.dirname(dir)).toBe(tmpDir);
    for (let i = 0; i < 12; i++) {
      const got = await s.get(handles[i]!);
      expect(got.found).toBe(true);
      if (got.found) expect(got.state).toEqual(page(i, held[i]!, 50));
    }
    // still bounded, and a file is removed once its rows are back in memory
    expect(s.stats().inMemory).toBeLessThanOrEqual(2);
    expect((await fs.readdir(dir)).length).toBe(s.stats().spilled);
  });

  it("spills a single cursor larger than the memory bound at once", async () => {
    const s = store({ maxBytes: 50_000 });
    const held = rows(2000, "big");
    const h = await s.issue(page(1, held, 2000));
    expect(s.stats()).toMatchObject({ inMemory: 0, spilled: 1 });
    expect(s.stats().memoryBytes).toBeLessThanOrEqual(50_000);
    const got = await s.get(h);
    expect(got.found && got.state.held).toBe(held);
  });

  it("says a cursor was evicted, with its paid rows, when the disk bound forces it out", async () => {
    const held = rows(100, "disk"); // about 4.5 KB
    const s = store({ maxInMemory: 1, maxSpillBytes: 12_000 });
    const handles: string[] = [];
    for (let i = 0; i < 6; i++) handles.push(await s.issue(page(i, held, 100)));
    expect(s.stats().spillBytes).toBeLessThanOrEqual(12_000);
    const gone = await s.get(handles[0]!);
    expect(gone).toMatchObject({ found: false, reason: "evicted", tool: "backlinks_backlinks", heldRows: 100, shown: 100, totalCount: 5000 });
    expect((await s.get(handles[5]!)).found).toBe(true);
    expect((await s.get(handles[4]!)).found).toBe(true);
  });

  it("expires by creation time whatever the order of use, and even after the clock went back", async () => {
    let now = 1_000_000;
    const s = store({ ttlMs: 1000, maxBytes: 8 << 20, maxInMemory: 1000, now: () => now });
    const handles = [];
    for (let i = 0; i < 3000; i++) {
      handles.push(await s.issue(page(i, null, 0, `t${i}`)));
      if (i === 1500) now += 600;
    }
    // Using the oldest moves it to the back of the map; it still expires first.
    expect((await s.get(handles[0]!)).found).toBe(true);
    now += 401;
    expect(await s.get(handles[0]!)).toMatchObject({ found: false, reason: "expired" });
    expect(s.stats().cursors).toBe(1499);
    expect((await s.get(handles[2999]!)).found).toBe(true);
    // A clock that goes back puts a cursor behind a younger one; it is still refused once its time is up.
    now += 5000;
    const young = await s.issue(page(8, null, 0, "young"));
    now -= 5000;
    const early = await s.issue(page(9, null, 0, "early"));
    now += 5500;
    expect(await s.get(early)).toMatchObject({ found: false, reason: "expired" });
    expect((await s.get(young)).found).toBe(true);
    expect(s.stats().cursors).toBe(1);
  });

  it("says a cursor expired and how many paid rows it held; later it is simply unknown", async () => {
    let now = 1_000_000;
    const s = store({ ttlMs: 1000, maxInMemory: 1, now: () => now });
    const a = await s.issue(page(1, rows(30, "a"), 30));
    const b = await s.issue(page(2, null, 0, "RAW"));
    now += 999;
    expect((await s.get(a)).found).toBe(true);
    now += 2;
    expect(await s.get(a)).toMatchObject({ found: false, reason: "expired", heldRows: 30 });
    expect(await s.get(b)).toMatchObject({ found: false, reason: "expired", heldRows: 0 });
    expect(s.stats()).toMatchObject({ cursors: 0, spillBytes: 0, memoryBytes: 0 });
    expect(await s.get("RAW")).toMatchObject({ found: false, reason: "expired", heldRows: 0 });
    now += 5000;
    expect(await s.get(a)).toEqual({ found: false, reason: "unknown" });
    expect(await s.get("RAW")).toEqual({ found: false, reason: "unknown" });
    expect(await s.get("bl_never")).toEqual({ found: false, reason: "unknown" });
  });

  it("when only spilled stubs are left over the memory bound, the oldest go and say so", async () => {
    // each stub is counted at a few hundred bytes, so 2 KB of memory holds only a few
    const s = store({ maxBytes: 2048, maxInMemory: 1 });
    const handles: string[] = [];
    for (let i = 0; i < 20; i++) handles.push(await s.issue(page(i, rows(5, `s${i}`), 5)));
    expect(s.stats().memoryBytes).toBeLessThanOrEqual(2048);
    expect(await s.get(handles[0]!)).toMatchObject({ found: false, reason: "evicted", heldRows: 5 });
    expect((await s.get(handles[19]!)).found).toBe(true);
  });

  it("removes spill folders a crashed process left, once older than a cursor lives", async () => {
    const old = path.join(tmpDir, "backlinks-mcp-spill-dead1");
    const recent = path.join(tmpDir, "backlinks-mcp-spill-live1");
    const other = path.join(tmpDir, "unrelated-folder");
    for (const d of [old, recent, other]) {
      await fs.mkdir(d);
      await fs.writeFile(path.join(d, "bl_x.json"), "[]");
    }
    const past = new Date(Date.now() - 2 * 3_600_000);
    for (const d of [old, other]) await fs.utimes(d, past, past);
    const s = store({ ttlMs: 3_600_000, maxInMemory: 1 });
    await s.issue(page(1, rows(5, "a"), 5));
    expect(existsSync(old)).toBe(true); // nothing spilled yet, nothing swept
    await s.issue(page(2, rows(5, "b"), 5));
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it("makes its spill folder again if another process swept it", async () => {
    const s = store({ maxInMemory: 1 });
    await s.issue(page(1, rows(5, "a"), 5));
    await s.issue(page(2, rows(5, "b"), 5));
    await fs.rm(s.spillDir!, { recursive: true });
    const h = await s.issue(page(3, rows(5, "c"), 5));
    await s.issue(page(4, rows(5, "d"), 5));
    const got = await s.get(h);
    expect(got.found && got.state.held).toBe(rows(5, "c"));
  });

  it("removes the spill folder on close", async () => {
    const s = store({ maxInMemory: 1 });
    await s.issue(page(1, rows(10, "a"), 10));
    await s.issue(page(2, rows(10, "b"), 10));
    const dir = s.spillDir!;
    expect(existsSync(dir)).toBe(true);
    await s.close();
    expect(existsSync(dir)).toBe(false);
    await expect(s.get("bl_x")).rejects.toThrow(/closed/);
  });

  it("never loses a paid row under mixed load while the disk bound allows", async () => {
    // room for the held rows of a few cursors, and for the small in-memory stubs of all 400
    const maxBytes = 256 * 1024;
    const s = store({ maxBytes, maxInMemory: 20, maxSpillBytes: 64 << 20 });
    const issued: [string, PageState][] = [];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 400; i++) {
      if (issued.length > 0 && rand(3) === 0) {
        const [h, st] = issued[rand(issued.length)]!;
        const got = await s.get(h);
        expect(got).toEqual({ found: true, state: st });
      } else {
        const n = rand(200);
        const st = page(i, n > 0 ? rows(n, `r${i}`) : null, n, rand(2) ? `tok${i}` : undefined);
        issued.push([await s.issue(st), st]);
      }
      expect(s.stats().memoryBytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(s.stats().spilled).toBeGreaterThan(100);
    for (const [h, st] of issued) expect(await s.get(h)).toEqual({ found: true, state: st });
  });
});

describe("PagingStore held-row form", () => {
  it("keeps held rows packed in memory, far smaller than their text, and returns them exactly", async () => {
    const s = store({ maxBytes: 64 << 20 });
    // Multi-byte characters and field names repeated on every row, like API rows.
    const held = JSON.stringify(
      Array.from({ length: 2000 }, (_, i) => ({ url_from: `https://ex${i}.example/путь/${i}`, anchor: `ancre é ${i} 🔗`, dofollow: i % 2 === 0, rank: i })),
    );
    const handle = await s.issue(page(1, held, 2000));
    // The handle comes before the rows are packed.
    expect(s.stats().packedBytes).toBe(0);
    await s.packed();
    const stats = s.stats();
    expect(stats.packedBytes).toBeGreaterThan(0);
    expect(stats.packedBytes).toBeLessThan(Buffer.byteLength(held) / 3);
    // The bound still counts the text: two bytes per character.
    expect(stats.memoryBytes).toBeGreaterThan(2 * held.length);
    const got = await s.get(handle);
    expect(got.found && got.state.held).toBe(held);
    // Read twice: reading does not consume the packed rows.
    const again = await s.get(handle);
    expect(again.found && again.state.held).toBe(held);
  });

  it("brings packed rows back intact from a spill file, and counts no packed bytes for spilled or dropped cursors", async () => {
    const s = store({ maxBytes: 1 << 20, maxInMemory: 1 });
    const a = rows(300, "a");
    const b = rows(300, "b");
    const ha = await s.issue(page(1, a, 300));
    await s.packed();
    const packedA = s.stats().packedBytes;
    await s.issue(page(2, b, 300)); // pushes the first cursor to disk
    await s.packed();
    expect(s.stats().spilled).toBe(1);
    expect(s.stats().packedBytes).toBeLessThan(packedA * 1.5);
    const got = await s.get(ha); // back from disk, packed again; the other goes out
    expect(got.found && got.state.held).toBe(a);
    expect(s.stats().inMemory).toBe(1);
    s.closeSync();
    expect(s.stats().packedBytes).toBe(0);
  });
});

describe("PagingStore age queue", () => {
  it("stays within twice the cursors held (plus slack) when the bounds push cursors out, and expiry still works", async () => {
    let t = 1_000_000;
    const s = store({ maxInMemory: 10, now: () => t });
    let last = "";
    for (let i = 0; i < 3000; i++) {
      t += 1;
      last = await s.issue(page(i, null, 0));
    }
    const stats = s.stats();
    // Row-less cursors are bounded at 4 per holding slot: 40 here.
    expect(stats.cursors).toBe(40);
    expect(stats.ageQueue).toBeGreaterThanOrEqual(stats.cursors);
    expect(stats.ageQueue).toBeLessThanOrEqual(2 * stats.cursors + 1025);
    expect((await s.get(last)).found).toBe(true);
    t += 61_000;
    const gone = await s.get(last);
    expect(gone.found).toBe(false);
    expect(gone.found === false && gone.reason).toBe("expired");
    expect(s.stats().cursors).toBe(0);
  });
});

describe("PagingStore packing after the handle", () => {
  it("gives the rows back exactly when asked before they are packed, and counts only the rows memory keeps", async () => {
    const a = rows(400, "a");
    const b = rows(400, "b");
    const s = store({ maxBytes: 8 << 20, maxInMemory: 1 });
    const ha = await s.issue(page(1, a, 400));
    const got = await s.get(ha); // before or while packing
    expect(got.found && got.state.held).toBe(a);
    await s.issue(page(2, b, 400)); // the first goes to disk, packed or not
    await s.packed();
    const only = store({ maxBytes: 8 << 20 });
    await only.issue(page(2, b, 400));
    await only.packed();
    expect(s.stats()).toMatchObject({ inMemory: 1, spilled: 1, packedBytes: only.stats().packedBytes });
    expect(only.stats().packedBytes).toBeGreaterThan(0);
    // Dropped before its rows were packed: nothing is counted afterwards.
    const t = store({ maxBytes: 8 << 20 });
    await t.issue(page(3, a, 400));
    t.closeSync();
    await t.packed();
    expect(t.stats().packedBytes).toBe(0);
  });
});

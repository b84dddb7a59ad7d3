// Paging state that never loses paid rows. A cursor holds the original call's arguments,
// how to continue upstream (DataForSEO's search_after_token or the next offset) and the
// rows already paid for but not yet shown. Everything a cursor holds counts against the
// memory bound; when memory is full the oldest cursors move whole to spill files in a
// per-process temp folder and come back on their next page, so a paid row is never bought
// twice while the disk bound allows. A cursor that is truly gone (expired, or pushed out by
// the disk bound) leaves a tombstone that says what happened and how many paid rows it held.
import { createHash } from "node:crypto";
import { randomId } from "../state/random-id.js";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { mkdtempSync, rmSync } from "node:fs";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Continuation } from "./cursors.js";

export type { Continuation } from "./cursors.js";

export interface PageState {
  tool: string;
  /** The original tool arguments, as validated, without paging parameters. */
  args: Record<string, unknown>;
  /** Rows paid for and not yet shown, as the JSON text of an array; null when none. */
  held: string | null;
  /** How many rows `held` has (said when the cursor is gone: what re-fetching costs). */
  heldRows: number;
  /** How to fetch after the held rows; null when the upstream has nothing more. */
  next: Continuation | null;
  /** Rows shown before the first held row. */
  shown: number;
  totalCount?: number;
}

export type CursorLookup =
  | { found: true; state: PageState }
  /** Never issued here, or gone so long ago that nothing is remembered. */
  | { found: false; reason: "unknown" }
  | {
      found: false;
      /** expired: older than ttlMs. evicted: the memory and disk bounds forced it out. */
      reason: "expired" | "evicted";
      tool: string;
      /** Paid rows it still held: fetching them again bills again. */
      heldRows: number;
      shown: number;
      totalCount?: number;
      /** Epoch ms it went. */
      at: number;
    };

export interface PagingStoreOptions {
  /** How long a cursor lives after it is issued. */
  ttlMs: number;
  /** Bound on everything cursors hold in memory (arguments, tokens, held rows, overhead), in bytes. */
  maxBytes: number;
  /**
   * Most cursors holding rows kept in memory; older ones are spilled to disk (default 500). Cursors
   * without rows (a token or offset to continue from) are not spilled: four times as many are kept, the
   * oldest going first past that or the bytes bound.
   */
  maxInMemory?: number;
  /** Bound on the spill folder's size in bytes (default 256 MiB). */
  maxSpillBytes?: number;
  /** Longest upstream token accepted, in characters (default 16,384). */
  maxTokenChars?: number;
  /** Longest arguments accepted, as JSON characters (default 65,536). */
  maxArgsChars?: number;
  /** Folder in which the per-process spill folder is made (default the OS temp folder). */
  tmpDir?: string;
  now?: () => number;
}

/** A cursor that cannot be kept: the message says what was too large and the limit. */
export class CursorTooLargeError extends Error {
  override readonly name = "CursorTooLargeError";
  constructor(
    readonly what: "arguments" | "token" | "rows",
    readonly size: number,
    readonly limit: number,
  ) {
    const unit = what === "rows" ? "bytes" : "characters";
    super(
      `the ${what === "token" ? "upstream paging token" : what === "rows" ? "held rows" : "tool arguments"} ` +
        `(${size.toLocaleString("en-US")} ${unit}) pass the limit of ${limit.toLocaleString("en-US")} ${unit}, so no paging cursor can hold them`,
    );
  }
}

export const PAGE_HANDLE_PREFIX = "bl_";
/** Per-entry bookkeeping counted on top of the strings a cursor holds. */
const ENTRY_OVERHEAD = 256;
/** Cursors without held rows kept, per cursor with rows that memory keeps (maxInMemory). */
const ROWLESS_PER_HOLDING = 4;
const TOMBSTONES = 4096;
const SPILL_PREFIX = "backlinks-mcp-spill-";

const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);

/**
 * Held rows as memory keeps them: their JSON text deflated (fastest level) into a Buffer. Row JSON
 * repeats its field names on every row and shrinks about 7×, and a Buffer lives outside the
 * JavaScript heap, so held rows neither fill the heap nor raise the point at which V8 collects the
 * garbage of each call. Both directions run on the libuv thread pool.
 */
async function pack(text: string): Promise<Buffer> {
  return deflateRaw(text, { level: 1 });
}

async function unpack(packed: Buffer): Promise<string> {
  return (await inflateRaw(packed)).toString("utf8");
}

interface Entry {
  createdAt: number;
  /** In memory (with `held` null: the rows are in `packed`), or null when spilled. */
  state: PageState | null;
  /**
   * The held rows, packed: settles once deflated (the handle is given out before that, so packing
   * is not part of the call's time). Undefined when there are none or the entry is spilled.
   */
  packed?: Promise<Buffer>;
  /** Bytes of `packed` once it has settled (counted in packedBytes), 0 before. */
  packedLength: number;
  /** Bytes counted in memory for this entry (the whole state, or just the stub when spilled). */
  memBytes: number;
  /** Bytes of its spill file, 0 when in memory. */
  diskBytes: number;
  tokenKey?: string;
  /** Kept for the tombstone when spilled. */
  tool: string;
  heldRows: number;
  shown: number;
  totalCount?: number;
}

type Tombstone = Extract<CursorLookup, { reason: "expired" | "evicted" }>;

function tokenKeyOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export class PagingStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byToken = new Map<string, string>();
  private readonly tombstones = new Map<string, Tombstone>();
  private memBytes = 0;
  private packedBytes = 0;
  /** Packs under way. */
  private readonly packing = new Set<Promise<Buffer>>();
  private diskBytes = 0;
  private inMemory = 0;
  /**
   * Handles in the order they were issued, with their creation time: expiry walks it from the front and
   * stops at the first live one, instead of visiting every cursor on every call (the map's own order
   * changes as cursors are used). `ageHead` is the first index not yet expired.
   */
  private byAge: { at: number; handle: string }[] = [];
  private ageHead = 0;
  /** Cursors in memory that hold rows (the ones the count bound is about). */
  private holding = 0;
  private dir: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;
  private readonly maxInMemory: number;
  private readonly maxWithoutRows: number;
  private readonly maxSpillBytes: number;
  private readonly maxTokenChars: number;
  private readonly maxArgsChars: number;

  constructor(private readonly options: PagingStoreOptions) {
    this.now = options.now ?? Date.now;
    this.maxInMemory = options.maxInMemory ?? 500;
    this.maxWithoutRows = ROWLESS_PER_HOLDING * this.maxInMemory;
    this.maxSpillBytes = options.maxSpillBytes ?? 256 * 1024 * 1024;
    this.maxTokenChars = options.maxTokenChars ?? 16_384;
    this.maxArgsChars = options.maxArgsChars ?? 65_536;
  }

  /**
   * Why these arguments or this token could never be held, or undefined when they can.
   * Call it before a paid call to refuse it up front rather than after paying.
   */
  problem(args: Record<string, unknown>, token?: string): CursorTooLargeError | undefined {
    const argsChars = JSON.stringify(args).length;
    if (argsChars > this.maxArgsChars) return new CursorTooLargeError("arguments", argsChars, this.maxArgsChars);
    if (token !== undefined && token.length > this.maxTokenChars) {
      return new CursorTooLargeError("token", token.length, this.maxTokenChars);
    }
    return undefined;
  }

  /**
   * Keeps a state and returns its handle (at most 32 characters). Rejects with CursorTooLargeError.
   * The store's bounds are enforced before the handle is given, which may mean writing an older cursor
   * to the spill folder. With `boundsAfter`, the handle is given as soon as the state is kept, and the
   * bounds are enforced next, before any operation asked for later: an answer need not wait for a
   * spill.
   */
  issue(state: PageState, options: { boundsAfter?: boolean } = {}): Promise<string> {
    const issued = this.keep(state, !options.boundsAfter);
    if (options.boundsAfter) void this.serial(() => this.enforce()).catch(() => undefined);
    return issued;
  }

  private keep(state: PageState, enforce: boolean): Promise<string> {
    return this.serial(async () => {
      const problem = this.problem(state.args, state.next?.searchAfterToken);
      if (problem) throw problem;
      const bytes = this.sizeOf(state);
      // A cursor that fits in neither memory nor the spill folder would lose its rows at once.
      if (bytes > this.options.maxBytes && bytes > this.maxSpillBytes) {
        throw new CursorTooLargeError("rows", bytes, Math.max(this.options.maxBytes, this.maxSpillBytes));
      }
      const handle = PAGE_HANDLE_PREFIX + randomId(9);
      const entry: Entry = {
        createdAt: this.now(),
        state: { ...state, held: null },
        packedLength: 0,
        memBytes: bytes,
        diskBytes: 0,
        tool: state.tool,
        heldRows: state.heldRows,
        shown: state.shown,
        totalCount: state.totalCount,
      };
      // Only a bare continuation maps a raw DataForSEO token: with held rows, the token is the page after them.
      if (state.held === null && state.next?.searchAfterToken) {
        entry.tokenKey = tokenKeyOf(state.next.searchAfterToken);
        this.byToken.set(entry.tokenKey, handle);
      }
      this.entries.set(handle, entry);
      this.byAge.push({ at: entry.createdAt, handle });
      this.compactAgeQueue();
      this.memBytes += bytes;
      if (state.held !== null) this.startPacking(entry, state.held);
      this.inMemory += 1;
      if (enforce) await this.enforce();
      return handle;
    });
  }

  /** The state behind a handle (or a raw token this store issued a handle for), or why it is gone. */
  get(handleOrToken: string): Promise<CursorLookup> {
    return this.serial(async () => {
      this.expire();
      const handle = this.entries.has(handleOrToken) ? handleOrToken : this.byToken.get(tokenKeyOf(handleOrToken));
      let entry = handle === undefined ? undefined : this.entries.get(handle);
      // Issued under a clock that later went back, it may sit behind younger ones in the expiry order.
      if (handle !== undefined && entry !== undefined && entry.createdAt <= this.cutoff()) {
        this.drop(handle, entry, "expired");
        entry = undefined;
      }
      if (handle === undefined || entry === undefined) {
        return (
          this.tombstones.get(handleOrToken) ??
          this.tombstones.get(tokenKeyOf(handleOrToken)) ?? { found: false, reason: "unknown" }
        );
      }
      if (entry.state) {
        // Recently used: move to the back of the spill order.
        this.entries.delete(handle);
        this.entries.set(handle, entry);
        let state: PageState;
        try {
          state = await this.full(entry);
        } catch {
          // The rows could not be packed (out of memory): they are gone.
          this.drop(handle, entry, "evicted");
          return this.tombstones.get(handle)!;
        }
        return { found: true, state };
      }
      let state: PageState;
      try {
        state = JSON.parse(await fs.readFile(this.fileOf(handle), "utf8")) as PageState;
      } catch {
        // The spill file vanished (the temp folder was cleaned): the rows are gone.
        this.drop(handle, entry, "evicted");
        return this.tombstones.get(handle)!;
      }
      await fs.rm(this.fileOf(handle), { force: true });
      this.diskBytes -= entry.diskBytes;
      this.memBytes -= entry.memBytes;
      entry.diskBytes = 0;
      entry.state = { ...state, held: null };
      if (state.held !== null) this.startPacking(entry, state.held);
      entry.memBytes = this.sizeOf(state);
      this.memBytes += entry.memBytes;
      this.inMemory += 1;
      this.entries.delete(handle);
      this.entries.set(handle, entry);
      await this.enforce(handle);
      return { found: true, state };
    });
  }

  /**
   * memoryBytes is what the memory bound counts (two bytes per character of the held rows' text);
   * packedBytes is what the held rows in memory really take, packed.
   */
  stats(): { cursors: number; inMemory: number; spilled: number; memoryBytes: number; spillBytes: number; packedBytes: number; ageQueue: number } {
    return {
      cursors: this.entries.size,
      inMemory: this.inMemory,
      spilled: this.entries.size - this.inMemory,
      memoryBytes: this.memBytes,
      spillBytes: this.diskBytes,
      packedBytes: this.packedBytes,
      ageQueue: this.byAge.length - this.ageHead,
    };
  }

  /** The per-process spill folder, once something has been spilled. */
  get spillDir(): string | undefined {
    return this.dir;
  }

  /** Forgets every cursor and removes the spill folder. */
  async close(): Promise<void> {
    await this.serial(async () => this.closeSync());
  }

  /** close() for an exit handler, where nothing asynchronous runs. */
  closeSync(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.packed = undefined;
    this.entries.clear();
    this.byToken.clear();
    this.byAge = [];
    this.ageHead = 0;
    this.memBytes = this.diskBytes = this.inMemory = this.holding = this.packedBytes = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /**
   * Memory a state counts against the bound: two bytes per character of every string it holds (the
   * held rows as text, though memory keeps them packed), plus bookkeeping.
   */
  private sizeOf(state: PageState): number {
    const chars =
      state.tool.length +
      JSON.stringify(state.args).length +
      (state.held?.length ?? 0) +
      (state.next?.searchAfterToken?.length ?? 0);
    return ENTRY_OVERHEAD + 2 * chars;
  }

  /** What a spilled entry still takes in memory: its handle, token key and tombstone facts. */
  private stubSize(entry: Entry): number {
    return ENTRY_OVERHEAD + 2 * (entry.tool.length + (entry.tokenKey?.length ?? 0));
  }

  private fileOf(handle: string): string {
    return path.join(this.dir!, `${handle}.json`);
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error("the paging store is closed");
      return op();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Cursors created at or before this time have expired. */
  private cutoff(): number {
    return this.now() - this.options.ttlMs;
  }

  /**
   * A cursor pushed out by the bounds keeps its place in the age queue until it would have expired, so
   * at a steady rate of calls the queue grows with the rate times the ttl, not with the cursors held.
   * Past twice the cursors held (and some slack) it is rebuilt from the ones still held, in order.
   */
  private compactAgeQueue(): void {
    if (this.byAge.length - this.ageHead <= 2 * this.entries.size + 1024) return;
    this.byAge = this.byAge.slice(this.ageHead).filter(({ handle }) => this.entries.has(handle));
    this.ageHead = 0;
  }

  private expire(): void {
    const cutoff = this.cutoff();
    while (this.ageHead < this.byAge.length && this.byAge[this.ageHead]!.at <= cutoff) {
      const { handle } = this.byAge[this.ageHead++]!;
      const entry = this.entries.get(handle);
      if (entry) this.drop(handle, entry, "expired");
    }
    if (this.ageHead > 1024 && this.ageHead * 2 > this.byAge.length) {
      this.byAge = this.byAge.slice(this.ageHead);
      this.ageHead = 0;
    }
    // Tombstones outlive their cursor by one ttl, and there are at most TOMBSTONES of them.
    for (const [handle, stone] of this.tombstones) {
      if (stone.at > cutoff && this.tombstones.size <= TOMBSTONES) break;
      this.tombstones.delete(handle);
    }
  }

  /**
   * Spills the oldest cursors until memory fits, then drops the oldest of what spilling would not shrink
   * (stubs, small cursors without rows) until memory fits, then the oldest spilled until disk fits. The
   * count bound is on cursors holding rows. A cursor without rows is spilled only for the bytes bound and
   * only when it is large (long arguments or token): a usual one is a few hundred bytes, about what its
   * stub would keep, and writing it out would cost a file per call for nothing.
   */
  private async enforce(keep?: string): Promise<void> {
    this.expire();
    for (const [handle, entry] of this.entries) {
      const overBytes = this.memBytes > this.options.maxBytes;
      if (this.holding <= this.maxInMemory && !overBytes) break;
      if (!entry.state || handle === keep) continue;
      if (entry.packed === undefined && !(overBytes && this.worthSpilling(entry))) continue;
      await this.spill(handle, entry);
    }
    for (const [handle, entry] of this.entries) {
      if (this.memBytes <= this.options.maxBytes) break;
      if (handle !== keep && (!entry.state || entry.packed === undefined)) this.drop(handle, entry, "evicted");
    }
    // Cursors without rows hold nothing paid for: past their own count bound the oldest go.
    for (const [handle, entry] of this.entries) {
      if (this.inMemory - this.holding <= this.maxWithoutRows) break;
      if (handle !== keep && entry.state && entry.packed === undefined) this.drop(handle, entry, "evicted");
    }
    for (const [handle, entry] of this.entries) {
      if (this.diskBytes <= this.maxSpillBytes) break;
      if (!entry.state) this.drop(handle, entry, "evicted");
    }
  }

  /** Whether spilling a cursor without rows frees much more than its stub keeps. */
  private worthSpilling(entry: Entry): boolean {
    return entry.memBytes > 4 * this.stubSize(entry);
  }

  /** The state with its held rows as text again. */
  private async full(entry: Entry): Promise<PageState> {
    return { ...entry.state!, held: entry.packed === undefined ? null : await unpack(await entry.packed) };
  }

  /** Starts deflating an entry's held rows; it counts as holding rows from now on. */
  private startPacking(entry: Entry, text: string): void {
    const packed = pack(text);
    entry.packed = packed;
    entry.packedLength = 0;
    this.holding += 1;
    this.packing.add(packed);
    packed.then(
      (buf) => {
        this.packing.delete(packed);
        // Spilled or dropped meanwhile: nothing of it stays in memory.
        if (entry.packed !== packed) return;
        entry.packedLength = buf.length;
        this.packedBytes += buf.length;
      },
      () => this.packing.delete(packed),
    );
  }

  /** The entry no longer keeps its rows in memory (spilled or dropped). */
  private releasePacked(entry: Entry): void {
    if (entry.packed === undefined) return;
    this.packedBytes -= entry.packedLength;
    this.holding -= 1;
    entry.packed = undefined;
    entry.packedLength = 0;
  }

  /** Resolves once every held-row set given so far is packed (stats() then counts them all). */
  async packed(): Promise<void> {
    await Promise.allSettled([...this.packing]);
  }

  private async spill(handle: string, entry: Entry): Promise<void> {
    let text: string;
    try {
      text = JSON.stringify(await this.full(entry));
    } catch {
      this.drop(handle, entry, "evicted");
      return;
    }
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxSpillBytes) {
      this.drop(handle, entry, "evicted");
      return;
    }
    try {
      if (this.dir === undefined) {
        this.dir = mkdtempSync(path.join(this.parentDir, SPILL_PREFIX));
        await this.sweepStale();
      }
      await fs.writeFile(this.fileOf(handle), text, { mode: 0o600 }).catch(async (err: NodeJS.ErrnoException) => {
        // Another process swept the folder while it held only expired cursors: make it again.
        if (err.code !== "ENOENT") throw err;
        await fs.mkdir(this.dir!, { recursive: true, mode: 0o700 });
        await fs.writeFile(this.fileOf(handle), text, { mode: 0o600 });
      });
    } catch {
      // No room on disk: the memory bound still holds, and the tombstone says what was lost.
      this.drop(handle, entry, "evicted");
      return;
    }
    this.memBytes -= entry.memBytes;
    this.inMemory -= 1;
    entry.state = null;
    this.releasePacked(entry);
    entry.diskBytes = bytes;
    entry.memBytes = this.stubSize(entry);
    this.memBytes += entry.memBytes;
    this.diskBytes += bytes;
  }

  private get parentDir(): string {
    return this.options.tmpDir ?? os.tmpdir();
  }

  /**
   * Removes spill folders a crashed process left behind. A folder untouched for longer than
   * a cursor lives holds only expired cursors (each file write touches it), whoever owns it.
   */
  private async sweepStale(): Promise<void> {
    const cutoff = Date.now() - this.options.ttlMs - 60_000;
    try {
      for (const name of await fs.readdir(this.parentDir)) {
        const dir = path.join(this.parentDir, name);
        if (!name.startsWith(SPILL_PREFIX) || dir === this.dir) continue;
        const st = await fs.stat(dir).catch(() => undefined);
        if (st?.isDirectory() && st.mtimeMs < cutoff) await fs.rm(dir, { recursive: true, force: true });
      }
    } catch {
      // Best effort: an unreadable temp folder only means old spill files stay.
    }
  }

  private drop(handle: string, entry: Entry, reason: "expired" | "evicted"): void {
    this.entries.delete(handle);
    this.memBytes -= entry.memBytes;
    this.diskBytes -= entry.diskBytes;
    this.releasePacked(entry);
    if (entry.state) this.inMemory -= 1;
    else if (this.dir) void fs.rm(this.fileOf(handle), { force: true }).catch(() => undefined);
    if (entry.tokenKey && this.byToken.get(entry.tokenKey) === handle) this.byToken.delete(entry.tokenKey);
    const stone: Tombstone = {
      found: false,
      reason,
      tool: entry.tool,
      heldRows: entry.heldRows,
      shown: entry.shown,
      totalCount: entry.totalCount,
      at: this.now(),
    };
    this.tombstones.set(handle, stone);
    // A raw DataForSEO token pasted back says the same (keyed by its hash, like the live map).
    if (entry.tokenKey) this.tombstones.set(entry.tokenKey, stone);
  }
}

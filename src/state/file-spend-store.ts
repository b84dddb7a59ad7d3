// The spend store on disk: one append-only file per account in the state folder, shared by
// every server process on the machine. Each line is one JSON record and its checksum; a
// line that fails the check (a write torn by a crash) is skipped, and the next writer starts
// on a fresh line so a torn tail never swallows a good record. Writers take a lock with
// proper-lockfile; readers catch up from the byte offset they last read. When a file passes
// `compactAtBytes` it is rewritten (to a temp file, then renamed over it, so a crash leaves
// either the old or the new file) as one totals line per day plus the open reservations.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Lockfile from "proper-lockfile";
import {
  SpendBook,
  SpendStoreError,
  checkNanos,
  dayKey,
  newReservationId,
  type Reservation,
  type ReserveResult,
  type Settlement,
  type SpendCaps,
  type SpendRecord,
  type SpendStore,
  type SpendTotals,
} from "./spend-store.js";

export interface FileSpendStoreOptions {
  /** The state folder (see defaultStateDir); created when missing. */
  dir: string;
  /** How long a reservation counts if never settled or released (default 10 minutes). */
  reservationTtlMs?: number;
  /** Rewrite a file as per-day totals once it passes this size (default 64 KiB). */
  compactAtBytes?: number;
  /** Days of totals kept when compacting (default 400: this month and last, with room). */
  keepDays?: number;
  /**
   * fdatasync after appending a settlement, so a power cut keeps what was billed (default
   * true). Reservations and refusals are not synced: a power cut ends every call in flight.
   */
  sync?: boolean;
  /** A lock older than this is taken over: its holder died (default 10 s; at least 5 s). */
  lockStaleMs?: number;
  /** Tries to take a busy lock before giving up with SpendStoreError (default 60, about 15 s). */
  lockRetries?: number;
}

export { SpendStoreError } from "./spend-store.js";

const LINE_END = 0x0a;

function checksum(payload: string): string {
  return createHash("sha256").update(payload).digest("hex").slice(0, 12);
}

/** One record as one line: JSON, a tab, 12 hex digits of its SHA-256, a newline. */
export function encodeRecord(record: SpendRecord): string {
  const payload = JSON.stringify(record);
  return `${payload}\t${checksum(payload)}\n`;
}

/** The record in a line (without its newline), or undefined when the line is torn or altered. */
export function decodeRecord(line: string): SpendRecord | undefined {
  const tab = line.lastIndexOf("\t");
  if (tab <= 0) return undefined;
  const payload = line.slice(0, tab);
  if (checksum(payload) !== line.slice(tab + 1)) return undefined;
  try {
    const record = JSON.parse(payload) as SpendRecord;
    return typeof record === "object" && record !== null && typeof record.t === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

/** How much of a file's start identifies it (a generation line is shorter). */
const HEAD_BYTES = 64;

interface AccountState {
  file: string;
  book: SpendBook;
  /** Bytes of the file already applied to book. */
  offset: number;
  /** Identity of the file read: a compaction by another process replaces it. */
  ino: number;
  /**
   * The file's first bytes as last read. A file system may give a new file the inode number of one
   * just removed, so a compaction can leave (dev, ino) unchanged: the start of the file tells them apart
   * (a compacted file starts with a unique generation line).
   */
  head: string;
  dev: number;
}

type Append = (records: SpendRecord[]) => Promise<void>;

/** proper-lockfile (and the graceful-fs it patches in) is loaded on the first ledger write, not at start-up. */
let lockfileLoaded: Promise<typeof Lockfile> | undefined;
function loadLockfile(): Promise<typeof Lockfile> {
  lockfileLoaded ??= import("proper-lockfile").then((m) => m.default);
  return lockfileLoaded;
}

/** Settlements and releases waiting for their group's turn at an account file. */
interface Batch {
  entries: { record: SpendRecord & { id: string }; stale: (book: SpendBook) => boolean }[];
  /** The group's transaction: resolves once its records are on disk. */
  done: Promise<void>;
}

export class FileSpendStore implements SpendStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly ttl: number;
  private readonly compactAt: number;
  private readonly keepDays: number;
  private readonly sync: boolean;
  private readonly stale: number;
  private readonly lockRetries: number;
  private readonly host = os.hostname();
  private dirReady: Promise<void> | undefined;
  /** Operations of this process, one account file at a time (the lock is per process, not per call). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The group of settlements and releases not yet written, per account file. */
  private readonly batches = new Map<string, Batch>();
  private closed = false;

  constructor(private readonly options: FileSpendStoreOptions) {
    this.ttl = options.reservationTtlMs ?? 10 * 60_000;
    this.compactAt = options.compactAtBytes ?? 64 * 1024;
    this.keepDays = options.keepDays ?? 400;
    this.sync = options.sync ?? true;
    this.stale = Math.max(5_000, options.lockStaleMs ?? 10_000);
    this.lockRetries = options.lockRetries ?? 60;
  }

  /** The file holding an account's spend. */
  fileOf(account: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(account)) throw new RangeError("account must be an accountKey() hash");
    return path.join(this.options.dir, `spend-${account}.jsonl`);
  }

  async reserve(account: string, estimateNanos: number, caps: SpendCaps, now = Date.now()): Promise<ReserveResult> {
    checkNanos(estimateNanos, "estimateNanos");
    return this.locked(account, now, async (book, append) => {
      const alive = this.aliveCheck();
      const refused = book.check(estimateNanos, caps, now, book.reserved(now, alive));
      if (refused) {
        await append([{ t: "f", day: dayKey(now) }]);
        return refused;
      }
      const reservation: Reservation = { id: newReservationId(), account, estimateNanos, expiresAt: now + this.ttl };
      await append([
        { t: "r", id: reservation.id, day: dayKey(now), n: estimateNanos, exp: reservation.expiresAt, pid: process.pid, host: this.host },
      ]);
      return { ok: true, reservation };
    });
  }

  async settle(reservation: Reservation, outcome: Settlement, now = Date.now()): Promise<void> {
    checkNanos(outcome.billedNanos, "billedNanos");
    checkNanos(outcome.possiblyBilledNanos, "possiblyBilledNanos");
    const record: SpendRecord = {
      t: "s",
      id: reservation.id,
      day: dayKey(now),
      tool: outcome.tool.slice(0, 100),
      b: outcome.billedNanos,
      p: outcome.possiblyBilledNanos,
    };
    return this.batched(reservation.account, now, record, (book) => book.isClosed(reservation.id));
  }

  async release(reservation: Reservation, now = Date.now()): Promise<void> {
    return this.batched(reservation.account, now, { t: "x", id: reservation.id }, (book) => book.isClosed(reservation.id) || !book.open.has(reservation.id));
  }

  /**
   * Settlements and releases are written in groups: the records queued for an account file while
   * earlier operations hold it go out together, in one locked append and one fdatasync, when the
   * group's turn comes. Under load that is one transaction for many calls instead of one each, so the
   * ledger keeps up with the calls; each caller's promise still resolves only once its record is on disk.
   */
  private batched(account: string, now: number, record: SpendRecord & { id: string }, stale: (book: SpendBook) => boolean): Promise<void> {
    const file = this.fileOf(account);
    let batch = this.batches.get(file);
    if (!batch) {
      const entries: Batch["entries"] = [];
      batch = {
        entries,
        done: this.locked(account, now, async (book, append) => {
          // From here on, new records start the next group.
          if (this.batches.get(file)?.entries === entries) this.batches.delete(file);
          const seen = new Set<string>();
          const records: SpendRecord[] = [];
          for (const e of entries) {
            if (seen.has(e.record.id) || e.stale(book)) continue;
            seen.add(e.record.id);
            records.push(e.record);
          }
          if (records.length > 0) await append(records);
        }),
      };
      this.batches.set(file, batch);
    }
    batch.entries.push({ record, stale });
    return batch.done;
  }

  async totals(account: string, now = Date.now()): Promise<SpendTotals> {
    return this.locked(account, now, async (book) => book.totals(now, book.reserved(now, this.aliveCheck())));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.queues.values()]);
  }

  /** Reservations of a process on this machine that is gone lapse at once, not at expiry. */
  private aliveCheck(): (r: { pid?: number; host?: string }) => boolean {
    const seen = new Map<number, boolean>();
    return (r) => {
      if (r.pid === undefined || r.host !== this.host || r.pid === process.pid) return true;
      let alive = seen.get(r.pid);
      if (alive === undefined) {
        try {
          process.kill(r.pid, 0);
          alive = true;
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === "EPERM";
        }
        seen.set(r.pid, alive);
      }
      return alive;
    };
  }

  /** Runs `op` holding the account's lock, with its book caught up to the file. */
  private locked<T>(account: string, now: number, op: (book: SpendBook, append: Append) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SpendStoreError("the spend store is closed"));
    const file = this.fileOf(account);
    const prev = this.queues.get(file) ?? Promise.resolve();
    const attempt = () =>
      this.underLock(account, file, now, op).catch((err: unknown) => {
        if (err instanceof SpendStoreError) throw err;
        // The folder may have gone (or never been made): make it again on the next call.
        this.dirReady = undefined;
        throw new SpendStoreError(`could not use the spend ledger ${file}: ${(err as Error).message}`, { cause: err });
      });
    const run = prev.then(attempt, attempt);
    const tail = run.catch(() => undefined);
    this.queues.set(file, tail);
    void tail.then(() => {
      if (this.queues.get(file) === tail) this.queues.delete(file);
    });
    return run;
  }

  private async underLock<T>(
    account: string,
    file: string,
    now: number,
    op: (book: SpendBook, append: Append) => Promise<T>,
  ): Promise<T> {
    this.dirReady ??= fs.mkdir(this.options.dir, { recursive: true }).then(() => undefined);
    await this.dirReady;
    let unlock: () => Promise<void>;
    try {
      const lockfile = await loadLockfile();
      unlock = await lockfile.lock(file, {
        realpath: false,
        stale: this.stale,
        // By default up to about 15 s of waiting for other writers, then give up (the call is not sent).
        retries: { retries: this.lockRetries, factor: 1.5, minTimeout: 2, maxTimeout: 250, randomize: true },
        // Losing the lock mid-operation must not crash the server; the append is already whole.
        onCompromised: () => undefined,
      });
    } catch (err) {
      throw new SpendStoreError(`could not lock the spend ledger ${file}: ${(err as Error).message}`);
    }
    try {
      const state = this.accounts.get(account) ?? { file, book: new SpendBook(), offset: 0, ino: -1, dev: -1, head: "" };
      this.accounts.set(account, state);
      const handle = await fs.open(file, "a+");
      let result: T;
      let size: number;
      try {
        const st = await handle.stat();
        const headBuf = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
        await handle.read(headBuf, 0, headBuf.length, 0);
        const head = headBuf.toString("latin1");
        if (st.ino !== state.ino || st.dev !== state.dev || st.size < state.offset || head.slice(0, state.head.length) !== state.head) {
          state.book = new SpendBook();
          state.offset = 0;
          state.ino = st.ino;
          state.dev = st.dev;
        }
        state.head = head;
        size = st.size;
        let tornTail = false;
        if (size > state.offset) {
          const buf = Buffer.alloc(size - state.offset);
          const { bytesRead } = await handle.read(buf, 0, buf.length, state.offset);
          const end = buf.subarray(0, bytesRead).lastIndexOf(LINE_END);
          if (end >= 0) {
            for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
              const record = decodeRecord(line);
              if (record) state.book.apply(record);
            }
            state.offset += end + 1;
          }
          tornTail = state.offset < size;
        }
        const append: Append = async (records) => {
          // A torn tail (a writer died mid-line) gets its own line, so our records stay whole.
          const text = (tornTail ? "\n" : "") + records.map(encodeRecord).join("");
          const bytes = Buffer.from(text, "utf8");
          await handle.appendFile(bytes);
          if (this.sync && records.some((r) => r.t === "s")) await handle.datasync();
          for (const r of records) state.book.apply(r);
          size += bytes.length;
          state.offset = size;
          tornTail = false;
        };
        result = await op(state.book, append);
      } finally {
        await handle.close();
      }
      if (size > this.compactAt) await this.compact(state, now);
      return result;
    } finally {
      await unlock().catch(() => undefined);
    }
  }

  private async compact(state: AccountState, now: number): Promise<void> {
    const records = state.book.compacted(now, this.keepDays, this.aliveCheck());
    const text = [{ t: "g" as const, id: newReservationId() }, ...records].map(encodeRecord).join("");
    const tmp = `${state.file}.${process.pid}.${newReservationId()}.tmp`;
    const handle = await fs.open(tmp, "w");
    let st;
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
      st = await handle.stat();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, state.file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    const book = new SpendBook();
    for (const r of records) book.apply(r);
    state.book = book;
    state.offset = st.size;
    state.ino = st.ino;
    state.dev = st.dev;
    state.head = Buffer.from(text, "utf8").subarray(0, HEAD_BYTES).toString("latin1");
  }
}

// Spend that several processes share: daily and monthly caps that survive restarts and hold
// across concurrent servers. Amounts are whole nano-dollars (1e-9 USD); periods are UTC days
// and UTC calendar months. Every method is async so a Redis implementation can follow.
import { createHash } from "node:crypto";
import { randomId } from "./random-id.js";

/** Caps in nano-dollars; an absent cap is no limit. */
export interface SpendCaps {
  dailyNanos?: number;
  monthlyNanos?: number;
}

export interface Reservation {
  readonly id: string;
  readonly account: string;
  readonly estimateNanos: number;
  /** Epoch ms after which other processes stop counting it (its process is presumed dead). */
  readonly expiresAt: number;
}

export type CapName = "daily" | "monthly";

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      cap: CapName;
      /** Billed plus possibly billed in the period, before this call. */
      spentNanos: number;
      /** Estimates of calls still in flight (any process) in the period. */
      reservedNanos: number;
      capNanos: number;
      estimateNanos: number;
      /** Epoch ms when the period (and with it the cap) starts over. */
      resetsAt: number;
    };

export interface Settlement {
  tool: string;
  /** Cost DataForSEO reported. */
  billedNanos: number;
  /** Cost of a call whose outcome is unknown (timed out or reset after it was sent). */
  possiblyBilledNanos: number;
}

export interface PeriodTotals {
  /** "2026-11-25" for a day, "2026-11" for a month. */
  period: string;
  billedNanos: number;
  possiblyBilledNanos: number;
  /** In-flight reservations that have not lapsed. */
  reservedNanos: number;
  /** Settled calls. */
  calls: number;
  /** Calls a cap refused (nothing was sent). */
  refusals: number;
  resetsAt: number;
}

export interface SpendTotals {
  today: PeriodTotals;
  month: PeriodTotals;
}

export interface SpendStore {
  // Every method rejects with SpendStoreError when the shared state cannot be used.
  /**
   * Holds `estimateNanos` against the caps if both still allow it (billed + possibly billed +
   * in flight + estimate ≤ cap), else records a refusal and says which cap and when it resets.
   */
  reserve(account: string, estimateNanos: number, caps: SpendCaps, now?: number): Promise<ReserveResult>;
  /** Records the call's outcome and ends its reservation. Settling twice records once. */
  settle(reservation: Reservation, outcome: Settlement, now?: number): Promise<void>;
  /** Ends a reservation with nothing spent (the call was never sent). */
  release(reservation: Reservation, now?: number): Promise<void>;
  totals(account: string, now?: number): Promise<SpendTotals>;
  close(): Promise<void>;
}

/** The store could not read or write its state: the caller must not send the call. */
export class SpendStoreError extends Error {
  override readonly name = "SpendStoreError";
}

/**
 * The key spend is kept under: a hash of the DataForSEO login (never the password), so
 * two servers on one account share caps and state files never hold the login itself.
 */
export function accountKey(login: string): string {
  return createHash("sha256").update(`backlinks-mcp\0${login}`).digest("hex").slice(0, 24);
}

export function dayKey(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function monthKey(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

export function nextDayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export function nextMonthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function newReservationId(): string {
  return randomId(9);
}

export function checkNanos(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number of nano-dollars ≥ 0, got ${String(value)}`);
  }
}

// ---- the accounting both implementations share -------------------------------------------

/** One change to an account's spend: what the file store writes as a line. */
export type SpendRecord =
  /** reservation: n = estimate, exp = expiry, pid/host = owner (lapses early when it is gone) */
  | { t: "r"; id: string; day: string; n: number; exp: number; pid?: number; host?: string }
  /** settlement of reservation id */
  | { t: "s"; id: string; day: string; tool: string; b: number; p: number }
  /** release of reservation id */
  | { t: "x"; id: string }
  /** refusal */
  | { t: "f"; day: string }
  /** generation marker: the first line of a compacted file, so a reader can tell it from an older one */
  | { t: "g"; id: string }
  /** compacted totals of one day */
  | { t: "d"; day: string; b: number; p: number; c: number; f: number };

interface DayTally {
  b: number;
  p: number;
  c: number;
  f: number;
}

interface OpenReservation {
  n: number;
  exp: number;
  pid?: number;
  host?: string;
}

/** Per-day tallies plus open reservations for one account, built from records in order. */
export class SpendBook {
  readonly days = new Map<string, DayTally>();
  readonly open = new Map<string, OpenReservation>();
  /** Reservations already settled or released (the newest 10,000): a late duplicate never counts twice. */
  private readonly closed = new Set<string>();

  private close(id: string): void {
    this.closed.add(id);
    this.open.delete(id);
    if (this.closed.size > 10_000) this.closed.delete(this.closed.values().next().value as string);
  }

  apply(record: SpendRecord): void {
    switch (record.t) {
      case "r":
        if (!this.closed.has(record.id)) {
          this.open.set(record.id, { n: record.n, exp: record.exp, pid: record.pid, host: record.host });
        }
        break;
      case "s": {
        if (this.closed.has(record.id)) break;
        this.close(record.id);
        const day = this.day(record.day);
        day.b += record.b;
        day.p += record.p;
        day.c += 1;
        break;
      }
      case "x":
        this.close(record.id);
        break;
      case "f":
        this.day(record.day).f += 1;
        break;
      case "d": {
        const day = this.day(record.day);
        day.b += record.b;
        day.p += record.p;
        day.c += record.c;
        day.f += record.f;
        break;
      }
    }
  }

  /** Has this reservation been settled or released? */
  isClosed(id: string): boolean {
    return this.closed.has(id);
  }

  /** Sum of open reservations still counted at `now`. */
  reserved(now: number, alive: (r: OpenReservation) => boolean = () => true): number {
    let sum = 0;
    for (const r of this.open.values()) if (r.exp > now && alive(r)) sum += r.n;
    return sum;
  }

  totals(now: number, reservedNanos: number): SpendTotals {
    const today = dayKey(now);
    const month = monthKey(now);
    const t: SpendTotals = {
      today: { period: today, billedNanos: 0, possiblyBilledNanos: 0, reservedNanos, calls: 0, refusals: 0, resetsAt: nextDayStart(now) },
      month: { period: month, billedNanos: 0, possiblyBilledNanos: 0, reservedNanos, calls: 0, refusals: 0, resetsAt: nextMonthStart(now) },
    };
    for (const [day, d] of this.days) {
      const into = day === today ? [t.today, t.month] : day.startsWith(month) ? [t.month] : [];
      for (const p of into) {
        p.billedNanos += d.b;
        p.possiblyBilledNanos += d.p;
        p.calls += d.c;
        p.refusals += d.f;
      }
    }
    return t;
  }

  /** The cap a call of `estimateNanos` would pass, or undefined when it fits under both. */
  check(
    estimateNanos: number,
    caps: SpendCaps,
    now: number,
    reservedNanos: number,
  ): Extract<ReserveResult, { ok: false }> | undefined {
    const t = this.totals(now, reservedNanos);
    const periods: [CapName, PeriodTotals, number | undefined][] = [
      ["daily", t.today, caps.dailyNanos],
      ["monthly", t.month, caps.monthlyNanos],
    ];
    for (const [cap, p, capNanos] of periods) {
      if (capNanos === undefined) continue;
      const spentNanos = p.billedNanos + p.possiblyBilledNanos;
      if (spentNanos + reservedNanos + estimateNanos > capNanos) {
        return { ok: false, cap, spentNanos, reservedNanos, capNanos, estimateNanos, resetsAt: p.resetsAt };
      }
    }
    return undefined;
  }

  /**
   * The fewest records that rebuild this book: one totals record per day (the newest
   * `keepDays` days) and the reservations still open at `now`.
   */
  compacted(now: number, keepDays: number, alive: (r: OpenReservation) => boolean = () => true): SpendRecord[] {
    const days = [...this.days.keys()].sort().slice(-keepDays);
    const out: SpendRecord[] = days.map((day) => {
      const d = this.days.get(day)!;
      return { t: "d", day, b: d.b, p: d.p, c: d.c, f: d.f };
    });
    for (const [id, r] of this.open) {
      if (r.exp > now && alive(r)) out.push({ t: "r", id, day: dayKey(now), n: r.n, exp: r.exp, pid: r.pid, host: r.host });
    }
    return out;
  }

  private day(key: string): DayTally {
    let d = this.days.get(key);
    if (!d) {
      d = { b: 0, p: 0, c: 0, f: 0 };
      this.days.set(key, d);
    }
    return d;
  }
}

export interface MemorySpendStoreOptions {
  /** How long a reservation counts if never settled or released (default 10 minutes). */
  reservationTtlMs?: number;
}

/** One process's spend, in memory: the embedded default when no state folder is wanted, and the reference. */
export class MemorySpendStore implements SpendStore {
  private readonly books = new Map<string, SpendBook>();
  private readonly ttl: number;

  constructor(options: MemorySpendStoreOptions = {}) {
    this.ttl = options.reservationTtlMs ?? 10 * 60_000;
  }

  async reserve(account: string, estimateNanos: number, caps: SpendCaps, now = Date.now()): Promise<ReserveResult> {
    checkNanos(estimateNanos, "estimateNanos");
    const book = this.book(account);
    const refused = book.check(estimateNanos, caps, now, book.reserved(now));
    if (refused) {
      book.apply({ t: "f", day: dayKey(now) });
      return refused;
    }
    const reservation: Reservation = { id: newReservationId(), account, estimateNanos, expiresAt: now + this.ttl };
    book.apply({ t: "r", id: reservation.id, day: dayKey(now), n: estimateNanos, exp: reservation.expiresAt });
    return { ok: true, reservation };
  }

  async settle(reservation: Reservation, outcome: Settlement, now = Date.now()): Promise<void> {
    checkNanos(outcome.billedNanos, "billedNanos");
    checkNanos(outcome.possiblyBilledNanos, "possiblyBilledNanos");
    this.book(reservation.account).apply({
      t: "s",
      id: reservation.id,
      day: dayKey(now),
      tool: outcome.tool,
      b: outcome.billedNanos,
      p: outcome.possiblyBilledNanos,
    });
  }

  async release(reservation: Reservation): Promise<void> {
    this.book(reservation.account).apply({ t: "x", id: reservation.id });
  }

  async totals(account: string, now = Date.now()): Promise<SpendTotals> {
    const book = this.book(account);
    return book.totals(now, book.reserved(now));
  }

  async close(): Promise<void> {}

  private book(account: string): SpendBook {
    let book = this.books.get(account);
    if (!book) {
      book = new SpendBook();
      this.books.set(account, book);
    }
    return book;
  }
}

// The state hosted mode shares between requests (and, over Redis, between replicas): paging cursors
// with their held paid rows, the response cache, daily/monthly spend with atomic reservations, and
// DataForSEO's per-account limits (requests in flight, requests per minute). Two implementations
// behind this one interface: MemoryState (one process) and RedisState (src/state/redis-state.ts).
import type { PageState } from "../paging/paging-store.js";
import type { CachedResult } from "../tools/deps.js";

/** Where a tenant's keys live: its name and the hash of its DataForSEO login, never the login. */
export interface Namespace {
  tenant: string;
  account: string;
}

export interface MapBounds {
  ttlMs: number;
  /** Entries kept per namespace. */
  maxEntries: number;
  /** Bytes kept per namespace (values as stored). */
  maxBytes: number;
}

export interface SpendCaps {
  dailyNanos?: number;
  monthlyNanos?: number;
}

export type Reserved =
  | { ok: true; id: string }
  | { ok: false; cap: "daily" | "monthly"; spentNanos: number; reservedNanos: number; capNanos: number };

export interface PeriodTally {
  billedNanos: number;
  possiblyBilledNanos: number;
  /** Settled calls. */
  calls: number;
  /** Calls a cap refused. */
  refusals: number;
}

export interface SpendTotals {
  today: PeriodTally;
  month: PeriodTally;
  reservedNanos: number;
}

export interface SlotLimits {
  maxInFlight: number;
  ratePerMinute: number;
  /** A slot not renewed for this long is freed (its replica is presumed gone). */
  leaseMs: number;
}

export type SlotResult = { ok: true; id: string } | { ok: false; retryMs: number };

/** The shared store failed (Redis unreachable, timed out): nothing that spends may go ahead. */
export class StateUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("the shared state store is unreachable");
    this.name = "StateUnavailableError";
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

export interface HostedState {
  readonly kind: "memory" | "redis";
  /** Is the store reachable right now? Never throws. */
  ping(): Promise<boolean>;

  getCursor(ns: Namespace, handleOrToken: string): Promise<PageState | undefined>;
  putCursor(ns: Namespace, handle: string, state: PageState, bounds: MapBounds): Promise<void>;

  getCached(ns: Namespace, key: string): Promise<{ value: CachedResult; ageMs: number } | undefined>;
  putCached(ns: Namespace, key: string, value: CachedResult, bounds: MapBounds): Promise<void>;

  /** Holds `estimateNanos` against the caps if billed + possibly billed + held + estimate stays within each. */
  reserve(ns: Namespace, estimateNanos: number, caps: SpendCaps, ttlMs: number, now?: number): Promise<Reserved>;
  /** Records what the call cost and ends its hold; settling twice records once. */
  settle(ns: Namespace, id: string, billedNanos: number, possiblyBilledNanos: number, now?: number): Promise<void>;
  /** Ends a hold with nothing spent. */
  release(ns: Namespace, id: string): Promise<void>;
  totals(ns: Namespace, now?: number): Promise<SpendTotals>;

  /** A place among the account's requests in flight (shared by every tenant on that account). */
  acquireSlot(account: string, limits: SlotLimits): Promise<SlotResult>;
  renewSlot(account: string, id: string, leaseMs: number): Promise<void>;
  releaseSlot(account: string, id: string): Promise<void>;

  close(): Promise<void>;
}

export function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

/** Bytes a value takes as stored: its JSON text, two bytes a character at most. */
export function storedBytes(text: string): number {
  return text.length * 2;
}

// HostedState for one process (no DATAFORSEO_REDIS_URL): the same rules as RedisState, in maps.
import { createHash } from "node:crypto";
import { randomId } from "../state/random-id.js";
import type { PageState } from "../paging/paging-store.js";
import type { CachedResult } from "../tools/deps.js";
import {
  dayOf,
  monthOf,
  storedBytes,
  type HostedState,
  type MapBounds,
  type Namespace,
  type Reserved,
  type SlotLimits,
  type SlotResult,
  type SpendCaps,
  type SpendTotals,
  type PeriodTally,
} from "./state.js";

const spentOf = (t: PeriodTally | undefined) => (t ? t.billedNanos + t.possiblyBilledNanos : 0);
const tally = (m: Map<string, PeriodTally>, key: string): PeriodTally => {
  let t = m.get(key);
  if (!t) m.set(key, (t = { billedNanos: 0, possiblyBilledNanos: 0, calls: 0, refusals: 0 }));
  return t;
};

interface Stored {
  text: string;
  bytes: number;
  storedAt: number;
  expiresAt: number;
}

/** Insertion-ordered map with a TTL, an entry bound and a byte bound; the oldest go first. */
class BoundedMap {
  private readonly entries = new Map<string, Stored>();
  private bytes = 0;

  get(key: string, now: number): Stored | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, text: string, bounds: MapBounds, now: number): void {
    this.delete(key);
    const bytes = storedBytes(text);
    for (const [k, e] of this.entries) {
      const full = this.entries.size >= bounds.maxEntries || this.bytes + bytes > bounds.maxBytes;
      if (!full && e.expiresAt > now) break;
      this.delete(k);
    }
    this.entries.set(key, { text, bytes, storedAt: now, expiresAt: now + bounds.ttlMs });
    this.bytes += bytes;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

interface Book {
  days: Map<string, PeriodTally>;
  months: Map<string, PeriodTally>;
  held: Map<string, { nanos: number; expiresAt: number }>;
  settled: Set<string>;
}

const tokenKey = (token: string) => "tok:" + createHash("sha256").update(token).digest("hex");

export class MemoryState implements HostedState {
  readonly kind = "memory" as const;
  private readonly maps = new Map<string, BoundedMap>();
  private readonly books = new Map<string, Book>();
  private readonly slots = new Map<string, { held: Map<string, number>; starts: number[] }>();

  async ping(): Promise<boolean> {
    return true;
  }

  private map(ns: Namespace, what: string): BoundedMap {
    const key = `${ns.tenant}\0${ns.account}\0${what}`;
    let m = this.maps.get(key);
    if (!m) this.maps.set(key, (m = new BoundedMap()));
    return m;
  }

  async getCursor(ns: Namespace, handleOrToken: string): Promise<PageState | undefined> {
    const now = Date.now();
    const m = this.map(ns, "cursor");
    let e = m.get(handleOrToken, now);
    if (!e) {
      const handle = this.map(ns, "token").get(tokenKey(handleOrToken), now);
      if (handle) e = m.get(handle.text, now);
    }
    return e ? (JSON.parse(e.text) as PageState) : undefined;
  }

  async putCursor(ns: Namespace, handle: string, state: PageState, bounds: MapBounds): Promise<void> {
    const now = Date.now();
    const m = this.map(ns, "cursor");
    m.set(handle, JSON.stringify(state), bounds, now);
    const token = state.held === null ? state.next?.searchAfterToken : undefined;
    // token → handle lives in its own map so it never pushes out held rows
    if (token) this.map(ns, "token").set(tokenKey(token), handle, { ...bounds, maxBytes: Number.MAX_SAFE_INTEGER }, now);
  }

  async getCached(ns: Namespace, key: string): Promise<{ value: CachedResult; ageMs: number } | undefined> {
    const now = Date.now();
    const e = this.map(ns, "cache").get(key, now);
    return e ? { value: JSON.parse(e.text) as CachedResult, ageMs: Math.max(0, now - e.storedAt) } : undefined;
  }

  async putCached(ns: Namespace, key: string, value: CachedResult, bounds: MapBounds): Promise<void> {
    this.map(ns, "cache").set(key, JSON.stringify(value), bounds, Date.now());
  }

  private book(ns: Namespace): Book {
    const key = `${ns.tenant}\0${ns.account}`;
    let b = this.books.get(key);
    if (!b) this.books.set(key, (b = { days: new Map(), months: new Map(), held: new Map(), settled: new Set() }));
    return b;
  }

  private heldNanos(b: Book, now: number): number {
    let sum = 0;
    for (const [id, h] of b.held) {
      if (h.expiresAt <= now) b.held.delete(id);
      else sum += h.nanos;
    }
    return sum;
  }

  async reserve(ns: Namespace, estimateNanos: number, caps: SpendCaps, ttlMs: number, now = Date.now()): Promise<Reserved> {
    const b = this.book(ns);
    const held = this.heldNanos(b, now);
    const periods: ["daily" | "monthly", number, number | undefined][] = [
      ["daily", spentOf(b.days.get(dayOf(now))), caps.dailyNanos],
      ["monthly", spentOf(b.months.get(monthOf(now))), caps.monthlyNanos],
    ];
    for (const [cap, spent, capNanos] of periods) {
      if (capNanos !== undefined && spent + held + estimateNanos > capNanos) {
        tally(b.days, dayOf(now)).refusals += 1;
        tally(b.months, monthOf(now)).refusals += 1;
        return { ok: false, cap, spentNanos: spent, reservedNanos: held, capNanos };
      }
    }
    const id = randomId(9);
    b.held.set(id, { nanos: estimateNanos, expiresAt: now + ttlMs });
    return { ok: true, id };
  }

  async settle(ns: Namespace, id: string, billedNanos: number, possiblyBilledNanos: number, now = Date.now()): Promise<void> {
    const b = this.book(ns);
    b.held.delete(id);
    if (b.settled.has(id)) return;
    b.settled.add(id);
    if (b.settled.size > 10_000) b.settled.delete(b.settled.values().next().value as string);
    for (const t of [tally(b.days, dayOf(now)), tally(b.months, monthOf(now))]) {
      t.billedNanos += billedNanos;
      t.possiblyBilledNanos += possiblyBilledNanos;
      t.calls += 1;
    }
    // keep a few periods only
    for (const m of [b.days, b.months]) while (m.size > 3) m.delete(m.keys().next().value as string);
  }

  async release(ns: Namespace, id: string): Promise<void> {
    this.book(ns).held.delete(id);
  }

  async totals(ns: Namespace, now = Date.now()): Promise<SpendTotals> {
    const b = this.book(ns);
    const copy = (t: PeriodTally | undefined): PeriodTally => ({ billedNanos: 0, possiblyBilledNanos: 0, calls: 0, refusals: 0, ...t });
    return { today: copy(b.days.get(dayOf(now))), month: copy(b.months.get(monthOf(now))), reservedNanos: this.heldNanos(b, now) };
  }

  async acquireSlot(account: string, limits: SlotLimits): Promise<SlotResult> {
    const now = Date.now();
    let s = this.slots.get(account);
    if (!s) this.slots.set(account, (s = { held: new Map(), starts: [] }));
    for (const [id, exp] of s.held) if (exp <= now) s.held.delete(id);
    while (s.starts.length > 0 && s.starts[0]! <= now - 60_000) s.starts.shift();
    if (s.held.size >= limits.maxInFlight) return { ok: false, retryMs: 5 };
    if (s.starts.length >= limits.ratePerMinute) return { ok: false, retryMs: Math.max(1, s.starts[0]! + 60_000 - now) };
    const id = randomId(9);
    s.held.set(id, now + limits.leaseMs);
    s.starts.push(now);
    return { ok: true, id };
  }

  async renewSlot(account: string, id: string, leaseMs: number): Promise<void> {
    const s = this.slots.get(account);
    if (s?.held.has(id)) s.held.set(id, Date.now() + leaseMs);
  }

  async releaseSlot(account: string, id: string): Promise<void> {
    this.slots.get(account)?.held.delete(id);
  }

  async close(): Promise<void> {}
}

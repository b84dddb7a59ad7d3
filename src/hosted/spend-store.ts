// The SpendStore of one tenant in hosted mode: the spend protocol's account caps (here the tenant's
// daily and monthly caps) kept in the HostedState, so every replica reserves against the same totals
// atomically. The `account` the protocol passes is the account hash; the tenant is fixed per store.
import type { Reservation, ReserveResult, Settlement, SpendCaps, SpendStore, SpendTotals } from "../state/spend-store.js";
import { dayOf, monthOf, type HostedState, type PeriodTally } from "./state.js";

function nextDayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

function nextMonthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export class HostedSpendStore implements SpendStore {
  constructor(
    private readonly state: HostedState,
    private readonly tenant: string,
    /** How long a hold counts if its call is never settled (its replica died). */
    private readonly holdTtlMs: number,
  ) {}

  async reserve(account: string, estimateNanos: number, caps: SpendCaps, now = Date.now()): Promise<ReserveResult> {
    const r = await this.state.reserve({ tenant: this.tenant, account }, estimateNanos, caps, this.holdTtlMs, now);
    if (r.ok) return { ok: true, reservation: { id: r.id, account, estimateNanos, expiresAt: now + this.holdTtlMs } };
    return {
      ok: false,
      cap: r.cap,
      spentNanos: r.spentNanos,
      reservedNanos: r.reservedNanos,
      capNanos: r.capNanos,
      estimateNanos,
      resetsAt: r.cap === "daily" ? nextDayStart(now) : nextMonthStart(now),
    };
  }

  async settle(reservation: Reservation, outcome: Settlement, now = Date.now()): Promise<void> {
    await this.state.settle({ tenant: this.tenant, account: reservation.account }, reservation.id, outcome.billedNanos, outcome.possiblyBilledNanos, now);
  }

  async release(reservation: Reservation): Promise<void> {
    await this.state.release({ tenant: this.tenant, account: reservation.account }, reservation.id);
  }

  async totals(account: string, now = Date.now()): Promise<SpendTotals> {
    const t = await this.state.totals({ tenant: this.tenant, account }, now);
    const period = (p: PeriodTally, period: string, resetsAt: number) => ({ period, ...p, reservedNanos: t.reservedNanos, resetsAt });
    return { today: period(t.today, dayOf(now), nextDayStart(now)), month: period(t.month, monthOf(now), nextMonthStart(now)) };
  }

  /** The state is shared by every tenant and closed with the server. */
  async close(): Promise<void> {}
}

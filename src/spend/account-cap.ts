// The daily and monthly caps of a DataForSEO account, kept in a SpendStore that outlives the process
// and is shared by every server on the account, seen through the SpendCap interface of the spend
// protocol. When no daily or monthly cap is set nothing is held: the outcome is only recorded (a failure
// to write is logged, not fatal). When one is set and the store cannot be used, calls are refused: a cap
// that cannot be checked must not be passed.
import type { CapRefusal, SpendCap } from "./budget.js";
import { formatUsd } from "./pricing.js";
import { fromNanos, toNanos } from "./units.js";
import { randomId } from "../state/random-id.js";
import type { Reservation, SpendCaps, SpendStore } from "../state/spend-store.js";

export interface AccountCapOptions {
  store: SpendStore;
  /** accountKey(...) of the DataForSEO login. */
  account: string;
  caps: SpendCaps;
  /** Where the caps are set, for the refusal. */
  capNames?: CapNames;
  tool: string;
  /** Settlements still being written (close() waits for them). */
  pending: Set<Promise<unknown>>;
  log: (line: string) => void;
}

/** Where the daily and monthly caps are set: environment variables, or a hosted tenant's entry. */
export interface CapNames {
  daily: string;
  monthly: string;
}

export const ENV_CAP_NAMES: CapNames = { daily: "DATAFORSEO_DAILY_MAX_COST_USD", monthly: "DATAFORSEO_MONTHLY_MAX_COST_USD" };

/** A hosted tenant's caps live in the tenants file, which only the operator can change. */
export const TENANT_CAP_NAMES: CapNames = {
  daily: "this tenant's daily_usd in the server's tenants file",
  monthly: "this tenant's monthly_usd in the server's tenants file",
};

function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function afterAnswer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function accountCap(o: AccountCapOptions): SpendCap {
  const enforced = o.caps.dailyNanos !== undefined || o.caps.monthlyNanos !== undefined;
  const track = (p: Promise<unknown>) => {
    const tracked = p.catch((err: unknown) => o.log(`spend ledger: ${err instanceof Error ? err.message : String(err)}`));
    o.pending.add(tracked);
    void tracked.finally(() => o.pending.delete(tracked));
  };
  // The ledger write starts once the answer to this call has been written (setImmediate runs after the
  // work the response set off): it is tracked from now on, so close() still waits for it.
  const settleInto = (reservation: Reservation) => (outcome: { billedUsd: number; possiblyBilledUsd: number }) =>
    track(
      afterAnswer().then(() =>
        o.store.settle(reservation, { tool: o.tool, billedNanos: toNanos(outcome.billedUsd), possiblyBilledNanos: toNanos(outcome.possiblyBilledUsd) }),
      ),
    );
  return {
    name: "account",
    async reserve(estimateUsd) {
      if (!enforced) {
        // No daily or monthly cap: nothing to hold, only the outcome to record (one ledger write a call, not two).
        const id = `u${randomId(8, "hex")}`;
        return { ok: true, settle: settleInto({ id, account: o.account, estimateNanos: 0, expiresAt: Date.now() }) };
      }
      const estimateNanos = toNanos(estimateUsd);
      let result;
      try {
        result = await o.store.reserve(o.account, estimateNanos, o.caps);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        const refusal: CapRefusal = {
          cap: "ledger",
          message: `Refused, nothing was sent: the daily/monthly caps cannot be checked because the spend ledger is unavailable (${why}). Check DATAFORSEO_STATE_DIR is writable.`,
          capUsd: 0,
          committedUsd: 0,
          reservedUsd: 0,
          estimateUsd,
          remainingUsd: 0,
        };
        return { ok: false, refusal };
      }
      if (!result.ok) {
        const name = result.cap === "daily" ? "Daily" : "Monthly";
        const period = result.cap === "daily" ? "today (UTC)" : "this month (UTC)";
        const inFlight = result.reservedNanos > 0 ? ` plus ${formatUsd(fromNanos(result.reservedNanos))} held for calls still running,` : "";
        const refusal: CapRefusal = {
          cap: result.cap,
          message:
            `${name} cap reached, nothing was sent: this call may cost up to ${formatUsd(estimateUsd)}; ` +
            `${formatUsd(fromNanos(result.spentNanos))} was spent ${period} on this DataForSEO account (every server, billed + possibly billed),${inFlight} ` +
            `of the ${formatUsd(fromNanos(result.capNanos))} cap (${(o.capNames ?? ENV_CAP_NAMES)[result.cap]}). It resets at ${when(result.resetsAt)}.`,
          capUsd: fromNanos(result.capNanos),
          committedUsd: fromNanos(result.spentNanos),
          reservedUsd: fromNanos(result.reservedNanos),
          estimateUsd,
          remainingUsd: Math.max(0, fromNanos(result.capNanos - result.spentNanos - result.reservedNanos)),
        };
        return { ok: false, refusal };
      }
      return { ok: true, settle: settleInto(result.reservation) };
    },
  };
}

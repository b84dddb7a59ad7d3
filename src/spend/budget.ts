import type { Ledger } from "./ledger.js";
import { formatUsd } from "./pricing.js";
import { assertAmount, fromNanos, toNanos } from "./units.js";

export interface BudgetDecision {
  ok: boolean;
  spentUsd: number;
  estimateUsd: number;
  capUsd?: number;
  remainingUsd?: number;
  message?: string;
}

/**
 * Spending cap for this process. Amounts are compared in whole 1e-9 USD
 * units, so "spent + estimate == cap" is allowed and one unit more is not.
 */
export class Budget {
  readonly #capNanos: number | undefined;
  readonly #capUsd: number | undefined;
  readonly #ledger: Ledger;
  #reservedNanos = 0;

  constructor(capUsd: number | undefined, ledger: Ledger) {
    if (capUsd !== undefined) assertAmount(capUsd, "capUsd");
    this.#capUsd = capUsd;
    this.#capNanos = capUsd === undefined ? undefined : toNanos(capUsd);
    this.#ledger = ledger;
  }

  get capUsd(): number | undefined {
    return this.#capUsd;
  }

  /** Estimates of calls still in flight. */
  get reservedUsd(): number {
    return fromNanos(this.#reservedNanos);
  }

  /** May a call costing at most `estimateUsd` be sent now? Counts calls in flight. */
  check(estimateUsd: number): BudgetDecision {
    assertAmount(estimateUsd, "estimateUsd");
    const spentNanos = this.#ledger.spentNanos;
    const spentUsd = fromNanos(spentNanos);
    if (this.#capNanos === undefined) return { ok: true, spentUsd, estimateUsd };
    const estimateNanos = toNanos(estimateUsd);
    const committed = spentNanos + this.#reservedNanos;
    const remainingNanos = Math.max(0, this.#capNanos - committed);
    const decision: BudgetDecision = {
      ok: committed + estimateNanos <= this.#capNanos,
      spentUsd,
      estimateUsd,
      capUsd: this.#capUsd,
      remainingUsd: fromNanos(remainingNanos),
    };
    if (!decision.ok) decision.message = this.#refusal(spentNanos, estimateNanos, remainingNanos);
    return decision;
  }

  /**
   * Holds `estimateUsd` against the cap until the returned function is called
   * (call it once the real cost is in the ledger). Releasing twice is harmless.
   */
  reserve(estimateUsd: number): () => void {
    assertAmount(estimateUsd, "estimateUsd");
    const nanos = toNanos(estimateUsd);
    this.#reservedNanos += nanos;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#reservedNanos -= nanos;
    };
  }

  /** check() and reserve() in one step: the reservation exists only when ok. */
  tryReserve(estimateUsd: number): { decision: BudgetDecision; release?: () => void } {
    const decision = this.check(estimateUsd);
    return decision.ok ? { decision, release: this.reserve(estimateUsd) } : { decision };
  }

  #refusal(spentNanos: number, estimateNanos: number, remainingNanos: number): string {
    const cap = formatUsd(this.#capUsd ?? 0);
    const inFlight = this.#reservedNanos > 0 ? ` (plus up to ${formatUsd(fromNanos(this.#reservedNanos))} held for calls still running)` : "";
    return (
      `Budget cap reached, nothing was sent: this call may cost up to ${formatUsd(fromNanos(estimateNanos))}, ` +
      `${formatUsd(fromNanos(spentNanos))} spent so far${inFlight}, ${formatUsd(fromNanos(remainingNanos))} left of the ${cap} cap. ` +
      `To continue, ask for fewer rows, raise DATAFORSEO_MAX_COST_USD (now ${cap}) or restart the server to reset the running total.`
    );
  }
}

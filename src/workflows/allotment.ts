// A workflow that makes several calls holds their whole worst case against the process budget first,
// then lets each call draw its share from that hold. fetchPage reserves on deps.budget; this Budget's
// reservations come out of the hold (so the calls are never refused half way and nothing is counted
// twice), and anything beyond the hold goes to the real budget as usual.
import { Budget, type BudgetDecision, type CapDecision } from "../spend/budget.js";
import type { Ledger } from "../spend/ledger.js";
import { fromNanos, toNanos } from "../spend/units.js";

export class Allotment extends Budget {
  #leftNanos: number;
  readonly #real: Budget;
  readonly #releaseHold: () => void;

  private constructor(real: Budget, ledger: Ledger, totalNanos: number, releaseHold: () => void) {
    super(undefined, ledger);
    this.#real = real;
    this.#leftNanos = totalNanos;
    this.#releaseHold = releaseHold;
  }

  /** Holds `totalUsd` against `real` when it fits; otherwise returns the real budget's refusal. */
  static take(real: Budget, ledger: Ledger, totalUsd: number): Allotment | BudgetDecision {
    const { decision, release } = real.tryReserve(totalUsd);
    if (!decision.ok || !release) return decision;
    return new Allotment(real, ledger, toNanos(totalUsd), release);
  }

  override get capUsd(): number | undefined {
    return this.#real.capUsd;
  }

  override check(estimateUsd: number): BudgetDecision {
    if (toNanos(estimateUsd) <= this.#leftNanos) return { ok: true, spentUsd: 0, estimateUsd, remainingUsd: fromNanos(this.#leftNanos) };
    return this.#real.check(estimateUsd);
  }

  override hold(estimateUsd: number): () => void {
    const nanos = toNanos(estimateUsd);
    if (nanos > this.#leftNanos) return this.#real.hold(estimateUsd);
    this.#leftNanos -= nanos;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#leftNanos += nanos;
    };
  }

  override tryReserve(estimateUsd: number): { decision: BudgetDecision; release?: () => void } {
    const decision = this.check(estimateUsd);
    return decision.ok ? { decision, release: this.hold(estimateUsd) } : { decision };
  }

  override reserve(estimateUsd: number): CapDecision {
    if (toNanos(estimateUsd) > this.#leftNanos) return this.#real.reserve(estimateUsd);
    const release = this.hold(estimateUsd);
    // The cost is in the ledger by the time the call settles; the real budget reads it from there.
    return { ok: true, settle: () => release() };
  }

  /** Gives the hold back to the real budget (the calls' costs are in the ledger by then). */
  close(): void {
    this.#releaseHold();
  }
}

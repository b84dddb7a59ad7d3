import type { Ledger } from "./ledger.js";
import { formatUsd } from "./pricing.js";
import { assertAmount, fromNanos, toNanos } from "./units.js";

export interface BudgetDecision {
  ok: boolean;
  /** Billed + possibly billed so far. */
  spentUsd: number;
  estimateUsd: number;
  capUsd?: number;
  remainingUsd?: number;
  message?: string;
}

/** Why a cap refused a call; nothing was sent. */
export interface CapRefusal {
  /** The cap that refused: "budget" for the per-process cap, or a cap's own name ("daily", …). */
  cap: string;
  /** A sentence for the user: the amounts and how to go on. */
  message: string;
  capUsd: number;
  /** Billed + possibly billed counted by this cap. */
  committedUsd: number;
  /** Held for calls still running. */
  reservedUsd: number;
  estimateUsd: number;
  remainingUsd: number;
}

/** What a call finally cost, handed to every cap when its reservation ends. */
export interface Settlement {
  billedUsd: number;
  possiblyBilledUsd: number;
}

export type CapDecision = { ok: true; settle(outcome: Settlement): void } | { ok: false; refusal: CapRefusal };

/**
 * One spending cap. reserve() holds `estimateUsd` against the cap or refuses; the holder calls
 * settle() exactly once with what the call cost (billed and possibly billed), which ends the
 * hold. A persistent cap records the settlement itself; the process Budget reads its Ledger.
 * May answer asynchronously (a cap kept in Redis or a file).
 */
export interface SpendCap {
  readonly name: string;
  reserve(estimateUsd: number): CapDecision | Promise<CapDecision>;
}

/**
 * Spending cap for this process. It counts billed + possibly billed amounts from the ledger plus
 * the estimates of calls in flight. Amounts are compared in whole 1e-9 USD units, so
 * "committed + estimate == cap" is allowed and one unit more is not.
 */
export class Budget implements SpendCap {
  readonly name = "budget";
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

  /** Estimates of calls in flight. */
  get reservedUsd(): number {
    return fromNanos(this.#reservedNanos);
  }

  /** May a call costing at most `estimateUsd` be sent now? Counts possibly billed calls and calls in flight. */
  check(estimateUsd: number): BudgetDecision {
    assertAmount(estimateUsd, "estimateUsd");
    const spentNanos = this.#ledger.committedNanos;
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
    if (!decision.ok) decision.message = this.#refusal(estimateNanos, remainingNanos);
    return decision;
  }

  /**
   * Holds `estimateUsd` against the cap until the returned function is called
   * (call it once the real cost is in the ledger). Releasing twice is harmless.
   */
  hold(estimateUsd: number): () => void {
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

  /** check() and hold() in one step: the reservation exists only when ok. */
  tryReserve(estimateUsd: number): { decision: BudgetDecision; release?: () => void } {
    const decision = this.check(estimateUsd);
    return decision.ok ? { decision, release: this.hold(estimateUsd) } : { decision };
  }

  /** The SpendCap form of tryReserve (the settlement is already in the ledger, so it only ends the hold). */
  reserve(estimateUsd: number): CapDecision {
    const { decision, release } = this.tryReserve(estimateUsd);
    if (decision.ok && release) return { ok: true, settle: () => release() };
    const capUsd = this.#capUsd ?? 0;
    return {
      ok: false,
      refusal: {
        cap: this.name,
        message: decision.message ?? "budget cap reached",
        capUsd,
        committedUsd: decision.spentUsd,
        reservedUsd: this.reservedUsd,
        estimateUsd,
        remainingUsd: decision.remainingUsd ?? 0,
      },
    };
  }

  #refusal(estimateNanos: number, remainingNanos: number): string {
    const cap = formatUsd(this.#capUsd ?? 0);
    const billed = this.#ledger.spentNanos;
    const possible = this.#ledger.possiblyBilledNanos;
    const maybe = possible > 0 ? ` (plus up to ${formatUsd(fromNanos(possible))} possibly billed by calls whose outcome is unknown)` : "";
    const inFlight = this.#reservedNanos > 0 ? ` (plus up to ${formatUsd(fromNanos(this.#reservedNanos))} held for calls still running)` : "";
    return (
      `Budget cap reached, nothing was sent: this call may cost up to ${formatUsd(fromNanos(estimateNanos))}, ` +
      `${formatUsd(fromNanos(billed))} spent so far${maybe}${inFlight}, ${formatUsd(fromNanos(remainingNanos))} left of the ${cap} cap. ` +
      `To continue, ask for fewer rows, raise DATAFORSEO_MAX_COST_USD (now ${cap}) or restart the server to reset the running total.`
    );
  }
}

/**
 * A cap on one call's worst case (a hosted tenant's per-call cap): refuses any call whose estimate, at
 * the highest price known, is above it. It holds nothing, since no two calls share it.
 */
export function perCallCap(capUsd: number): SpendCap {
  return {
    name: "per_call",
    reserve(estimateUsd: number): CapDecision {
      if (toNanos(estimateUsd) <= toNanos(capUsd)) return { ok: true, settle: () => undefined };
      return {
        ok: false,
        refusal: {
          cap: "per_call",
          message:
            `This call may cost up to ${formatUsd(estimateUsd)}, more than this tenant's per-call cap of ${formatUsd(capUsd)}; nothing was sent. ` +
            "Ask for fewer rows (a smaller limit), or ask the server's operator to raise the cap.",
          capUsd,
          committedUsd: 0,
          reservedUsd: 0,
          estimateUsd,
          remainingUsd: capUsd,
        },
      };
    },
  };
}

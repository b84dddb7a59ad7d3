import { assertAmount, fromNanos, toNanos } from "./units.js";

/** The largest single amount the ledger accepts (USD); far above anything one call can cost. */
export const MAX_ENTRY_USD = 1_000_000;

export interface LedgerTotals {
  /** Every tool call seen: sent, served from cache, refused or failed. */
  calls: number;
  /** Calls that went to DataForSEO (successful or not). */
  upstreamCalls: number;
  /** Calls answered from the response cache at $0. */
  cachedCalls: number;
  /** Calls refused by a cap; nothing was sent. */
  refusedCalls: number;
  /** Recorded calls that ended in an error (upstream or cached: never both). */
  failedCalls: number;
  /** What DataForSEO reported as billed. */
  spentUsd: number;
  /** Worst-case estimates of calls whose outcome is unknown (not reconciled yet). */
  possiblyBilledUsd: number;
  /** Calls still counted as possibly billed. */
  possiblyBilledCalls: number;
  /** spentUsd + possiblyBilledUsd: what counts against caps. */
  committedUsd: number;
  /** Refusals by the cap that refused ("budget" for the process cap, or a cap's own name). */
  refusalsByKind: Record<string, number>;
  /** Failed calls by error kind (UpstreamError kinds, or "unknown"). */
  failuresByKind: Record<string, number>;
  byTool: Record<string, { calls: number; spentUsd: number; possiblyBilledUsd: number }>;
}

interface ToolTally {
  calls: number;
  nanos: bigint;
  possible: bigint;
}

/** A possibly billed amount held in the ledger until reconcile() says what it really cost. */
export interface PossibleCharge {
  readonly tool: string;
  /** The estimate it was recorded at (raise() may have raised the amount held since). */
  readonly estimateUsd: number;
}

interface OpenCharge extends PossibleCharge {
  nanos: bigint;
  open: boolean;
}

function checkedNanos(usd: number, what: string): bigint {
  assertAmount(usd, what);
  if (usd > MAX_ENTRY_USD) throw new RangeError(`${what} must be at most ${MAX_ENTRY_USD} USD, got ${String(usd)}`);
  return BigInt(toNanos(usd));
}

function sorted<V>(map: Map<string, V>): Array<[string, V]> {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Running cost and call counts for this server process. Amounts are exact nano-dollar
 * integers (bigint, so no total can overflow). Billed amounts (reported by DataForSEO) and
 * possibly billed ones (calls whose outcome is unknown, at their estimate) are kept apart;
 * both count against caps (committedNanos).
 */
export class Ledger {
  #billed = 0n;
  #possible = 0n;
  #possibleCalls = 0;
  #calls = 0;
  #upstream = 0;
  #cached = 0;
  #refused = 0;
  #failed = 0;
  readonly #byTool = new Map<string, ToolTally>();
  readonly #refusals = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  readonly #charges = new WeakSet<PossibleCharge>();

  /**
   * Records a finished call with the cost DataForSEO reported (0 when cached, errored at no
   * cost, or unknown: use possiblyBilled for those). `kind` names the failure when ok is false.
   * Throws RangeError (and records nothing) for a cost that is not finite, negative or above
   * MAX_ENTRY_USD.
   */
  record(entry: { tool: string; costUsd: number; cached: boolean; ok: boolean; kind?: string }): void {
    const nanos = checkedNanos(entry.costUsd, "costUsd");
    this.#billed += nanos;
    this.#count(entry.tool, entry.cached, entry.ok, entry.kind);
    this.#tally(entry.tool).nanos += nanos;
  }

  /**
   * Records a call sent to DataForSEO whose outcome is unknown: its estimate counts as possibly
   * billed until reconcile() replaces it with the true cost. Counts as a failed upstream call.
   */
  possiblyBilled(entry: { tool: string; estimateUsd: number; kind?: string }): PossibleCharge {
    const nanos = checkedNanos(entry.estimateUsd, "estimateUsd");
    this.#possible += nanos;
    this.#possibleCalls += 1;
    this.#count(entry.tool, false, false, entry.kind ?? "unknown");
    this.#tally(entry.tool).possible += nanos;
    const charge: OpenCharge = { tool: entry.tool, estimateUsd: entry.estimateUsd, nanos, open: true };
    this.#charges.add(charge);
    return charge;
  }

  /**
   * Replaces a possibly billed amount with what the call really cost (0 when it was not
   * billed). Returns false, changing nothing, when the charge is unknown to this ledger or
   * already reconciled. Throws RangeError for an invalid cost.
   */
  reconcile(charge: PossibleCharge, costUsd: number): boolean {
    const nanos = checkedNanos(costUsd, "costUsd");
    const open = charge as OpenCharge;
    const tally = this.#byTool.get(charge.tool);
    if (!this.#charges.has(charge) || !open.open || !tally) return false;
    open.open = false;
    this.#possible -= open.nanos;
    this.#possibleCalls -= 1;
    this.#billed += nanos;
    tally.possible -= open.nanos;
    tally.nanos += nanos;
    return true;
  }

  /**
   * Raises an open possibly billed amount to a new worst case (when a higher price has been
   * learned since it was recorded). Never lowers it; returns whether it changed anything.
   */
  raise(charge: PossibleCharge, estimateUsd: number): boolean {
    const nanos = checkedNanos(estimateUsd, "estimateUsd");
    const open = charge as OpenCharge;
    const tally = this.#byTool.get(charge.tool);
    if (!this.#charges.has(charge) || !open.open || !tally || nanos <= open.nanos) return false;
    const more = nanos - open.nanos;
    open.nanos = nanos;
    this.#possible += more;
    tally.possible += more;
    return true;
  }

  /** Whether a possibly billed charge is still open (not reconciled). */
  isOpen(charge: PossibleCharge): boolean {
    return this.#charges.has(charge) && (charge as OpenCharge).open;
  }

  /** Records a call a cap refused before anything was sent; `kind` names the cap. */
  refused(tool: string, kind = "budget"): void {
    this.#calls += 1;
    this.#refused += 1;
    this.#refusals.set(kind, (this.#refusals.get(kind) ?? 0) + 1);
    this.#tally(tool).calls += 1;
  }

  /** What DataForSEO reported as billed, in USD. */
  get spentUsd(): number {
    return fromNanos(Number(this.#billed));
  }

  /** What DataForSEO reported as billed, in 1e-9 USD units. */
  get spentNanos(): number {
    return Number(this.#billed);
  }

  get possiblyBilledUsd(): number {
    return fromNanos(Number(this.#possible));
  }

  get possiblyBilledNanos(): number {
    return Number(this.#possible);
  }

  /** Billed + possibly billed, in 1e-9 USD units: what counts against caps. */
  get committedNanos(): number {
    return Number(this.#billed + this.#possible);
  }

  get committedUsd(): number {
    return fromNanos(this.committedNanos);
  }

  totals(): LedgerTotals {
    const byTool: LedgerTotals["byTool"] = {};
    for (const [tool, t] of sorted(this.#byTool)) {
      byTool[tool] = { calls: t.calls, spentUsd: fromNanos(Number(t.nanos)), possiblyBilledUsd: fromNanos(Number(t.possible)) };
    }
    return {
      calls: this.#calls,
      upstreamCalls: this.#upstream,
      cachedCalls: this.#cached,
      refusedCalls: this.#refused,
      failedCalls: this.#failed,
      spentUsd: this.spentUsd,
      possiblyBilledUsd: this.possiblyBilledUsd,
      possiblyBilledCalls: this.#possibleCalls,
      committedUsd: this.committedUsd,
      refusalsByKind: Object.fromEntries(sorted(this.#refusals)),
      failuresByKind: Object.fromEntries(sorted(this.#failures)),
      byTool,
    };
  }

  #count(tool: string, cached: boolean, ok: boolean, kind: string | undefined): void {
    this.#calls += 1;
    if (cached) this.#cached += 1;
    else this.#upstream += 1;
    if (!ok) {
      this.#failed += 1;
      const k = kind ?? "unknown";
      this.#failures.set(k, (this.#failures.get(k) ?? 0) + 1);
    }
    this.#tally(tool).calls += 1;
  }

  #tally(tool: string): ToolTally {
    let tally = this.#byTool.get(tool);
    if (!tally) {
      tally = { calls: 0, nanos: 0n, possible: 0n };
      this.#byTool.set(tool, tally);
    }
    return tally;
  }
}

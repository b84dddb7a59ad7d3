import { assertAmount, fromNanos, toNanos } from "./units.js";

export interface LedgerTotals {
  /** Every tool call seen: sent, served from cache, refused or failed. */
  calls: number;
  /** Calls that went to DataForSEO (successful or not). */
  upstreamCalls: number;
  /** Calls answered from the response cache at $0. */
  cachedCalls: number;
  /** Calls refused by the budget cap; nothing was sent. */
  refusedCalls: number;
  /** Recorded calls that ended in an error (upstream or cached: never both). */
  failedCalls: number;
  spentUsd: number;
  byTool: Record<string, { calls: number; spentUsd: number }>;
}

interface ToolTally {
  calls: number;
  nanos: number;
}

/** Running cost and call counts for this server process. */
export class Ledger {
  #nanos = 0;
  #calls = 0;
  #upstream = 0;
  #cached = 0;
  #refused = 0;
  #failed = 0;
  readonly #byTool = new Map<string, ToolTally>();

  /** Records a finished call with the cost DataForSEO reported (0 when cached or errored). */
  record(entry: { tool: string; costUsd: number; cached: boolean; ok: boolean }): void {
    assertAmount(entry.costUsd, "costUsd");
    const nanos = toNanos(entry.costUsd);
    this.#nanos += nanos;
    this.#calls += 1;
    if (entry.cached) this.#cached += 1;
    else this.#upstream += 1;
    if (!entry.ok) this.#failed += 1;
    const tally = this.#tally(entry.tool);
    tally.calls += 1;
    tally.nanos += nanos;
  }

  /** Records a call the budget refused before anything was sent. */
  refused(tool: string): void {
    this.#calls += 1;
    this.#refused += 1;
    this.#tally(tool).calls += 1;
  }

  get spentUsd(): number {
    return fromNanos(this.#nanos);
  }

  /** Exact running total in 1e-9 USD units. */
  get spentNanos(): number {
    return this.#nanos;
  }

  totals(): LedgerTotals {
    const byTool: LedgerTotals["byTool"] = {};
    for (const [tool, t] of [...this.#byTool].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      byTool[tool] = { calls: t.calls, spentUsd: fromNanos(t.nanos) };
    }
    return {
      calls: this.#calls,
      upstreamCalls: this.#upstream,
      cachedCalls: this.#cached,
      refusedCalls: this.#refused,
      failedCalls: this.#failed,
      spentUsd: this.spentUsd,
      byTool,
    };
  }

  #tally(tool: string): ToolTally {
    let tally = this.#byTool.get(tool);
    if (!tally) {
      tally = { calls: 0, nanos: 0 };
      this.#byTool.set(tool, tally);
    }
    return tally;
  }
}

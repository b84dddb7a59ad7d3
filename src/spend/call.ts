// The spend protocol: the one way a paid call is made, so every caller obeys the same rules.
//
//   wait for the call's turn: until a response has confirmed a function's price, its calls go
//     one at a time (PriceBook.admit), so a higher price is learned from one call, not a burst
//   → estimate at the highest price known (PriceBook)
//   → reserve the estimate against every cap (refuse with the amounts if one would be passed)
//   → send
//   → success: learn the price from the reported cost, record it as billed
//   → failure: billing "billed" → record the reported cost; "unknown" → record the worst case
//     (the estimate, or more if a higher price was learned meanwhile) as possibly billed: it counts
//     against caps until reconciled; "none" → record $0
//   → settle every reservation with what was recorded.
// When a response shows a price rise, open possibly billed charges of calls that may have run at
// the new price (they failed after the latest old-price call was sent) rise to the new worst case.
// A call cancelled while waiting for its turn sends and records nothing.
import type { CallSuccess, TaskResult } from "../dataforseo/client.js";
import { UpstreamError } from "../dataforseo/errors.js";
import type { CapRefusal, Settlement, SpendCap } from "./budget.js";
import { MAX_ENTRY_USD, type Ledger, type PossibleCharge } from "./ledger.js";
import type { PriceBook } from "./pricing.js";

export interface SpendContext {
  prices: PriceBook;
  ledger: Ledger;
  /** Every cap that applies, checked in order (the process Budget, later daily/monthly ones). */
  caps: readonly SpendCap[];
}

export interface PaidCall {
  /** Tool name, for the ledger. */
  tool: string;
  /** API function the price list knows it by ("backlinks", "summary", "referring_domains", …). */
  fn: string;
  /** Most rows the call can be billed for. */
  rows: number;
  /** Cancels the wait for the call's turn (send() gets its own signal from the caller). */
  signal?: AbortSignal;
}

/** What send() hands back on success: the value, the cost DataForSEO reported, the rows billed. */
export interface Delivered<T> {
  value: T;
  costUsd: number;
  /** Rows the task was billed for; count low when unsure (see PriceBook.learn). */
  rows: number;
}

export type SpendResult<T> =
  | { status: "paid"; value: T; costUsd: number; estimateUsd: number }
  | { status: "refused"; refusal: CapRefusal; estimateUsd: number }
  | {
      status: "failed";
      error: UpstreamError;
      /** Recorded as billed (DataForSEO's reported cost). */
      billedUsd: number;
      /** Recorded as possibly billed (the estimate, when the outcome is unknown). */
      possiblyBilledUsd: number;
      estimateUsd: number;
      /** The ledger entry to reconcile when the true cost becomes known. */
      charge?: PossibleCharge;
    };

/** Rows a task was billed for, counted low: the length of result[0].items, else 0. */
export function billedRows(task: TaskResult): number {
  const first = task.result?.[0] as { items?: unknown } | undefined;
  return first && Array.isArray(first.items) ? first.items.length : 0;
}

/** The Delivered form of a client success. */
export function delivered(success: CallSuccess): Delivered<CallSuccess> {
  return { value: success, costUsd: success.cost, rows: billedRows(success.task) };
}

/**
 * Per ledger and function: possibly billed charges still open (with when their call failed), and
 * when the latest call whose cost confirmed the known prices was sent. A price rise happened
 * after that call was sent, so a call that failed before that moment ran at the old price.
 */
interface OpenState {
  charges: Array<{ charge: PossibleCharge; rows: number; failedAt: number }>;
  quietSentAt: number;
}
const OPEN_LIMIT = 1000;
const openState = new WeakMap<Ledger, Map<string, OpenState>>();

function stateOf(ctx: SpendContext, fn: string): OpenState {
  let byFn = openState.get(ctx.ledger);
  if (!byFn) {
    byFn = new Map();
    openState.set(ctx.ledger, byFn);
  }
  let state = byFn.get(fn);
  if (!state) {
    state = { charges: [], quietSentAt: -Infinity };
    byFn.set(fn, state);
  }
  return state;
}

function keepOpen(ctx: SpendContext, call: PaidCall, charge: PossibleCharge): void {
  const list = stateOf(ctx, call.fn).charges;
  list.push({ charge, rows: call.rows, failedAt: performance.now() });
  if (list.length > OPEN_LIMIT) list.splice(0, list.length - OPEN_LIMIT);
}

/**
 * After a cost was learned. When it raised the price, a call whose outcome is unknown and that
 * failed after the latest price-confirming call was sent may have been billed at the new price:
 * its possibly billed amount rises to the new worst case. Reconciled charges are dropped.
 */
function afterLearn(ctx: SpendContext, fn: string, rose: boolean, sentAt: number): void {
  const state = stateOf(ctx, fn);
  if (!rose) {
    state.quietSentAt = Math.max(state.quietSentAt, sentAt);
    return;
  }
  const list = state.charges;
  for (let i = list.length - 1; i >= 0; i--) {
    const { charge, rows, failedAt } = list[i];
    if (!ctx.ledger.isOpen(charge)) list.splice(i, 1);
    else if (failedAt > state.quietSentAt) ctx.ledger.raise(charge, ctx.prices.estimate(fn, rows));
  }
}

function validCost(usd: unknown): usd is number {
  return typeof usd === "number" && Number.isFinite(usd) && usd >= 0 && usd <= MAX_ENTRY_USD;
}

async function reserveAll(caps: readonly SpendCap[], estimateUsd: number): Promise<{ settle: Array<(s: Settlement) => void> } | { refusal: CapRefusal }> {
  const held: Array<(s: Settlement) => void> = [];
  const undo = () => {
    for (const settle of held) settle({ billedUsd: 0, possiblyBilledUsd: 0 });
  };
  for (const cap of caps) {
    let decision;
    try {
      decision = await cap.reserve(estimateUsd);
    } catch {
      undo();
      return {
        refusal: {
          cap: cap.name,
          message: `The ${cap.name} spending cap could not be checked, so nothing was sent; try again shortly.`,
          capUsd: 0,
          committedUsd: 0,
          reservedUsd: 0,
          estimateUsd,
          remainingUsd: 0,
        },
      };
    }
    if (!decision.ok) {
      undo();
      return { refusal: decision.refusal };
    }
    held.push(decision.settle);
  }
  return { settle: held };
}

/**
 * Runs one paid call under the spend rules (see the top of this file). Never throws for an
 * UpstreamError or a bad cost: the outcome is in the result. send() should reject only with
 * UpstreamError; anything else is treated as an unknown outcome (possibly billed).
 */
export async function spendCall<T>(ctx: SpendContext, call: PaidCall, send: () => Promise<Delivered<T>>): Promise<SpendResult<T>> {
  let endTurn: () => void;
  try {
    endTurn = await ctx.prices.admit(call.fn, call.signal);
  } catch {
    const error = new UpstreamError({ kind: "cancelled", message: "the call was cancelled by the client", billing: "none" });
    return { status: "failed", error, billedUsd: 0, possiblyBilledUsd: 0, estimateUsd: 0 };
  }
  try {
    return await spendTurn(ctx, call, send);
  } finally {
    endTurn();
  }
}

async function spendTurn<T>(ctx: SpendContext, call: PaidCall, send: () => Promise<Delivered<T>>): Promise<SpendResult<T>> {
  const estimateUsd = ctx.prices.estimate(call.fn, call.rows);
  const reserved = await reserveAll(ctx.caps, estimateUsd);
  if ("refusal" in reserved) {
    ctx.ledger.refused(call.tool, reserved.refusal.cap);
    return { status: "refused", refusal: reserved.refusal, estimateUsd };
  }
  const settlement: Settlement = { billedUsd: 0, possiblyBilledUsd: 0 };
  try {
    let got: Delivered<T>;
    const sentAt = performance.now();
    try {
      got = await send();
    } catch (err) {
      const error =
        err instanceof UpstreamError
          ? err
          : new UpstreamError({ kind: "bad_response", message: "the call failed unexpectedly", retryable: true, billing: "unknown" });
      if (error.billing === "billed" && validCost(error.cost)) {
        const rose = Math.round(error.cost * 1e9) > ctx.prices.estimateNanos(call.fn, 0);
        ctx.prices.learn(call.fn, error.cost);
        if (rose) afterLearn(ctx, call.fn, true, sentAt);
        ctx.ledger.record({ tool: call.tool, costUsd: error.cost, cached: false, ok: false, kind: error.kind });
        settlement.billedUsd = error.cost;
        return { status: "failed", error, billedUsd: error.cost, possiblyBilledUsd: 0, estimateUsd };
      }
      if (error.billing === "none") {
        ctx.ledger.record({ tool: call.tool, costUsd: 0, cached: false, ok: false, kind: error.kind });
        return { status: "failed", error, billedUsd: 0, possiblyBilledUsd: 0, estimateUsd };
      }
      return possiblyBilled(ctx, call, error, estimateUsd, settlement);
    }
    if (!validCost(got.costUsd)) {
      const error = new UpstreamError({
        kind: "bad_response",
        message: `the reported cost ${String(got.costUsd).slice(0, 40)} is not a valid amount`,
        retryable: true,
        billing: "unknown",
      });
      return possiblyBilled(ctx, call, error, estimateUsd, settlement);
    }
    // A higher price shows as a cost above what the known prices give for the rows billed.
    const rose = Math.round(got.costUsd * 1e9) > ctx.prices.estimateNanos(call.fn, Math.max(0, got.rows));
    ctx.prices.learn(call.fn, got.costUsd, got.rows);
    afterLearn(ctx, call.fn, rose, sentAt);
    ctx.ledger.record({ tool: call.tool, costUsd: got.costUsd, cached: false, ok: true });
    settlement.billedUsd = got.costUsd;
    return { status: "paid", value: got.value, costUsd: got.costUsd, estimateUsd };
  } finally {
    for (const settle of reserved.settle) {
      try {
        settle(settlement);
      } catch {
        // a cap that fails to settle must not lose the call's result
      }
    }
  }
}

/** Records an unknown outcome at the call's worst case, which is at least its reservation. */
function possiblyBilled<T>(ctx: SpendContext, call: PaidCall, error: UpstreamError, estimateUsd: number, settlement: Settlement): SpendResult<T> {
  // A higher price may have been learned while the call was out.
  const worst = Math.max(estimateUsd, ctx.prices.estimate(call.fn, call.rows));
  const charge = ctx.ledger.possiblyBilled({ tool: call.tool, estimateUsd: worst, kind: error.kind });
  keepOpen(ctx, call, charge);
  settlement.possiblyBilledUsd = worst;
  return { status: "failed", error, billedUsd: 0, possiblyBilledUsd: worst, estimateUsd, charge };
}

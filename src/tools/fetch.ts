// One upstream page with the money around it: cache, identical calls shared, confirmation of big
// spends, then the spend protocol (src/spend/call.ts): estimate at the highest price known, reserve
// against every cap (this process, the account's day and month), send, record billed or possibly
// billed. Returns the task's result object or an error result.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { UpstreamError, describeError } from "../dataforseo/errors.js";
import { cacheKey } from "../spend/cache.js";
import { delivered, spendCall } from "../spend/call.js";
import { accountCap } from "../spend/account-cap.js";
import { perCallCap } from "../spend/budget.js";
import { formatUsd } from "../spend/pricing.js";
import type { Deps, Fetched } from "./deps.js";
import { errorResult, progressReporter, type Extra } from "./result.js";
import { confirmSpend } from "./confirm.js";

export interface PageRequest {
  /** Tool name, for the ledger. */
  tool: string;
  /** API function, for prices ("backlinks", "summary", …). */
  fn: string;
  path: string;
  task: Record<string, unknown>;
  /** The most rows the call can bill. */
  maxRows: number;
  /** What the caller agreed to spend (confirm_cost_usd), for calls above the confirmation threshold. */
  confirmedUsd?: number;
  /** What the money buys, for the confirmation question. */
  what: string;
}

export function spendMeta(deps: Deps, costUsd: number): Record<string, unknown> {
  return { cost_usd: costUsd, total_cost_usd: deps.ledger.spentUsd, possibly_billed_usd: deps.ledger.possiblyBilledUsd };
}

/**
 * What a cached result counts against the cache's bound: UTF-16 strings in memory take about twice their
 * JSON length, objects add overhead. The response body the result came from is longer than the result's
 * JSON, so its length serves without writing the result out again (a 100-row page took 0.26 ms to).
 */
function approxBytes(value: unknown, bodyChars: number | undefined): number {
  return (bodyChars ?? JSON.stringify(value).length) * 2 + 256;
}

export async function fetchPage(deps: Deps, req: PageRequest, extra: Extra | undefined): Promise<Fetched | CallToolResult> {
  const key = cacheKey(req.path, req.task, deps.credentialId);
  const hit = deps.cache.get(key);
  if (hit) {
    deps.ledger.record({ tool: req.tool, costUsd: 0, cached: true, ok: true });
    return { result: hit.value.result, costUsd: 0, source: "cache", cacheAgeMs: hit.ageMs };
  }
  // An identical call already on its way is shared instead of paid twice; it is aborted only when
  // every caller waiting for it has cancelled.
  let shared: { value: Fetched | CallToolResult; joined: boolean };
  try {
    shared = await deps.shared.run(key, (signal) => fetchUpstream(deps, req, key, extra, signal), extra?.signal);
  } catch (err) {
    if (err instanceof UpstreamError) return errorResult(describeError(err), spendMeta(deps, 0));
    throw err;
  }
  const { value, joined } = shared;
  if (!joined || "content" in value) return value;
  deps.ledger.record({ tool: req.tool, costUsd: 0, cached: true, ok: true });
  return { ...value, costUsd: 0, source: "cache", cacheAgeMs: 0 };
}

async function fetchUpstream(
  deps: Deps,
  req: PageRequest,
  key: string,
  extra: Extra | undefined,
  signal: AbortSignal,
): Promise<Fetched | CallToolResult> {
  if (!deps.client.hasCredentials) {
    return errorResult(
      "DataForSEO credentials are not set. Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (your API password from https://app.dataforseo.com/api-access) in the MCP server's env, or start the server with --demo to try it on synthetic data.",
    );
  }
  await deps.loadPrices();
  const unconfirmed = await confirmSpend(
    deps,
    { tool: req.tool, estimateUsd: deps.prices.estimate(req.fn, req.maxRows), confirmedUsd: req.confirmedUsd, what: req.what },
    extra,
  );
  if (unconfirmed) return unconfirmed;
  const report = progressReporter(extra);
  const stopHeartbeat = heartbeat(report);
  try {
    const caps = [
      ...(deps.perCallCapUsd === undefined ? [] : [perCallCap(deps.perCallCapUsd)]),
      deps.budget,
      accountCap({
        store: deps.spendStore,
        account: deps.account,
        caps: deps.accountCaps,
        capNames: deps.capNames,
        tool: req.tool,
        pending: deps.pendingWrites,
        log: (line) => deps.log("error", line),
      }),
    ];
    const outcome = await spendCall(
      { prices: deps.prices, ledger: deps.ledger, caps },
      { tool: req.tool, fn: req.fn, rows: req.maxRows, signal },
      async () => delivered(await deps.client.post(req.path, req.task, { signal, onProgress: report })),
    );
    if (outcome.status === "refused") return errorResult(outcome.refusal.message, spendMeta(deps, 0));
    if (outcome.status === "failed") {
      const err = outcome.error;
      deps.log("info", `${req.tool}: ${err.kind} ${err.code ?? ""}`);
      const possibly =
        outcome.possiblyBilledUsd > 0
          ? `\nPossibly billed: the outcome is unknown (DataForSEO may have run the task), so up to ${formatUsd(outcome.possiblyBilledUsd)} counts against the caps until it is known. It was not retried, so it cannot be paid twice.`
          : "";
      return errorResult(`${describeError(err)}${possibly}`, spendMeta(deps, outcome.billedUsd));
    }
    const result = (outcome.value.task.result?.[0] ?? {}) as Record<string, unknown>;
    if (deps.cache.enabled) deps.cache.set(key, { result, costUsd: outcome.costUsd }, approxBytes(result, outcome.value.bodyChars));
    return { result, costUsd: outcome.costUsd, source: "api" };
  } finally {
    stopHeartbeat();
  }
}

/** How often a long wait for DataForSEO is reported, when the client asked for progress. */
export const HEARTBEAT_MS = 3000;

/** Progress every few seconds while a request runs, with the time waited so far. Returns the stop function. */
function heartbeat(report: ((message: string) => void) | undefined): () => void {
  if (!report) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    report(`waiting for DataForSEO: ${Math.round((Date.now() - started) / 1000)} s so far`);
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

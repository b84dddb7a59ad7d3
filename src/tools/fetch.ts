// One upstream page with the money around it: cache, identical calls shared, budget reservation,
// the client, the ledger. Returns the task's result object or an error result.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { UpstreamError, describeError } from "../dataforseo/errors.js";
import { cacheKey } from "../spend/cache.js";
import { estimateMaxCost } from "../spend/pricing.js";
import type { Deps, Fetched } from "./deps.js";
import { errorResult, progressReporter, type Extra } from "./result.js";
import { confirmSpend } from "./confirm.js";

export interface PageRequest {
  /** Tool name, for the ledger. */
  tool: string;
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
  return { cost_usd: costUsd, total_cost_usd: deps.ledger.spentUsd };
}

function approxBytes(value: unknown): number {
  // UTF-16 strings in memory take about twice their JSON length; objects add overhead.
  return JSON.stringify(value).length * 2 + 256;
}

export async function fetchPage(deps: Deps, req: PageRequest, extra: Extra | undefined): Promise<Fetched | CallToolResult> {
  const key = cacheKey(req.path, req.task, deps.credentialId);
  const hit = deps.cache.get(key);
  if (hit) {
    deps.ledger.record({ tool: req.tool, costUsd: 0, cached: true, ok: true });
    return { result: hit.value.result, costUsd: 0, source: "cache", cacheAgeMs: hit.ageMs };
  }
  // An identical call already on its way: share its answer instead of paying twice.
  const pending = deps.inflight.get(key);
  if (pending) {
    const shared = await pending;
    if ("content" in shared) return shared;
    deps.ledger.record({ tool: req.tool, costUsd: 0, cached: true, ok: true });
    return { ...shared, costUsd: 0, source: "cache", cacheAgeMs: 0 };
  }
  const call = fetchUpstream(deps, req, key, extra);
  deps.inflight.set(key, call);
  try {
    return await call;
  } finally {
    deps.inflight.delete(key);
  }
}

async function fetchUpstream(deps: Deps, req: PageRequest, key: string, extra: Extra | undefined): Promise<Fetched | CallToolResult> {
  if (!deps.client.hasCredentials) {
    return errorResult(
      "DataForSEO credentials are not set. Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (your API password from https://app.dataforseo.com/api-access) in the MCP server's env, or start the server with --demo to try it on synthetic data.",
    );
  }
  const estimate = estimateMaxCost(req.maxRows);
  const unconfirmed = await confirmSpend(deps, { tool: req.tool, estimateUsd: estimate, confirmedUsd: req.confirmedUsd, what: req.what }, extra);
  if (unconfirmed) return unconfirmed;
  const { decision, release } = deps.budget.tryReserve(estimate);
  if (!decision.ok || !release) {
    deps.ledger.refused(req.tool);
    return errorResult(decision.message ?? "budget cap reached", spendMeta(deps, 0));
  }
  const report = progressReporter(extra);
  const stopHeartbeat = heartbeat(report);
  try {
    const response = await deps.client.post(req.path, req.task, { signal: extra?.signal, onProgress: report });
    deps.ledger.record({ tool: req.tool, costUsd: response.cost, cached: false, ok: true });
    const result = (response.task.result?.[0] ?? {}) as Record<string, unknown>;
    if (deps.cache.enabled) deps.cache.set(key, { result, costUsd: response.cost }, approxBytes(result));
    return { result, costUsd: response.cost, source: "api" };
  } catch (err) {
    if (err instanceof UpstreamError) {
      deps.ledger.record({ tool: req.tool, costUsd: err.cost, cached: false, ok: false });
      deps.log("info", `${req.tool}: ${err.kind} ${err.code ?? ""}`);
      return errorResult(describeError(err), spendMeta(deps, err.cost));
    }
    throw err;
  } finally {
    stopHeartbeat();
    release();
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

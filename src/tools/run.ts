// The one pipeline every endpoint tool runs through:
// check → cache / budget → upstream → present (with the output budget) → paging handle.
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { Config } from "../config.js";
import type { DataForSeoClient } from "../dataforseo/client.js";
import { UpstreamError, describeError } from "../dataforseo/errors.js";
import { catalogueFor } from "../query/catalogue.js";
import { checkFilters, checkOrderBy } from "../query/validate.js";
import { checkFields } from "../query/fields.js";
import type { CursorStore, Continuation } from "../paging/cursors.js";
import { HANDLE_PREFIX } from "../paging/cursors.js";
import type { Ledger } from "../spend/ledger.js";
import type { Budget } from "../spend/budget.js";
import { ResponseCache, cacheKey } from "../spend/cache.js";
import { estimateMaxCost, formatUsd } from "../spend/pricing.js";
import type { EndpointSpec } from "./spec.js";
import { present, NEXT_TOOL, type PageMeta } from "./present.js";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What the cache keeps of one successful call: the task's result object. */
export interface CachedResult {
  result: Record<string, unknown>;
  costUsd: number;
}

export interface Deps {
  config: Config;
  client: DataForSeoClient;
  cursors: CursorStore;
  cache: ResponseCache<CachedResult>;
  ledger: Ledger;
  budget: Budget;
  /** Upstream calls under way, by cache key, so identical concurrent calls share one. */
  inflight: Map<string, Promise<Fetched | CallToolResult>>;
  /** Identifies the account in cache keys without containing the credentials. */
  credentialId: string;
  log: (level: "error" | "info" | "debug", line: string) => void;
}

const CONTROL_PARAMS = new Set(["format", "fields"]);
const DAY_MS = 86_400_000;

export function errorResult(message: string, meta?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true, ...(meta ? { _meta: meta } : {}) };
}

/** Checks that cannot be expressed in the JSON Schema; all problems at once. */
export function checkArgs(spec: EndpointSpec, args: Record<string, unknown>, now = new Date()): string[] {
  const problems: string[] = [];
  if (spec.endpoint !== "bulk_new_lost_referring_domains") {
    const own = catalogueFor(spec.endpoint);
    if (args.filters !== undefined) problems.push(...checkFilters(args.filters, own, "filters"));
    if (args.order_by !== undefined) problems.push(...checkOrderBy(args.order_by, own, "order_by"));
    if (args.backlinks_filters !== undefined) {
      problems.push(...checkFilters(args.backlinks_filters, catalogueFor("backlinks"), "backlinks_filters"));
    }
  }
  if (Array.isArray(args.fields)) problems.push(...checkFields(args.fields as string[], spec.endpoint));
  if (typeof args.date_from === "string") problems.push(...checkDateFrom(args.date_from, now));
  if (typeof args.search_after_token === "string" && args.search_after_token.startsWith(HANDLE_PREFIX)) {
    problems.push(
      `search_after_token '${args.search_after_token.slice(0, 40)}' is a paging handle of this server: call ${NEXT_TOOL} {"search_after_token":"${args.search_after_token.slice(0, 40)}"} instead`,
    );
  }
  return problems;
}

export function checkDateFrom(value: string, now: Date): string[] {
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    return [`date_from '${value.slice(0, 20)}' is not a real date (yyyy-mm-dd)`];
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const yearAgo = new Date(today);
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  if (date.getTime() > today) return [`date_from ${value} is in the future; use a date up to today`];
  if (date.getTime() < yearAgo.getTime()) {
    return [`date_from ${value} is more than one year ago; the earliest allowed is ${yearAgo.toISOString().slice(0, 10)}`];
  }
  return [];
}

/** The API task: every parameter the caller set, minus output controls and local-only ones. */
export function apiTask(spec: EndpointSpec, args: Record<string, unknown>): Record<string, unknown> {
  const local = new Set(spec.localParams ?? []);
  const task: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || CONTROL_PARAMS.has(key) || local.has(key)) continue;
    task[key] = value;
  }
  return task;
}

export interface Fetched {
  result: Record<string, unknown>;
  costUsd: number;
  source: "api" | "cache";
  cacheAgeMs?: number;
}

function progressReporter(extra: Extra | undefined): ((message: string) => void) | undefined {
  const token = extra?._meta?.progressToken;
  if (token === undefined || !extra) return undefined;
  let progress = 0;
  return (message: string) => {
    progress += 1;
    extra
      .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, message } })
      .catch(() => undefined);
  };
}

/** One upstream call with cache, budget and ledger around it. Returns an error result or the data. */
async function fetchPage(
  deps: Deps,
  spec: EndpointSpec,
  task: Record<string, unknown>,
  extra: Extra | undefined,
): Promise<Fetched | CallToolResult> {
  const key = cacheKey(spec.path, task, deps.credentialId);
  const hit = deps.cache.get(key);
  if (hit) {
    deps.ledger.record({ tool: spec.name, costUsd: 0, cached: true, ok: true });
    return { result: hit.value.result, costUsd: 0, source: "cache", cacheAgeMs: hit.ageMs };
  }
  // An identical call already on its way: share its answer instead of paying twice.
  const pending = deps.inflight.get(key);
  if (pending) {
    const shared = await pending;
    if ("content" in shared) return shared;
    deps.ledger.record({ tool: spec.name, costUsd: 0, cached: true, ok: true });
    return { ...shared, costUsd: 0, source: "cache", cacheAgeMs: 0 };
  }
  const call = fetchUpstream(deps, spec, task, key, extra);
  deps.inflight.set(key, call);
  try {
    return await call;
  } finally {
    deps.inflight.delete(key);
  }
}

async function fetchUpstream(
  deps: Deps,
  spec: EndpointSpec,
  task: Record<string, unknown>,
  key: string,
  extra: Extra | undefined,
): Promise<Fetched | CallToolResult> {
  if (!deps.client.hasCredentials) {
    return errorResult(
      "DataForSEO credentials are not set. Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (your API password from https://app.dataforseo.com/api-access) in the MCP server's env, or start the server with --demo to try it on synthetic data.",
    );
  }
  const estimate = estimateMaxCost(spec.maxRows(task));
  const { decision, release } = deps.budget.tryReserve(estimate);
  if (!decision.ok || !release) {
    deps.ledger.refused(spec.name);
    return errorResult(decision.message ?? "budget cap reached", spendMeta(deps, 0));
  }
  try {
    const response = await deps.client.post(spec.path, task, {
      signal: extra?.signal,
      onProgress: progressReporter(extra),
    });
    deps.ledger.record({ tool: spec.name, costUsd: response.cost, cached: false, ok: true });
    const result = (response.task.result?.[0] ?? {}) as Record<string, unknown>;
    if (deps.cache.enabled) deps.cache.set(key, { result, costUsd: response.cost }, approxBytes(result));
    return { result, costUsd: response.cost, source: "api" };
  } catch (err) {
    if (err instanceof UpstreamError) {
      deps.ledger.record({ tool: spec.name, costUsd: err.cost, cached: false, ok: false });
      deps.log("info", `${spec.name}: ${err.kind} ${err.code ?? ""}`);
      return errorResult(describeError(err), spendMeta(deps, err.cost));
    }
    throw err;
  } finally {
    release();
  }
}

function approxBytes(value: unknown): number {
  // UTF-16 strings in memory take about twice their JSON length; objects add overhead.
  return JSON.stringify(value).length * 2 + 256;
}

function spendMeta(deps: Deps, costUsd: number): Record<string, unknown> {
  return { cost_usd: costUsd, total_cost_usd: deps.ledger.spentUsd };
}

/** How to continue after the rows of a fresh upstream page, or null when there is nothing more. */
function continuationAfter(
  spec: EndpointSpec,
  task: Record<string, unknown>,
  result: Record<string, unknown>,
  rowsBefore: number,
  rowCount: number,
): Continuation | null {
  const total = typeof result.total_count === "number" ? result.total_count : undefined;
  if (rowCount === 0) return null;
  if (spec.paging === "token") {
    const token = result.search_after_token;
    if (typeof token !== "string" || token === "") return null;
    if (total !== undefined && rowsBefore + rowCount >= total) return null;
    return { searchAfterToken: token };
  }
  if (spec.paging === "offset") {
    const next = ((task.offset as number | undefined) ?? 0) + rowCount;
    if (total !== undefined && next >= total) return null;
    return { offset: next };
  }
  return null;
}

export function defaultColumns(spec: EndpointSpec, args: Record<string, unknown>): string[] {
  const status = args.backlinks_status_type;
  return (status === "lost" || status === "all") && spec.lostColumns
    ? [...spec.defaultColumns, ...spec.lostColumns]
    : spec.defaultColumns;
}

function listLimitOf(args: Record<string, unknown>): number {
  return (args.internal_list_limit as number | undefined) ?? 10;
}

/** Show rows (fresh or held), keep what does not fit, and build the tool result. */
function respond(
  deps: Deps,
  spec: EndpointSpec,
  args: Record<string, unknown>,
  rows: readonly unknown[],
  next: Continuation | null,
  meta: PageMeta,
): CallToolResult {
  const fields = args.fields as string[] | undefined;
  const presented = present(
    rows,
    next !== null,
    meta,
    {
      format: (args.format as "text" | "json" | undefined) ?? "text",
      columns: fields ?? defaultColumns(spec, args),
      explicitFields: fields !== undefined,
      listLimit: listLimitOf(args),
      maxChars: deps.config.outputMaxChars,
    },
    (shown) =>
      deps.cursors.issue({
        tool: spec.name,
        args,
        held: shown < rows.length ? JSON.stringify(rows.slice(shown)) : null,
        next,
        shown: meta.shownBefore + shown,
        totalCount: meta.totalCount,
      }),
  );
  return {
    content: [{ type: "text", text: presented.text }],
    structuredContent: presented.structured,
    _meta: { cost_usd: meta.costUsd, total_cost_usd: meta.totalCostUsd },
  };
}

/** The arguments later pages repeat: DataForSEO wants every parameter but the token identical, offset included. */
function pageArgs(spec: EndpointSpec, args: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...args };
  delete rest.search_after_token;
  if (spec.paging === "offset") delete rest.offset;
  return rest;
}

/** A first call of an endpoint tool. */
export async function runEndpoint(
  deps: Deps,
  spec: EndpointSpec,
  args: Record<string, unknown>,
  extra?: Extra,
): Promise<CallToolResult> {
  const problems = checkArgs(spec, args);
  if (problems.length > 0) {
    return errorResult(`Invalid arguments for ${spec.name} (nothing was sent, nothing was charged):\n- ${problems.join("\n- ")}`);
  }
  const task = apiTask(spec, args);
  const fetched = await fetchPage(deps, spec, task, extra);
  if ("content" in fetched) return fetched;
  const rows = Array.isArray(fetched.result.items) ? (fetched.result.items as unknown[]) : [];
  const rowsBefore = (task.offset as number | undefined) ?? 0;
  const next = continuationAfter(spec, task, fetched.result, rowsBefore, rows.length);
  // Later pages repeat the original request, with the continuation in place of its own offset/token.
  return respond(deps, spec, pageArgs(spec, args), rows, next, {
    tool: spec.name,
    subject: spec.subject(args),
    totalCount: typeof fetched.result.total_count === "number" ? fetched.result.total_count : undefined,
    shownBefore: rowsBefore,
    costUsd: fetched.costUsd,
    totalCostUsd: deps.ledger.spentUsd,
    source: fetched.source,
    cacheAgeMs: fetched.cacheAgeMs,
    demo: deps.config.demo,
  });
}

/** backlinks_next_page: held rows first (free), then the next upstream page. */
export async function runNextPage(
  deps: Deps,
  specs: Map<string, EndpointSpec>,
  handle: string,
  format: "text" | "json" | undefined,
  extra?: Extra,
): Promise<CallToolResult> {
  const state = deps.cursors.get(handle);
  if (!state) {
    const minutes = Math.round(deps.config.cursorTtlMs / 60_000);
    const raw = handle.startsWith(HANDLE_PREFIX)
      ? ""
      : " If this is a DataForSEO search_after_token, pass it as search_after_token to backlinks_backlinks with exactly the original parameters.";
    return errorResult(
      `Unknown or expired paging cursor '${handle.slice(0, 40)}' (cursors last ${minutes} min and the newest ${deps.config.cursorMax} are kept). Start over by repeating the original tool call; identical calls are served from the cache at no cost while it holds them.${raw}`,
    );
  }
  const spec = specs.get(state.tool);
  if (!spec) return errorResult(`paging cursor refers to an unknown tool '${state.tool}'`);
  const args = format ? { ...state.args, format } : state.args;
  const meta = (costUsd: number, source: PageMeta["source"], cacheAgeMs?: number): PageMeta => ({
    tool: spec.name,
    subject: spec.subject(args),
    totalCount: state.totalCount,
    shownBefore: state.shown,
    costUsd,
    totalCostUsd: deps.ledger.spentUsd,
    source,
    cacheAgeMs,
    demo: deps.config.demo,
  });
  if (state.held !== null) {
    deps.ledger.record({ tool: NEXT_TOOL, costUsd: 0, cached: true, ok: true });
    return respond(deps, spec, args, JSON.parse(state.held) as unknown[], state.next, meta(0, "held"));
  }
  if (!state.next) return errorResult("This cursor has no more rows: the results were complete.");
  const task = apiTask(spec, args);
  if (state.next.searchAfterToken !== undefined) {
    task.search_after_token = state.next.searchAfterToken;
  } else if (state.next.offset !== undefined) {
    task.offset = state.next.offset;
  }
  const fetched = await fetchPage(deps, spec, task, extra);
  if ("content" in fetched) return fetched;
  const rows = Array.isArray(fetched.result.items) ? (fetched.result.items as unknown[]) : [];
  const total = typeof fetched.result.total_count === "number" ? fetched.result.total_count : state.totalCount;
  const next = continuationAfter(spec, task, fetched.result, state.shown, rows.length);
  const m = meta(fetched.costUsd, fetched.source, fetched.cacheAgeMs);
  m.totalCount = total;
  m.totalCostUsd = deps.ledger.spentUsd;
  return respond(deps, spec, args, rows, next, m);
}

export function usageText(deps: Deps, account?: Record<string, unknown>, accountError?: string): string {
  const t = deps.ledger.totals();
  const cap = deps.budget.capUsd;
  const lines = [
    `# backlinks_usage${deps.config.demo ? " | DEMO: offline emulator" : ""}`,
    `calls\t${t.calls}`,
    `upstream_calls\t${t.upstreamCalls}`,
    `cached_calls\t${t.cachedCalls}`,
    `refused_by_budget\t${t.refusedCalls}`,
    `failed_calls\t${t.failedCalls}`,
    `spent_usd\t${formatUsd(t.spentUsd)}`,
    `budget_usd\t${cap === undefined ? "none (set DATAFORSEO_MAX_COST_USD)" : formatUsd(cap)}`,
  ];
  if (cap !== undefined) lines.push(`budget_left_usd\t${formatUsd(Math.max(0, cap - t.spentUsd))}`);
  lines.push(`cache\t${deps.cache.size} responses, ${(deps.cache.bytes / 1048576).toFixed(1)} of ${(deps.config.cacheMaxBytes / 1048576).toFixed(0)} MB, TTL ${Math.round(deps.config.cacheTtlMs / 1000)} s`);
  for (const [tool, s] of Object.entries(t.byTool)) lines.push(`tool ${tool}\t${s.calls} calls, ${formatUsd(s.spentUsd)}`);
  if (account) {
    for (const [k, v] of Object.entries(account)) lines.push(`account_${k}\t${v}`);
  } else if (accountError) {
    lines.push(`account\t${accountError}`);
  }
  return lines.join("\n");
}

export { formatUsd };

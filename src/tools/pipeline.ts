// The one pipeline every endpoint tool runs through:
// check → cache / budget → upstream → rows where the endpoint keeps them → present (within the output
// budget) → paging handle. It never branches on a tool's name: the endpoint's data and overlay decide.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Continuation } from "../paging/cursors.js";
import { PAGE_HANDLE_PREFIX as HANDLE_PREFIX, type CursorLookup } from "../paging/paging-store.js";
import { formatUsd } from "../spend/pricing.js";
import type { EndpointTool } from "./define.js";
import type { Deps } from "./deps.js";
import { checkArgs, defaultDateFrom } from "./check.js";
import { NEXT_TOOL } from "./define.js";
import { fetchPage } from "./fetch.js";
import { targetNote } from "../query/targets.js";
import { present, type PageMeta } from "./present.js";
import { errorResult, invalidArgs, type Extra } from "./result.js";
import { apiTask, defaultColumns, maxRows, rowsOf, subjectOf, totalCountOf, type Args } from "./rows.js";

/** How to continue after the rows of a fresh upstream page, or null when there is nothing more. */
function continuationAfter(tool: EndpointTool, task: Args, result: Args, rowsBefore: number, rowCount: number): Continuation | null {
  const total = totalCountOf(result);
  if (rowCount === 0) return null;
  if (tool.ref.paging === "token") {
    const token = result.search_after_token;
    if (typeof token !== "string" || token === "") return null;
    if (total !== undefined && rowsBefore + rowCount >= total) return null;
    return { searchAfterToken: token };
  }
  if (tool.ref.paging === "offset") {
    const next = ((task.offset as number | undefined) ?? 0) + rowCount;
    if (total !== undefined && next >= total) return null;
    return { offset: next };
  }
  return null;
}

/** The arguments later pages repeat: DataForSEO wants every parameter but the token identical, offset included. */
function pageArgs(tool: EndpointTool, args: Args): Args {
  const rest = { ...args };
  delete rest.confirm_cost_usd;
  delete rest.search_after_token;
  if (tool.ref.paging === "offset") delete rest.offset;
  return rest;
}

/** One-line notes for the header: what the API did by default that the caller may not expect. */
function headerNotes(tool: EndpointTool, args: Args, now: Date): string[] {
  const notes: string[] = [];
  const targets = typeof args.target === "string" ? [args.target] : Array.isArray(args.targets) ? (args.targets as string[]) : [];
  const note = targets.map(targetNote).find((n) => n !== undefined);
  if (note) notes.push(note);
  if (tool.ref.param("date_from") && args.date_from === undefined) {
    const used = defaultDateFrom(tool.ref, now);
    if (used) notes.push(`date_from ${used} (default: a month ago)`);
  }
  return notes;
}

function listLimitOf(args: Args): number {
  return (args.internal_list_limit as number | undefined) ?? 10;
}

/** Show rows (fresh or held), keep what does not fit, and build the tool result. */
async function respond(deps: Deps, tool: EndpointTool, args: Args, rows: readonly unknown[], next: Continuation | null, meta: PageMeta): Promise<CallToolResult> {
  const fields = args.fields as string[] | undefined;
  const presented = await present(
    rows,
    next !== null,
    meta,
    {
      format: (args.format as "text" | "json" | undefined) ?? "text",
      layout: tool.ref.rows === "record" ? "record" : "table",
      columns: fields ?? defaultColumns(tool, args),
      explicitFields: fields !== undefined,
      listLimit: listLimitOf(args),
      maxChars: deps.config.outputMaxChars,
      maxTokens: deps.config.outputMaxTokens,
    },
    (shown) =>
      deps.cursors.issue(
        {
          tool: tool.name,
          args,
          held: shown < rows.length ? JSON.stringify(rows.slice(shown)) : null,
          heldRows: rows.length - shown,
          next,
          shown: meta.shownBefore + shown,
          totalCount: meta.totalCount,
        },
        // The answer does not wait for an older cursor to be written to the spill folder.
        { boundsAfter: true },
      ),
  );
  return {
    content: [{ type: "text", text: presented.text }],
    structuredContent: presented.structured,
    _meta: { cost_usd: meta.costUsd, total_cost_usd: meta.totalCostUsd },
  };
}

/** A first call of an endpoint tool. */
export async function runEndpoint(deps: Deps, tool: EndpointTool, args: Args, extra?: Extra): Promise<CallToolResult> {
  const now = new Date();
  const problems = checkArgs(tool, args, now);
  const tooLarge = deps.cursors.problem(pageArgs(tool, args));
  if (tooLarge) problems.push(tooLarge.message);
  if (problems.length > 0) {
    deps.ledger.refused(tool.name, "invalid_arguments");
    return invalidArgs(tool.name, problems);
  }
  const task = apiTask(tool, args);
  const rowsAtMost = maxRows(tool, args, now);
  const fetched = await fetchPage(
    deps,
    { tool: tool.name, fn: tool.ref.key, path: tool.ref.path, task, maxRows: rowsAtMost, confirmedUsd: args.confirm_cost_usd as number | undefined, what: `up to ${rowsAtMost} rows for ${subjectOf(args)}` },
    extra,
  );
  if ("content" in fetched) return fetched;
  const rows = rowsOf(tool, fetched.result);
  const rowsBefore = (task.offset as number | undefined) ?? 0;
  const next = continuationAfter(tool, task, fetched.result, rowsBefore, rows.length);
  // Later pages repeat the original request, with the continuation in place of its own offset/token.
  return respond(deps, tool, pageArgs(tool, args), rows, next, {
    tool: tool.name,
    subject: subjectOf(args),
    totalCount: totalCountOf(fetched.result),
    shownBefore: rowsBefore,
    costUsd: fetched.costUsd,
    totalCostUsd: deps.ledger.spentUsd,
    source: fetched.source,
    cacheAgeMs: fetched.cacheAgeMs,
    demo: deps.config.demo,
    notes: headerNotes(tool, args, now),
  });
}

/** What happened to a cursor that is not there, and what starting over costs. */
function goneCursor(deps: Deps, tools: ReadonlyMap<string, EndpointTool>, handle: string, lookup: Exclude<CursorLookup, { found: true }>): CallToolResult {
  const shownHandle = handle.slice(0, 40);
  const restart = "Start over by repeating the original tool call; identical calls are served from the cache at no cost while it holds them.";
  if (lookup.reason === "unknown") {
    const raw = handle.startsWith(HANDLE_PREFIX)
      ? ""
      : " If this is a DataForSEO search_after_token, pass it as search_after_token to backlinks_backlinks with exactly the original parameters.";
    return errorResult(`Unknown paging cursor '${shownHandle}': this server never issued it, or it was forgotten long ago. ${restart}${raw}`);
  }
  const why =
    lookup.reason === "expired"
      ? `expired (cursors last ${Math.round(deps.config.cursorTtlMs / 60_000)} min)`
      : "was pushed out because the memory and disk bounds for held rows were full (DATAFORSEO_CURSOR_MAX_MB, DATAFORSEO_CURSOR_SPILL_MB)";
  const held = lookup.heldRows > 0
    ? ` It held ${lookup.heldRows} rows already paid for; fetching them again bills them again (about ${formatUsd(deps.prices.estimate(tools.get(lookup.tool)?.ref.key ?? lookup.tool, lookup.heldRows))}).`
    : "";
  return errorResult(`Paging cursor '${shownHandle}' of ${lookup.tool} ${why}.${held} ${restart}`);
}

/** backlinks_next_page: held rows first (free), then the next upstream page. */
export async function runNextPage(
  deps: Deps,
  tools: ReadonlyMap<string, EndpointTool>,
  handle: string,
  format: "text" | "json" | undefined,
  extra?: Extra,
): Promise<CallToolResult> {
  const lookup = await deps.cursors.get(handle);
  if (!lookup.found) {
    deps.ledger.refused(NEXT_TOOL, "cursor_gone");
    return goneCursor(deps, tools, handle, lookup);
  }
  const state = lookup.state;
  const tool = tools.get(state.tool);
  if (!tool) return errorResult(`paging cursor refers to an unknown tool '${state.tool}'`);
  const args = format ? { ...state.args, format } : state.args;
  const meta = (costUsd: number, source: PageMeta["source"], cacheAgeMs?: number): PageMeta => ({
    tool: tool.name,
    subject: subjectOf(args),
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
    return respond(deps, tool, args, JSON.parse(state.held) as unknown[], state.next, meta(0, "held"));
  }
  if (!state.next) return errorResult("This cursor has no more rows: the results were complete.");
  const task = apiTask(tool, args);
  if (state.next.searchAfterToken !== undefined) task.search_after_token = state.next.searchAfterToken;
  else if (state.next.offset !== undefined) task.offset = state.next.offset;
  const rowsAtMost = maxRows(tool, args);
  const fetched = await fetchPage(
    deps,
    { tool: tool.name, fn: tool.ref.key, path: tool.ref.path, task, maxRows: rowsAtMost, confirmedUsd: args.confirm_cost_usd as number | undefined, what: `up to ${rowsAtMost} more rows for ${subjectOf(args)}` },
    extra,
  );
  if ("content" in fetched) return fetched;
  const rows = rowsOf(tool, fetched.result);
  const next = continuationAfter(tool, task, fetched.result, state.shown, rows.length);
  const m = meta(fetched.costUsd, fetched.source, fetched.cacheAgeMs);
  m.totalCount = totalCountOf(fetched.result) ?? state.totalCount;
  m.totalCostUsd = deps.ledger.spentUsd;
  return respond(deps, tool, args, rows, next, m);
}

// backlinks_export: every row of a list tool's query to a file in the export folder, page by page,
// through the same fetchPage as the tools (cache, shared identical calls, budget, ledger), bounded by
// max_rows, max_cost_usd and the spending caps. Cancel stops after the current page.
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { EndpointTool } from "../tools/define.js";
import type { Deps } from "../tools/deps.js";
import { checkArgs } from "../tools/check.js";
import { fetchPage } from "../tools/fetch.js";
import { apiTask, maxRows, rowsOf, subjectOf, totalCountOf, type Args } from "../tools/rows.js";
import { argumentProblems } from "../tools/arguments.js";
import { errorResult, invalidArgs, type Extra } from "../tools/result.js";
import { cacheKey } from "../spend/cache.js";
import { formatUsd } from "../spend/pricing.js";
import { fromNanos, toNanos } from "../spend/units.js";
import { sanitizeText } from "../output/sanitize.js";
import { confirmSpend } from "../tools/confirm.js";
import { ExportWriter, disavowHost, type ExportFormat } from "./files.js";
import { EXPORT_TOOL, EXPORT_URI_PREFIX, exportInput } from "./inputs.js";

/** Rows per upstream page (the API's maximum limit). */
export const PAGE_ROWS = 1000;

/** Where rows name the referring domain, per endpoint: field names from the reference's result trees. */
export const DISAVOW_FIELD: Readonly<Record<string, string>> = Object.freeze({
  backlinks: "domain_from",
  referring_domains: "domain",
  domain_intersection: "domain",
  page_intersection: "<n>.domain_from",
});

/** Columns most worth summarising, in order of preference (the first three a tool has are used). */
const KEY_COLUMNS = ["domain_from", "tld_from", "dofollow", "item_type", "semantic_location", "domain_from_country", "anchor", "page_from_language", "status_code", "media_type", "main_domain"];

/** Arguments the export sets itself. */
const EXPORT_CONTROLLED: Record<string, string> = {
  limit: "the export fetches 1,000 rows a page; bound the rows with max_rows",
  search_after_token: "the export pages by itself from the first row",
  format: "the file format is the export's own format argument",
  confirm_cost_usd: "confirm with the export's own confirm_cost_usd",
};

/** Tools an export can walk: rows in a list (token or offset paging, or one page of rows). */
export function exportable(tool: EndpointTool): boolean {
  return tool.ref.rows !== "record";
}

/** The columns of a CSV: the fields asked for, else every field of a row in the reference. */
export function columnsOf(tool: EndpointTool, args: Args): string[] {
  if (Array.isArray(args.fields)) return args.fields as string[];
  if (tool.ref.rows === "intersection") {
    const n = Array.isArray(args.targets) ? args.targets.length : 1;
    const key = tool.overlay.rowKey ? [tool.overlay.rowKey.column] : [];
    return [...key, "intersections_count", ...Array.from({ length: n }, (_, i) => String(i + 1))];
  }
  return tool.ref.rowFields.map((f) => f.name);
}

/** Hosts that are the analysed sites themselves (never disavowed): the target, or every target and excluded target. */
function ownedHosts(args: Args): string[] {
  const list: unknown[] = typeof args.target === "string" ? [args.target] : Array.isArray(args.targets) ? [...(args.targets as unknown[])] : [];
  // A link-gap query names the user's own site in exclude_targets.
  if (Array.isArray(args.exclude_targets)) list.push(...(args.exclude_targets as unknown[]));
  return list.map((t) => disavowHost(typeof t === "string" ? t.replace(/\*$/, "") : t)).filter((h): h is string => h !== undefined);
}

/** Bounded counts of a few columns' values, for the digest. */
class TopValues {
  readonly counts = new Map<string, Map<string, number>>();
  capped = false;
  constructor(readonly columns: string[], private readonly maxDistinct = 5000) {
    for (const c of columns) this.counts.set(c, new Map());
  }
  add(rows: readonly unknown[]): void {
    for (const c of this.columns) {
      const counts = this.counts.get(c)!;
      for (const row of rows) {
        const raw = (row as Record<string, unknown>)?.[c];
        const value = raw === null || raw === undefined ? "(none)" : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
        const known = counts.get(value);
        if (known !== undefined) counts.set(value, known + 1);
        else if (counts.size < this.maxDistinct) counts.set(value, 1);
        else this.capped = true;
      }
    }
  }
  lines(): string[] {
    return this.columns.map((c) => {
      const top = [...this.counts.get(c)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
      return `top ${c}: ${top.map(([v, n]) => `${sanitizeText(v, 60)} ${n}`).join(", ")}`;
    });
  }
}

type StopReason = "complete" | "max_rows" | "max_cost" | "budget" | "cancelled" | "error";

export interface ExportOutcome {
  file: string;
  partial: boolean;
  stop: StopReason;
  rows: number;
  pages: number;
  costUsd: number;
  totalCount?: number;
}

function progressSender(extra: Extra | undefined): (progress: number, total: number | undefined, message: string) => void {
  const token = extra?._meta?.progressToken;
  if (token === undefined || !extra) return () => undefined;
  return (progress, total, message) => {
    if (extra.signal.aborted) return;
    extra
      .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), message } })
      .catch(() => undefined);
  };
}

/** Extra handed to fetchPage: a page already under way finishes (cancel acts between pages); no progress of its own. */
function pageExtra(extra: Extra | undefined): Extra | undefined {
  if (!extra) return undefined;
  return { ...extra, signal: new AbortController().signal, _meta: undefined } as Extra;
}

/** Reads and checks the export's arguments; returns the tool and its checked arguments or an error result. */
export function checkExport(
  tools: ReadonlyMap<string, EndpointTool>,
  input: z.infer<typeof exportInput>,
  now = new Date(),
): { tool: EndpointTool; args: Args; format: ExportFormat } | CallToolResult {
  const name = input.tool.startsWith("backlinks_") ? input.tool : `backlinks_${input.tool}`;
  const tool = tools.get(name);
  const listTools = [...tools.values()].filter(exportable).map((t) => t.name);
  if (!tool || !exportable(tool)) {
    return invalidArgs(EXPORT_TOOL, [`tool '${sanitizeText(input.tool, 60)}' cannot be exported; exportable tools: ${listTools.join(", ")}`]);
  }
  const format = input.format ?? "csv";
  const problems: string[] = [];
  for (const [key, why] of Object.entries(EXPORT_CONTROLLED)) {
    if (input.arguments[key] !== undefined) problems.push(`arguments.${key}: not allowed here (${why})`);
  }
  if (format === "disavow" && DISAVOW_FIELD[tool.ref.key] === undefined) {
    const ok = Object.keys(DISAVOW_FIELD).map((k) => `backlinks_${k} (${DISAVOW_FIELD[k]})`);
    problems.push(`format disavow needs rows that name a referring domain; ${tool.name} rows do not. Use one of: ${ok.join(", ")}`);
  }
  if (problems.length > 0) return invalidArgs(EXPORT_TOOL, problems);
  const parsed = tool.input.safeParse(input.arguments);
  if (!parsed.success) return invalidArgs(EXPORT_TOOL, argumentProblems(tool.name, tool.input, parsed.error, tool).map((p) => `arguments: ${p}`));
  const args = parsed.data as Args;
  const more = checkArgs(tool, args, now);
  if (more.length > 0) return invalidArgs(EXPORT_TOOL, more.map((p) => `arguments: ${p}`));
  return { tool, args, format };
}

export async function runExport(
  deps: Deps,
  tools: ReadonlyMap<string, EndpointTool>,
  input: z.infer<typeof exportInput>,
  extra?: Extra,
): Promise<CallToolResult> {
  const now = new Date();
  const checked = checkExport(tools, input, now);
  if ("content" in checked) return checked;
  const { tool, args, format } = checked;
  const maxRowsWanted = input.max_rows ?? 10_000;
  const capNanos = toNanos(input.max_cost_usd ?? 1);
  const paged = tool.ref.param("limit") !== undefined;
  const pageRows = paged ? Math.min(PAGE_ROWS, maxRowsWanted) : undefined;
  const firstOffset = (args.offset as number | undefined) ?? 0;
  const columns = columnsOf(tool, args);
  const base: Args = { ...args };
  delete base.fields;
  if (pageRows !== undefined) base.limit = pageRows;
  const rowsPerPage = maxRows(tool, base, now);
  await deps.loadPrices();
  let pageEstimate = deps.prices.estimate(tool.ref.key, rowsPerPage);
  const worstPages = paged ? Math.ceil(maxRowsWanted / rowsPerPage) : 1;
  const worstFirst = fromNanos(toNanos(pageEstimate) * worstPages);
  const subject = subjectOf(args);
  // Above the confirmation threshold the user agrees to the most the export can spend, once, before it starts.
  const mostUsd = Math.min(worstFirst, fromNanos(capNanos));
  const unconfirmed = await confirmSpend(
    deps,
    { tool: EXPORT_TOOL, estimateUsd: mostUsd, confirmedUsd: input.confirm_cost_usd, what: `up to ${maxRowsWanted} rows of ${tool.name} for ${sanitizeText(subject, 100)} to a file` },
    extra,
  );
  if (unconfirmed) return unconfirmed;

  const writer = await ExportWriter.create(deps.config.exportDir, { tool: tool.ref.key, subject, now }, {
    format,
    columns,
    domainField: DISAVOW_FIELD[tool.ref.key],
    owned: ownedHosts(args),
    comments: [
      `Disavow file for ${sanitizeText(subject, 200)}, written by backlinks-mcp`,
      `date: ${now.toISOString()}`,
      `source: DataForSEO ${tool.ref.path} (${tool.name}), referring domain field ${DISAVOW_FIELD[tool.ref.key] ?? ""}`,
      `criteria: ${JSON.stringify({ ...args, fields: undefined }).replace(/[\r\n]/g, " ")}`,
      `never lists ${ownedHosts(args).join(", ") || "the target"} or its subdomains; each domain once`,
    ],
  });
  const top = new TopValues(KEY_COLUMNS.filter((c) => columns.includes(c)).slice(0, 3));
  const progress = progressSender(extra);
  const fetchExtra = pageExtra(extra);

  let costNanos = 0;
  let pages = 0;
  let totalCount: number | undefined;
  let token: string | undefined;
  let offset = firstOffset;
  let stop: StopReason | undefined;
  let stopDetail = "";
  let estimateAfterTotal: number | undefined;

  try {
    while (stop === undefined) {
      if (writer.rows >= maxRowsWanted) {
        stop = "max_rows";
        break;
      }
      if (extra?.signal.aborted) {
        stop = "cancelled";
        break;
      }
      const pageArgs: Args = { ...base };
      if (tool.ref.paging === "token" && token !== undefined) pageArgs.search_after_token = token;
      if (tool.ref.paging === "offset" && offset > 0) pageArgs.offset = offset;
      // Offset pages are independent requests: the last one asks only for the rows still wanted.
      if (tool.ref.paging === "offset" && pageRows !== undefined) pageArgs.limit = Math.min(pageRows, maxRowsWanted - writer.rows);
      const task = apiTask(tool, pageArgs);
      // Prices learned from earlier pages count: the estimate is taken again for every page.
      pageEstimate = deps.prices.estimate(tool.ref.key, rowsPerPage);
      const cached = deps.cache.enabled && deps.cache.get(cacheKey(tool.ref.path, task, deps.credentialId)) !== undefined;
      if (!cached) {
        if (costNanos + toNanos(pageEstimate) > capNanos) {
          stop = "max_cost";
          stopDetail = `the next page may cost up to ${formatUsd(pageEstimate)}, which would pass max_cost_usd ${formatUsd(fromNanos(capNanos))}`;
          break;
        }
        const budget = deps.budget.check(pageEstimate);
        if (!budget.ok) {
          stop = "budget";
          stopDetail = budget.message ?? "the budget cap would be passed";
          break;
        }
      }
      const fetched = await fetchPage(
        deps,
        { tool: EXPORT_TOOL, fn: tool.ref.key, path: tool.ref.path, task, maxRows: rowsPerPage, confirmedUsd: pageEstimate, what: `page ${pages + 1} of an export of ${tool.name}` },
        fetchExtra,
      );
      if ("content" in fetched) {
        const text = fetched.content.map((c) => (c.type === "text" ? c.text : "")).join(" ");
        stop = /cap reached|spending cap|caps cannot be checked/i.test(text) ? "budget" : "error";
        stopDetail = sanitizeText(text, 400);
        costNanos += toNanos(typeof fetched._meta?.cost_usd === "number" ? fetched._meta.cost_usd : 0);
        break;
      }
      pages += 1;
      costNanos += toNanos(fetched.costUsd);
      const rows = rowsOf(tool, fetched.result);
      const total = totalCountOf(fetched.result);
      if (total !== undefined && totalCount === undefined) {
        totalCount = total;
        const expected = Math.min(Math.max(0, total - firstOffset), maxRowsWanted);
        const left = Math.max(0, expected - rows.length);
        estimateAfterTotal = fromNanos(costNanos + toNanos(pageEstimate) * Math.ceil(left / rowsPerPage));
      }
      const take = rows.slice(0, maxRowsWanted - writer.rows);
      await writer.write(take);
      top.add(take);
      progress(writer.rows, totalCount === undefined ? undefined : Math.min(totalCount - firstOffset, maxRowsWanted),
        `page ${pages}: ${writer.rows} rows, ${formatUsd(fromNanos(costNanos))}`);
      // What comes next, if anything.
      const seen = offset + rows.length;
      if (rows.length === 0 || !paged || tool.ref.paging === "none") stop = "complete";
      else if (tool.ref.paging === "token") {
        const next = fetched.result.search_after_token;
        if (typeof next !== "string" || next === "" || (totalCount !== undefined && seen >= totalCount)) stop = "complete";
        token = typeof next === "string" ? next : undefined;
        offset = seen;
      } else {
        if (rows.length < ((pageArgs.limit as number | undefined) ?? 0) || (totalCount !== undefined && seen >= totalCount)) stop = "complete";
        offset = seen;
      }
      if (stop === "complete" && writer.rows >= maxRowsWanted && totalCount !== undefined && totalCount - firstOffset > writer.rows) stop = "max_rows";
    }
  } catch (err) {
    await writer.finish(false).catch(() => undefined);
    throw err;
  }
  const complete = stop === "complete" || stop === "max_rows";
  const file = await writer.finish(complete);
  if (writer.rows === 0 && (stop === "error" || stop === "budget")) {
    // Nothing was written: no file to keep or link.
    await unlink(join(deps.config.exportDir, file)).catch(() => undefined);
    const why = stop === "budget" ? "stopped at a spending cap" : "failed";
    return errorResult(`${EXPORT_TOOL} ${tool.name} ${why} before the first row, no file written: ${stopDetail}`, { cost_usd: fromNanos(costNanos), total_cost_usd: deps.ledger.spentUsd });
  }
  return exportReply(deps, {
    file,
    partial: !complete,
    stop: stop!,
    rows: writer.rows,
    pages,
    costUsd: fromNanos(costNanos),
    totalCount,
  }, { tool, format, columns, writer, top, stopDetail, worstFirst, estimateAfterTotal, maxRowsWanted, paged });
}

function exportReply(
  deps: Deps,
  out: ExportOutcome,
  d: {
    tool: EndpointTool;
    format: ExportFormat;
    columns: string[];
    writer: ExportWriter;
    top: TopValues;
    stopDetail: string;
    worstFirst: number;
    estimateAfterTotal?: number;
    maxRowsWanted: number;
    paged: boolean;
  },
): CallToolResult {
  const why: Record<StopReason, string> = {
    complete: "complete: every row",
    max_rows: `stopped at max_rows ${d.maxRowsWanted}`,
    max_cost: `PARTIAL: stopped at max_cost_usd (${d.stopDetail}); raise max_cost_usd and run again (pages already fetched come from the cache at no cost)`,
    budget: `PARTIAL: stopped at a spending cap (${d.stopDetail})`,
    cancelled: "PARTIAL: cancelled; kept the pages already paid for",
    error: `PARTIAL: stopped by an error (${d.stopDetail})`,
  };
  const lines = [
    `# ${EXPORT_TOOL} ${d.tool.name} | ${why[out.stop]}`,
    `file\t${out.file}${out.partial ? " (partial)" : ""} in ${deps.config.exportDir}`,
    d.format === "disavow"
      ? `rows read\t${out.rows}; domains written ${d.writer.domains} (each once; ${d.writer.skipped} rows skipped: the target itself or no domain)`
      : `rows written\t${out.rows}${out.totalCount !== undefined ? ` of total_count ${out.totalCount}` : ""}`,
    `pages\t${out.pages}${d.paged ? ` (up to ${PAGE_ROWS} rows each)` : ""}`,
    `cost\t${formatUsd(out.costUsd)} (sum of the pages; session total ${formatUsd(deps.ledger.spentUsd)}); estimate: worst case ${formatUsd(d.worstFirst)}${d.estimateAfterTotal !== undefined ? `, ${formatUsd(d.estimateAfterTotal)} once total_count was known` : ""}`,
  ];
  if (d.format !== "disavow") lines.push(`columns\t${d.columns.join(", ")}`);
  if (d.format !== "disavow" && out.rows > 0) lines.push(...d.top.lines().map((l) => l.replace(": ", "\t")));
  if (d.top.capped) lines.push("# top values are approximate (too many distinct values to count all)");
  const uri = EXPORT_URI_PREFIX + out.file;
  const mimeType = d.format === "csv" ? "text/csv" : d.format === "jsonl" ? "application/jsonl" : "text/plain";
  return {
    content: [
      { type: "text", text: lines.join("\n") },
      { type: "resource_link", uri, name: out.file, mimeType, description: `${d.tool.name} export${out.partial ? " (partial)" : ""}` },
    ],
    structuredContent: {
      file: out.file,
      uri,
      partial: out.partial,
      stop: out.stop,
      rows: out.rows,
      pages: out.pages,
      cost_usd: out.costUsd,
      total_count: out.totalCount ?? null,
      ...(d.format === "disavow" ? { domains: d.writer.domains } : { columns: d.columns }),
    },
    _meta: { cost_usd: out.costUsd, total_cost_usd: deps.ledger.spentUsd },
  };
}


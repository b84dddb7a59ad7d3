// Turns rows into what the assistant reads: a header line, a table (or JSON), a footer.
// Enforces the output budget: rows that do not fit are handed back to the caller to keep.
import { renderTable } from "../output/table.js";
import { fitLinesBudget, clip, estimateTokens } from "../output/budget.js";
import { getPath } from "../output/format.js";
import { fitJsonItems } from "../output/json.js";
import { formatUsd } from "../spend/pricing.js";
import { formatCell } from "../output/format.js";
import { sanitizeText } from "../output/sanitize.js";
import { NEXT_TOOL } from "./define.js";


export interface PageMeta {
  tool: string;
  subject: string;
  totalCount?: number;
  /** Rows shown before this page. */
  shownBefore: number;
  costUsd: number;
  totalCostUsd: number;
  /** Where the rows came from. */
  source: "api" | "cache" | "held";
  cacheAgeMs?: number;
  demo: boolean;
  /** One-line notes for the header (defaults the API applied, target forms). */
  notes?: string[];
}

export interface PresentOptions {
  format: "text" | "json";
  /** A table of rows, or one record as "key<TAB>value" lines (summary). */
  layout: "table" | "record";
  columns: string[];
  /** The columns were named by the caller (json output is projected to them). */
  explicitFields: boolean;
  listLimit: number;
  maxChars: number;
  /** Estimated o200k tokens a reply may take. */
  maxTokens: number;
}

export interface Presented {
  text: string;
  structured: Record<string, unknown>;
  shown: number;
}

/** Handle placeholder of fixed length, used to size the footer before a handle exists. */
const HANDLE_SIZE = 32;

function headerLine(meta: PageMeta, shown: number): string {
  const parts = [`${meta.tool} ${meta.subject}`];
  if (meta.totalCount !== undefined) parts.push(`total_count ${meta.totalCount}`);
  parts.push(shown > 0 ? `rows ${meta.shownBefore + 1}-${meta.shownBefore + shown}` : "rows 0");
  parts.push(`cost ${formatUsd(meta.costUsd)}`);
  parts.push(`session total ${formatUsd(meta.totalCostUsd)}`);
  if (meta.source === "cache") parts.push(`from cache (${Math.round((meta.cacheAgeMs ?? 0) / 1000)} s old, not billed again)`);
  if (meta.source === "held") parts.push("rows already fetched, no new API call");
  for (const note of meta.notes ?? []) parts.push(sanitizeText(note, 200));
  if (meta.demo) parts.push("DEMO: synthetic data from the offline emulator");
  return `# ${parts.join(" | ")}`;
}

function footerLine(fetched: number, shown: number, hasMore: boolean, handle: string, maxChars: number, maxTokens: number): string {
  const next = `${NEXT_TOOL} {"search_after_token":"${handle}"}`;
  if (shown < fetched) {
    return `# output limit reached (${maxChars} chars or about ${maxTokens} tokens): ${shown} of ${fetched} fetched rows shown; the other ${fetched - shown} are held (already paid). Next: ${next}`;
  }
  if (hasMore) return `# more rows exist. Next: ${next}`;
  return "# end of results";
}


/**
 * Render rows. `handleFor(shown)` is called once with the number of rows that fit and returns the
 * paging handle for the rest (or null when nothing more exists).
 */
export async function present(
  rows: readonly unknown[],
  hasMoreUpstream: boolean,
  meta: PageMeta,
  options: PresentOptions,
  handleFor: (shown: number) => Promise<string | null>,
): Promise<Presented> {
  if (options.format === "json") return presentJson(rows, hasMoreUpstream, meta, options, handleFor);
  if (options.layout === "record") return presentRecord(rows, meta, options);
  return presentText(rows, hasMoreUpstream, meta, options, handleFor);
}

/** One record as "key<TAB>value" lines; empty values are left out. */
function recordLines(row: unknown, columns: string[], listLimit: number): string[] {
  const lines: string[] = [];
  for (const column of columns) {
    const cell = formatCell(getPath(row, column), listLimit, undefined, column);
    if (cell !== "") lines.push(`${sanitizeText(column, 200)}\t${cell}`);
  }
  return lines;
}

function presentRecord(
  rows: readonly unknown[],
  meta: PageMeta,
  options: PresentOptions,
): Presented {
  const lines = rows.length > 0 ? recordLines(rows[0], options.columns, options.listLimit) : [];
  const body = [headerLine(meta, rows.length > 0 ? 1 : 0), ...lines, "# end of results"].join("\n");
  return { text: clip(body, options.maxChars), structured: baseStructured(meta, rows.length > 0 ? 1 : 0, null), shown: rows.length };
}

async function presentText(
  rows: readonly unknown[],
  hasMoreUpstream: boolean,
  meta: PageMeta,
  options: PresentOptions,
  handleFor: (shown: number) => Promise<string | null>,
): Promise<Presented> {
  const table = renderTable(rows, options.columns, options.listLimit);
  // A table line may never look like a header or footer line.
  const lines = table.lines.map((line) => (line.startsWith("#") ? `\\${line}` : line));
  const provisionalFooter = footerLine(rows.length, 0, true, "x".repeat(HANDLE_SIZE), options.maxChars, options.maxTokens);
  const fixedText = [headerLine(meta, rows.length), table.header, provisionalFooter].join("\n");
  const fixed = fixedText.length + 3;
  let shown = fitLinesBudget(lines, { maxChars: options.maxChars - fixed, maxTokens: options.maxTokens - estimateTokens(fixedText) - 3, ascii: table.ascii });
  if (shown === 0 && lines.length > 0) {
    // One row larger than the whole budget: show it cut rather than never.
    lines[0] = clip(lines[0]!, Math.max(200, Math.min(options.maxChars - fixed - 1, options.maxTokens)));
    shown = 1;
  }
  const hasMore = shown < rows.length || hasMoreUpstream;
  const handle = hasMore ? await handleFor(shown) : null;
  const footer = footerLine(rows.length, shown, handle !== null, handle ?? "", options.maxChars, options.maxTokens);
  const body = [headerLine(meta, shown), table.header, ...lines.slice(0, shown), footer].join("\n");
  const structured = baseStructured(meta, shown, handle);
  return { text: clip(body, options.maxChars), structured, shown };
}

function baseStructured(meta: PageMeta, shown: number, handle: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tool: meta.tool,
    subject: meta.subject,
    total_count: meta.totalCount ?? null,
    rows_from: shown > 0 ? meta.shownBefore + 1 : 0,
    rows_shown: shown,
    cost_usd: meta.costUsd,
    total_cost_usd: meta.totalCostUsd,
    source: meta.source,
    next: handle,
  };
  if (meta.source === "cache") out.cache_age_s = Math.round((meta.cacheAgeMs ?? 0) / 1000);
  if (meta.demo) out.demo = true;
  return out;
}

/** Characters {"value":…} adds around an item. */
const WRAP_CHARS = '{"value":}'.length;

function isObjectItem(item: unknown): boolean {
  return typeof item === "object" && item !== null && !Array.isArray(item);
}

async function presentJson(
  rows: readonly unknown[],
  hasMoreUpstream: boolean,
  meta: PageMeta,
  options: PresentOptions,
  handleFor: (shown: number) => Promise<string | null>,
): Promise<Presented> {
  const skeleton = baseStructured(meta, rows.length, "x".repeat(HANDLE_SIZE));
  const fixed = JSON.stringify({ ...skeleton, items: [] }).length + 40;
  // Items that are not objects are wrapped as {"value": item} after fitting (the declared output
  // schema lists objects); the wrapping's characters are kept free beforehand.
  const wrapping = rows.reduce<number>((n, row) => n + (isObjectItem(row) ? 0 : WRAP_CHARS), 0);
  // JSON is counted in characters; two characters a token bounds the tokens of digit-heavy JSON too.
  const budget = Math.max(200, Math.min(options.maxChars, options.maxTokens * 2) - fixed - wrapping);
  const fit = fitJsonItems(rows, budget, { listLimit: options.listLimit, columns: options.explicitFields ? options.columns : undefined });
  const hasMore = fit.shown < rows.length || hasMoreUpstream;
  const handle = hasMore ? await handleFor(fit.shown) : null;
  const items = fit.items.map((item) => (isObjectItem(item) ? item : { value: item }));
  const structured = { ...baseStructured(meta, fit.shown, handle), items };
  return { text: JSON.stringify(structured), structured, shown: fit.shown };
}

// Cell formatting for the text table and trimming for JSON output.
import endpoints from "../data/backlinks-endpoints.json" with { type: "json" };
import { DEFAULT_TEXT_MAX, capText, sanitizeText } from "./sanitize.js";

/** URLs keep more characters than other text: a cut URL is useless. */
export const URL_TEXT_MAX = 500;
/** Map keys are short identifiers (tld, country, attribute). */
const KEY_TEXT_MAX = 60;
/** Guard for hostile nesting. */
const MAX_DEPTH = 32;

const API_DATE_TIME = /^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/;
const URL_LIKE = /^https?:\/\//i;

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface FieldNode {
  name: string;
  type: string;
  fields?: FieldNode[];
}

// Leaf names of the API's fixed nested objects (ranked_keywords_info, meta, page_summary, ...):
// an object made only of these is a record, not a counter, even when all its values are numbers.
const STRUCT_KEYS: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const visit = (nodes: FieldNode[]) => {
    for (const node of nodes) {
      if (node.type === "object" && node.fields) for (const child of node.fields) names.add(child.name);
      if (node.fields) visit(node.fields);
    }
  };
  for (const e of endpoints.live_endpoints as unknown as { result: FieldNode[] }[]) visit(e.result);
  return names;
})();

/**
 * A counter such as referring_links_tld: every value a number (or null), and not one of the
 * API's fixed records. Empty objects count too.
 */
function isCountMap(value: unknown): value is Record<string, number | null> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => STRUCT_KEYS.has(k))) return false;
  for (const key of keys) {
    const v = value[key];
    if (v !== null && typeof v !== "number") return false;
  }
  return true;
}

/** Map entries, largest count first, then key order. */
function sortedCounts(map: Record<string, number | null>): [string, number | null][] {
  return Object.entries(map).sort((a, b) => {
    const diff = (b[1] ?? -Infinity) - (a[1] ?? -Infinity);
    if (diff !== 0 && !Number.isNaN(diff)) return diff;
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  });
}

function textCap(text: string, maxText: number): number {
  return URL_LIKE.test(text) ? Math.max(maxText, URL_TEXT_MAX) : maxText;
}

function limitOf(listLimit: number): number {
  return Number.isFinite(listLimit) && listLimit > 0 ? Math.floor(listLimit) : 0;
}

/** Value at a dot path; a key that itself contains dots ("referring_links_tld.co.uk") is matched whole first. */
export function getPath(item: unknown, path: string): unknown {
  let current: unknown = item;
  let rest = path;
  while (rest.length > 0) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Array.isArray(current) && hasOwn(current, rest)) return (current as Record<string, unknown>)[rest];
    const dot = rest.indexOf(".");
    const head = dot < 0 ? rest : rest.slice(0, dot);
    rest = dot < 0 ? "" : rest.slice(dot + 1);
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(head)) return undefined;
      current = current[Number(head)];
    } else {
      if (!hasOwn(current, head)) return undefined;
      current = (current as Record<string, unknown>)[head];
    }
  }
  return current;
}

/** Plain decimal notation for normal magnitudes, at most 6 significant digits after rounding non-integers. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "" : value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value)) {
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  return String(Number(value.toPrecision(6)));
}

function formatScalarText(text: string, maxText: number): string {
  const date = API_DATE_TIME.exec(text);
  if (date) return date[1]!;
  return sanitizeText(text, textCap(text, maxText));
}

function more(total: number, shown: number): string {
  return total > shown ? ` +${total - shown}` : "";
}

function formatValue(value: unknown, listLimit: number, maxText: number, depth: number): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "y" : "n";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return formatScalarText(value, maxText);
  if (typeof value !== "object") return "";
  if (depth > MAX_DEPTH) return "…";
  const limit = limitOf(listLimit);

  if (Array.isArray(value)) {
    const shown = value.slice(0, limit);
    const objects = shown.some((v) => typeof v === "object" && v !== null);
    if (objects) {
      // A path of hops (indirect_link_path): each hop's values, hops joined by " > ".
      const hops = shown
        .map((v) =>
          isPlainObject(v)
            ? Object.values(v)
                .map((x) => formatValue(x, limit, maxText, depth + 1))
                .filter((s) => s.length > 0)
                .join(" ")
            : formatValue(v, limit, maxText, depth + 1),
        )
        .filter((s) => s.length > 0);
      return (hops.join(" > ") + more(value.length, shown.length)).trim();
    }
    const parts = shown.map((v) => formatValue(v, limit, maxText, depth + 1)).filter((s) => s.length > 0);
    return (parts.join(",") + more(value.length, shown.length)).trim();
  }

  if (isCountMap(value)) {
    const entries = sortedCounts(value);
    const shown = entries
      .slice(0, limit)
      .map(([k, v]) => `${sanitizeText(k, KEY_TEXT_MAX)}:${v === null ? "" : formatNumber(v)}`);
    return (shown.join(" ") + more(entries.length, Math.min(limit, entries.length))).trim();
  }

  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const cell = formatValue(v, limit, maxText, depth + 1);
    if (cell.length > 0) parts.push(`${sanitizeText(k, KEY_TEXT_MAX)}=${cell}`);
  }
  return parts.join(" ");
}

/** One table cell: single line, no tab, no newline. */
export function formatCell(value: unknown, listLimit: number, maxText: number = DEFAULT_TEXT_MAX): string {
  const cell = formatValue(value, listLimit, maxText, 0);
  // Every piece is already sanitised; this pass is a cheap guarantee for the joined result.
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(cell) ? sanitizeText(cell, Infinity) : cell;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function trimValue(value: unknown, limit: number, maxText: number, depth: number): unknown {
  if (typeof value === "string") return sanitizeText(value, textCap(value, maxText));
  if (value === null || typeof value !== "object") {
    return typeof value === "number" && !Number.isFinite(value) ? null : value;
  }
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, limit).map((v) => trimValue(v, limit, maxText, depth + 1));
  const out: Record<string, unknown> = {};
  if (depth > 0 && isCountMap(value)) {
    for (const [k, v] of sortedCounts(value).slice(0, limit)) setOwn(out, sanitizeText(k, KEY_TEXT_MAX), v);
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    setOwn(out, sanitizeText(k, KEY_TEXT_MAX), trimValue(v, limit, maxText, depth + 1));
  }
  return out;
}

/**
 * Deep copy for JSON output: every array and count map cut to listLimit entries (maps keep
 * the largest counts, largest first), every string sanitised and capped (URLs to URL_TEXT_MAX).
 * Dates stay as the API sent them.
 */
export function trimForJson(value: unknown, listLimit: number, maxText: number = DEFAULT_TEXT_MAX): unknown {
  return trimValue(value, limitOf(listLimit), maxText, 0);
}

export { capText };

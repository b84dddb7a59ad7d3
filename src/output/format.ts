// Cell formatting for the text table and trimming for JSON output.
import endpoints from "../data/backlinks-endpoints.json" with { type: "json" };
import { DEFAULT_TEXT_MAX, capText, sanitizeText } from "./sanitize.js";

/**
 * URLs keep every character up to the longest URL a target or filter value may have, so a URL
 * copied from a reply can be sent back unchanged. A cut URL is useless.
 */
export const URL_TEXT_MAX = 2048;
/** Map keys are short identifiers (tld, country, attribute). */
const KEY_TEXT_MAX = 60;
/** Guard for hostile nesting. */
const MAX_DEPTH = 32;

/** A date-time as the API writes it ("2024-01-31 12:00:00 +00:00"); a cell shows its date (group 1). */
export const API_DATE_TIME = /^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/;

/** Field names (last path segment) whose values are URLs in the API's result trees. */
const URL_FIELDS: ReadonlySet<string> = new Set([
  "url",
  "url_from",
  "url_to",
  "url_to_redirect_target",
  "image_url",
  "page",
  "canonical",
  "location",
  "target",
  "main_domain",
  "domain",
  "domain_from",
  "domain_to",
]);

/**
 * Whether a field holds a URL (or a target that may be one), decided by its name, never by the
 * value: "url_from", "1.url_to", "meta.canonical", "indirect_link_path" hops' "url".
 */
export function isUrlField(path: string | undefined): boolean {
  if (typeof path !== "string" || path.length === 0) return false;
  const dot = path.lastIndexOf(".");
  const leaf = dot < 0 ? path : path.slice(dot + 1);
  return URL_FIELDS.has(leaf) || leaf.endsWith("_url");
}

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

function compareCounts(a: [string, number | null], b: [string, number | null]): number {
  const diff = (b[1] ?? -Infinity) - (a[1] ?? -Infinity);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * The `limit` largest entries of a count map, largest first, then key order. A huge map is not
 * sorted whole: a numeric sort of the counts finds the cut-off, and only entries at or above it
 * are sorted with names.
 */
function topCounts(map: Record<string, number | null>, limit: number): [string, number | null][] {
  const entries = Object.entries(map);
  if (entries.length <= Math.max(64, limit * 4)) return entries.sort(compareCounts).slice(0, limit);
  if (limit <= 0) return [];
  const values = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const v = entries[i]![1];
    values[i] = typeof v === "number" && !Number.isNaN(v) ? v : -Infinity;
  }
  values.sort();
  const cutoff = values[values.length - Math.min(limit, values.length)]!;
  const numeric = (v: number | null) => (typeof v === "number" && !Number.isNaN(v) ? v : -Infinity);
  const above = entries.filter(([, v]) => numeric(v) > cutoff).sort(compareCounts);
  // Many entries can share the cut-off value: take the first keys in plain string order.
  const tie = entries.filter(([, v]) => numeric(v) === cutoff).map(([k]) => k);
  tie.sort();
  for (const key of tie) {
    if (above.length >= limit) break;
    above.push([key, map[key] ?? null]);
  }
  return above.slice(0, limit);
}

function textCap(url: boolean, maxText: number): number {
  return url ? Math.max(maxText, URL_TEXT_MAX) : maxText;
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

function formatScalarText(text: string, maxText: number, url: boolean): string {
  const date = API_DATE_TIME.exec(text);
  if (date) return date[1]!;
  return sanitizeText(text, textCap(url, maxText));
}

function more(total: number, shown: number): string {
  return total > shown ? ` +${total - shown}` : "";
}

function formatValue(value: unknown, listLimit: number, maxText: number, depth: number, url = false): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "y" : "n";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return formatScalarText(value, maxText, url);
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
            ? Object.entries(v)
                .map(([k, x]) => formatValue(x, limit, maxText, depth + 1, isUrlField(k)))
                .filter((s) => s.length > 0)
                .join(" ")
            : formatValue(v, limit, maxText, depth + 1, url),
        )
        .filter((s) => s.length > 0);
      return (hops.join(" > ") + more(value.length, shown.length)).trim();
    }
    const parts = shown.map((v) => formatValue(v, limit, maxText, depth + 1, url)).filter((s) => s.length > 0);
    return (parts.join(",") + more(value.length, shown.length)).trim();
  }

  if (isCountMap(value)) {
    const total = Object.keys(value).length;
    const shown = topCounts(value, limit)
      .map(([k, v]) => `${sanitizeText(k, KEY_TEXT_MAX)}:${v === null ? "" : formatNumber(v)}`);
    return (shown.join(" ") + more(total, Math.min(limit, total))).trim();
  }

  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const cell = formatValue(v, limit, maxText, depth + 1, isUrlField(k));
    if (cell.length > 0) parts.push(`${sanitizeText(k, KEY_TEXT_MAX)}=${cell}`);
  }
  return parts.join(" ");
}

/**
 * One table cell: single line, no tab, no newline. `field` is the column's path: URL fields keep
 * their whole URL (up to URL_TEXT_MAX) with its scheme.
 */
export function formatCell(
  value: unknown,
  listLimit: number,
  maxText: number = DEFAULT_TEXT_MAX,
  field?: string,
): string {
  const cell = formatValue(value, listLimit, maxText, 0, isUrlField(field));
  // Every piece is already sanitised; this pass is a cheap guarantee for the joined result.
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(cell) ? sanitizeText(cell, Infinity) : cell;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What is left of the character budget while trimming; `cut` once something was left out. */
interface TrimBudget {
  left: number;
  cut: boolean;
}

/** Exact JSON length of a scalar as JSON.stringify writes it. */
function scalarJsonLength(value: unknown): number {
  return (JSON.stringify(value) ?? "null").length;
}

const NO_ROOM = Symbol("no room");

function trimValue(
  value: unknown,
  limit: number,
  maxText: number,
  depth: number,
  url: boolean,
  budget: TrimBudget,
): unknown {
  let out: unknown;
  if (typeof value === "string") out = sanitizeText(value, textCap(url, maxText));
  else if (typeof value === "bigint") out = value.toString();
  else if (typeof value === "number") out = Number.isFinite(value) ? value : null;
  else if (value === null || typeof value === "boolean") out = value;
  else if (typeof value !== "object") out = null;
  else if (depth > MAX_DEPTH) out = null;
  else return trimContainer(value, limit, maxText, depth, url, budget);
  const cost = scalarJsonLength(out);
  if (cost > budget.left) {
    budget.cut = true;
    return NO_ROOM;
  }
  budget.left -= cost;
  return out;
}

function trimContainer(
  value: object,
  limit: number,
  maxText: number,
  depth: number,
  url: boolean,
  budget: TrimBudget,
): unknown {
  if (budget.left < 2) {
    budget.cut = true;
    return NO_ROOM;
  }
  budget.left -= 2; // the brackets
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    const n = Math.min(limit, value.length);
    for (let i = 0; i < n; i++) {
      const comma = out.length > 0 ? 1 : 0;
      if (budget.left < comma + 1) {
        budget.cut = true;
        break;
      }
      budget.left -= comma;
      const item = trimValue(value[i], limit, maxText, depth + 1, url, budget);
      if (item === NO_ROOM) {
        budget.left += comma;
        break;
      }
      out.push(item);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  const add = (key: string, v: unknown, isUrl: boolean): boolean => {
    const name = sanitizeText(key, KEY_TEXT_MAX);
    const keyCost = scalarJsonLength(name) + 1 + (count > 0 ? 1 : 0);
    if (budget.left < keyCost + 1) {
      budget.cut = true;
      return false;
    }
    budget.left -= keyCost;
    const t = trimValue(v, limit, maxText, depth + 1, isUrl, budget);
    if (t === NO_ROOM) {
      budget.left += keyCost;
      return false;
    }
    if (Object.prototype.hasOwnProperty.call(out, name)) budget.left += keyCost; // same key after cleaning
    else count++;
    setOwn(out, name, t);
    return true;
  };
  if (depth > 0 && isCountMap(value)) {
    for (const [k, v] of topCounts(value, limit)) if (!add(k, v, false)) break;
    return out;
  }
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (!add(k, v, isUrlField(k))) break;
  }
  return out;
}

/**
 * Deep copy for JSON output: every array and count map cut to listLimit entries (maps keep
 * the largest counts, largest first), every string sanitised and capped (URLs, by field name, to
 * URL_TEXT_MAX). Dates stay as the API sent them. With maxChars the copy's JSON text never passes
 * maxChars: what does not fit is left out (undefined when not even an empty shell fits).
 */
export function trimForJson(
  value: unknown,
  listLimit: number,
  maxText: number = DEFAULT_TEXT_MAX,
  maxChars: number = Infinity,
): unknown {
  const result = trimWithinBudget(value, listLimit, maxText, maxChars);
  return result.value;
}

/** trimForJson with a report of whether anything was left out for lack of room. */
export function trimWithinBudget(
  value: unknown,
  listLimit: number,
  maxText: number,
  maxChars: number,
): { value: unknown; cut: boolean } {
  const budget: TrimBudget = { left: maxChars >= 0 ? maxChars : 0, cut: false };
  const out = trimValue(value, limitOf(listLimit), maxText, 0, false, budget);
  return out === NO_ROOM ? { value: undefined, cut: true } : { value: out, cut: budget.cut };
}

export { capText };

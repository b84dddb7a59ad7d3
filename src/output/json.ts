// JSON output that fits a character budget, whatever the items hold.
import { getPath, trimWithinBudget } from "./format.js";
import { DEFAULT_TEXT_MAX } from "./sanitize.js";

export interface JsonFitOptions {
  /** Entries kept per nested list or count map (internal_list_limit). */
  listLimit: number;
  /** Cap on ordinary strings (URL fields keep up to URL_TEXT_MAX). */
  maxText?: number;
  /** Project object items to these column paths, as the text table shows them. */
  columns?: readonly string[];
}

export interface JsonFit {
  /** The leading items that fit, trimmed (and projected when columns were given). */
  items: unknown[];
  /** How many of the given items are in `items`; the rest did not fit and are for the next page. */
  shown: number;
  /** Items shortened inside to fit (only ever the first one, when it alone is over the budget). */
  cutInside: number;
  /** JSON.stringify(items): never longer than maxChars. */
  text: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object item cut to the given columns; anything else (number, string, null, list) unchanged. */
export function projectItem(item: unknown, columns: readonly string[] | undefined): unknown {
  if (!columns || !isRecord(item)) return item;
  const out: Record<string, unknown> = {};
  for (const path of columns) {
    const value = getPath(item, path);
    if (value !== undefined) setOwn(out, path, value);
  }
  return out;
}

/**
 * Fit leading items into a JSON array of at most maxChars characters. Items are kept whole, in
 * order, until the next one does not fit; only when the first item alone is over the budget is it
 * shortened inside (keys and list entries left out) so that something is shown. Items that are
 * not objects (numbers, strings, null) are kept as they are. Never exceeds maxChars, whatever the
 * items hold (huge strings, many keys, deep nesting).
 */
export function fitJsonItems(items: readonly unknown[], maxChars: number, opts: JsonFitOptions): JsonFit {
  const maxText = opts.maxText ?? DEFAULT_TEXT_MAX;
  const out: unknown[] = [];
  let cutInside = 0;
  let used = 2; // "[" and "]"
  if (!(maxChars >= 2)) return { items: [], shown: 0, cutInside: 0, text: "" };
  for (let i = 0; i < items.length; i++) {
    const comma = out.length > 0 ? 1 : 0;
    const room = maxChars - used - comma;
    if (room <= 0) break;
    const trimmed = trimWithinBudget(projectItem(items[i], opts.columns), opts.listLimit, maxText, room);
    if (trimmed.value === undefined) break;
    if (trimmed.cut) {
      if (out.length > 0) break; // keep it whole for the next page
      cutInside++;
    }
    const length = JSON.stringify(trimmed.value).length;
    if (used + comma + length > maxChars) break;
    used += comma + length;
    out.push(trimmed.value);
  }
  let text = JSON.stringify(out);
  // The accounting above is exact; this only guards the promise.
  while (text.length > maxChars && out.length > 0) {
    out.pop();
    text = JSON.stringify(out);
  }
  if (cutInside > out.length) cutInside = out.length;
  return { items: out, shown: out.length, cutInside, text };
}

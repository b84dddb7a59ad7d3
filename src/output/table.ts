// Tab-separated table: one header row, one line per item.
//
// Most cells are plain: a number, a yes/no, a date-time, or a short string of printable ASCII with
// single spaces inside. Those are written straight from the value, with what each column needs worked
// out once per table (its path, whether it holds URLs, whether it is an anchor). Anything else goes
// through formatCell, the one full formatter; both give the same text for the same value.
import { API_DATE_TIME, formatCell, formatNumber, getPath, isUrlField, URL_TEXT_MAX } from "./format.js";
import { DEFAULT_TEXT_MAX, sanitizeText } from "./sanitize.js";

/**
 * Marker in front of an image link's alt text shown in the anchor column (the link has no anchor
 * text; its image's alt text is what a reader sees instead).
 */
export const ALT_MARKER = "[img alt] ";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEmptyText(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && sanitizeText(value, 1).length === 0);
}

/** What a column needs, worked out once per table. */
interface Column {
  path: string;
  /**
   * A path without dots and no key of Object.prototype: the value is row[path] (a row parsed from
   * JSON inherits no other key, so an own-property check would change nothing).
   */
  direct: boolean;
  /** The longest plain string shown whole (URLs keep theirs up to URL_TEXT_MAX). */
  textMax: number;
  /** For an anchor column, where the image's alt text is ("alt", "1.alt"); else undefined. */
  altPath: string | undefined;
}

function compile(column: string): Column {
  const leaf = column.slice(column.lastIndexOf(".") + 1);
  return {
    path: column,
    direct: !column.includes(".") && !(column in Object.prototype),
    textMax: isUrlField(column) ? Math.max(DEFAULT_TEXT_MAX, URL_TEXT_MAX) : DEFAULT_TEXT_MAX,
    altPath: leaf === "anchor" ? column.slice(0, column.length - leaf.length) + "alt" : undefined,
  };
}

/** Printable ASCII words with single spaces between them (or nothing). */
const PLAIN = /^(?:[!-~]+(?: [!-~]+)*)?$/;

/**
 * The text of a string that needs no cleaning, or undefined: printable ASCII, no space at either end
 * or next to another, no longer than `max`. A date-time as the API writes it shows as its date.
 */
function plainText(text: string, max: number): string | undefined {
  const n = text.length;
  if (n > max) return undefined;
  if (n === 26 && text.charCodeAt(4) === 0x2d && API_DATE_TIME.test(text)) return text.slice(0, 10);
  return PLAIN.test(text) ? text : undefined;
}

/** The full formatter's cell, with the image alt text for an empty anchor. */
function fullCell(row: unknown, col: Column, listLimit: number): string {
  const value = getPath(row, col.path);
  if (col.altPath !== undefined && isEmptyText(value)) {
    const alt = getPath(row, col.altPath);
    if (typeof alt === "string") {
      const text = formatCell(alt, listLimit, DEFAULT_TEXT_MAX - ALT_MARKER.length, "alt");
      if (text.length > 0) return ALT_MARKER + text;
    }
  }
  return formatCell(value, listLimit, DEFAULT_TEXT_MAX, col.path);
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** Cleared while a table is rendered once a cell has anything but printable ASCII. */
let allAscii = true;

/** What the full formatter made of a cell, noting whether it is still plain ASCII. */
function noted(text: string): string {
  if (allAscii && !PRINTABLE_ASCII.test(text)) allAscii = false;
  return text;
}

/**
 * The column's cell. Values are shown as the API sent them (URLs keep their scheme, so a copied
 * URL can be sent back as a target or filter value). An anchor cell of an image link with no
 * anchor text shows the alt text after ALT_MARKER ("1.anchor" looks at "1.alt").
 */
function cell(row: Record<string, unknown>, col: Column, listLimit: number): string {
  const value = col.direct ? row[col.path] : getPath(row, col.path);
  if (typeof value === "string") {
    const text = plainText(value, col.textMax);
    if (text !== undefined && (text !== "" || col.altPath === undefined)) return text;
  } else if (typeof value === "number") {
    return formatNumber(value);
  } else if (typeof value === "boolean") {
    return value ? "y" : "n";
  } else if (value === undefined || value === null) {
    if (col.altPath === undefined) return "";
    // An image link: its alt text, when it is plain.
    const alt = getPath(row, col.altPath);
    if (alt === undefined || alt === null) return "";
    if (typeof alt === "string") {
      const text = plainText(alt, DEFAULT_TEXT_MAX - ALT_MARKER.length);
      if (text !== undefined) return text === "" ? "" : ALT_MARKER + text;
    }
  }
  return noted(fullCell(row, col, listLimit));
}

/**
 * A row that is not an object (a number, string, null or list in `items`) is shown whole in the
 * first column, so it is never lost.
 */
function scalarRow(row: unknown, columns: readonly string[], listLimit: number): string {
  const shown = row === null ? "null" : formatCell(row, listLimit, DEFAULT_TEXT_MAX, columns[0]);
  const rest = columns.length > 1 ? "\t".repeat(columns.length - 1) : "";
  return shown + rest;
}

export interface Table {
  header: string;
  lines: string[];
  /** Every line is printable ASCII and tabs (so its o200k tokens are at most its length). */
  ascii: boolean;
}

/** Rows are JSON values as parsed (objects inherit only what Object.prototype has). */
export function renderTable(rows: readonly unknown[], columns: readonly string[], listLimit: number): Table {
  // Column names come from validated input, but a map key is free text: keep it on one line.
  const header = columns.map((c) => sanitizeText(c, 200)).join("\t");
  const cols = columns.map(compile);
  allAscii = true;
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!isRecord(row)) {
      allAscii = false;
      lines[r] = scalarRow(row, columns, listLimit);
      continue;
    }
    let line = cols.length > 0 ? cell(row, cols[0]!, listLimit) : "";
    for (let c = 1; c < cols.length; c++) line += "\t" + cell(row, cols[c]!, listLimit);
    lines[r] = line;
  }
  return { header, lines, ascii: allAscii };
}

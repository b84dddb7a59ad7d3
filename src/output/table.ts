// Tab-separated table: one header row, one line per item.
import { formatCell, getPath } from "./format.js";
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

/**
 * The column's cell. Values are shown as the API sent them (URLs keep their scheme, so a copied
 * URL can be sent back as a target or filter value). An anchor cell of an image link with no
 * anchor text shows the alt text after ALT_MARKER ("1.anchor" looks at "1.alt").
 */
function cell(row: unknown, column: string, listLimit: number): string {
  const value = getPath(row, column);
  const leaf = column.slice(column.lastIndexOf(".") + 1);
  if (leaf === "anchor" && isEmptyText(value)) {
    const alt = getPath(row, column.slice(0, column.length - leaf.length) + "alt");
    if (typeof alt === "string") {
      const text = formatCell(alt, listLimit, DEFAULT_TEXT_MAX - ALT_MARKER.length, "alt");
      if (text.length > 0) return ALT_MARKER + text;
    }
  }
  return formatCell(value, listLimit, DEFAULT_TEXT_MAX, column);
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

export function renderTable(
  rows: readonly unknown[],
  columns: readonly string[],
  listLimit: number,
): { header: string; lines: string[] } {
  // Column names come from validated input, but a map key is free text: keep it on one line.
  const header = columns.map((c) => sanitizeText(c, 200)).join("\t");
  const lines = rows.map((row) =>
    isRecord(row) ? columns.map((c) => cell(row, c, listLimit)).join("\t") : scalarRow(row, columns, listLimit),
  );
  return { header, lines };
}

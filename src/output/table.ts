// Tab-separated table: one header row, one line per item.
import { formatCell, getPath } from "./format.js";
import { sanitizeText } from "./sanitize.js";

/**
 * In URL columns a leading "https://" is dropped (http:// stays): the commonest prefix would otherwise
 * cost tokens on every row. A URL cell without a scheme therefore means https.
 */
function cellValue(row: unknown, column: string): unknown {
  const value = getPath(row, column);
  if (typeof value === "string" && column.includes("url") && value.startsWith("https://")) return value.slice(8);
  return value;
}

export function renderTable(
  rows: readonly unknown[],
  columns: readonly string[],
  listLimit: number,
): { header: string; lines: string[] } {
  // Column names come from validated input, but a map key is free text: keep it on one line.
  const header = columns.map((c) => sanitizeText(c, 200)).join("\t");
  const lines = rows.map((row) => columns.map((c) => formatCell(cellValue(row, c), listLimit)).join("\t"));
  return { header, lines };
}

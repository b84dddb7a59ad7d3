// Tab-separated table: one header row, one line per item.
import { formatCell, getPath } from "./format.js";
import { sanitizeText } from "./sanitize.js";

export function renderTable(
  rows: readonly unknown[],
  columns: readonly string[],
  listLimit: number,
): { header: string; lines: string[] } {
  // Column names come from validated input, but a map key is free text: keep it on one line.
  const header = columns.map((c) => sanitizeText(c, 200)).join("\t");
  const lines = rows.map((row) => columns.map((c) => formatCell(getPath(row, c), listLimit)).join("\t"));
  return { header, lines };
}

// Token counting and the baseline renderings the text output is compared with.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

export const TOKENIZER = "gpt-tokenizer o200k_base";

export function tokens(text) {
  return countTokens(text);
}

/** Drop null and false fields at every depth (what the official server's output keeps). */
export function dropNullFalse(value) {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== false).map(dropNullFalse);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === false) continue;
    out[k] = dropNullFalse(v);
  }
  return out;
}

/** Each raw item pretty-printed with nulls and falses dropped, one after the other. */
export function officialStyle(items) {
  return items.map((item) => JSON.stringify(dropNullFalse(item), null, 2)).join("\n");
}

export function rawJson(items) {
  return JSON.stringify(items);
}

const API_DATE_TIME = /^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/;

function bareCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "y" : "n";
  if (typeof value === "string") {
    const date = API_DATE_TIME.exec(value);
    return date ? date[1] : value.replace(/[\t\r\n]+/g, " ");
  }
  if (typeof value === "object") return JSON.stringify(value).replace(/[\t\r\n]+/g, " ");
  return String(value);
}

/** The floor: header plus one line per row, raw values of the columns joined by tabs. */
export function bareTsv(items, columns) {
  const lines = [columns.join("\t")];
  for (const item of items) lines.push(columns.map((c) => bareCell(item[c])).join("\t"));
  return lines.join("\n");
}

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

/** Empty in the `.ai` sense: null, false, "", [] or {} (dropped from the reply). */
function isEmpty(value) {
  if (value === null || value === undefined || value === false || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * DataForSEO's `.ai` transform of one item, as the official server shows it: empty, null and false
 * fields stripped at every depth, floats rounded to 3 decimals.
 */
export function aiItem(value) {
  if (typeof value === "number") return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
  if (Array.isArray(value)) return value.map(aiItem).filter((v) => !isEmpty(v));
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const t = aiItem(v);
    if (!isEmpty(t)) out[k] = t;
  }
  return out;
}

/** The `.ai` reply's items: `{ id, status_code, status_message, result: [{ ...result, items }] }` reduced. */
export function aiReply(result) {
  return JSON.stringify({ status_code: 20000, status_message: "Ok.", result: [aiItem(result)] });
}

/** The top-level fields the `.ai` items show, in first-seen order (union over the rows). */
export function aiFields(items) {
  const seen = new Set();
  for (const item of items) for (const k of Object.keys(aiItem(item))) seen.add(k);
  return [...seen];
}

/**
 * A reply's text with the running session total replaced by this call's own cost, as in the
 * first call of a session: token figures then do not depend on how many calls came before.
 */
export function pinSessionTotal(text) {
  return text.replace(/\| cost (\S+) \| session total \S+/g, "| cost $1 | session total $1");
}

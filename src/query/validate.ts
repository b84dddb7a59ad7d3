// Checks filters / backlinks_filters / order_by before anything is sent upstream.
import { sanitizeText } from "../output/sanitize.js";
import {
  type Catalogue,
  type FieldType,
  type PathOptions,
  MAP_KEY_PLACEHOLDER,
  OPERATORS_BY_TYPE,
  PER_TARGET_PLACEHOLDER,
  canonicalPath,
  fieldType,
  maxTargetNumber,
  plainFieldNames,
  targetNumberOf,
} from "./catalogue.js";
import { rankByCloseness, suggest } from "./suggest.js";

export { suggest } from "./suggest.js";

export const MAX_CONDITIONS = 8;
export const MAX_ORDER_RULES = 3;
export const MAX_IN_VALUES = 1000;
export const MAX_PATTERN_LENGTH = 1000;
/** Longest text or number value (a long URL fits; a pasted page does not). */
export const MAX_VALUE_LENGTH = 2048;
/** Longest field path (the longest catalogue path is under 70 characters; map keys add a little). */
export const MAX_FIELD_LENGTH = 200;
/** Longest operator word. */
export const MAX_OPERATOR_LENGTH = 32;
/** Whole expression, measured as JSON text. */
export const MAX_EXPRESSION_CHARS = 100_000;
/** Longest order_by rule. */
export const MAX_ORDER_RULE_LENGTH = MAX_FIELD_LENGTH + 6;
/** The API's task tag. */
export const MAX_TAG_LENGTH = 255;
/** Deeper nesting than this is rejected (it cannot be needed for 8 conditions). */
export const MAX_DEPTH = 16;
/** At most this many messages per parameter; the rest are summarised. */
const MAX_MESSAGES = 10;

const LOGIC = new Set(["and", "or"]);
const CONDITION_EXAMPLE = '["dofollow","=",true]';
const COMBINE_EXAMPLE = '[["rank",">",100],"and",["dofollow","=",true]]';
const NEST_EXAMPLE = '[[a],"and",[[b],"or",[c]]]';

// ---------- echoing user input ----------

/** User input shown in a message: one line, at most `max` characters. */
function show(value: unknown, max = 40): string {
  let text: string;
  if (typeof value === "string" && value.length > max * 4) value = value.slice(0, max * 4);
  if (typeof value === "object" && value !== null && expressionSize(value, max * 4) > max * 4) {
    return Array.isArray(value) ? `[… ${value.length} elements]` : "{…}";
  }
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return sanitizeText(text, max);
}

/** A name in single quotes, capped (long enough for every catalogue path). */
function name(value: string, max = 60): string {
  return `'${sanitizeText(value, max)}'`;
}

// ---------- fields ----------

/** Per-call state: the list of valid fields is shown once per parameter, not per condition. */
interface Ctx {
  catalogue: Catalogue;
  param: string;
  listed: boolean;
  opts: PathOptions | undefined;
}

function unknownFieldMessage(field: string, ctx: Ctx): string {
  const { catalogue, param } = ctx;
  let number: number | undefined;
  if (catalogue.perTarget) {
    number = targetNumberOf(field);
    const max = maxTargetNumber(ctx.opts);
    if (number !== undefined && (number < 1 || number > max)) {
      const rest = field.slice(String(number).length + 1);
      const example = fieldType(catalogue, `1.${rest}`) !== undefined ? `, e.g. '1.${sanitizeText(rest, 60)}'` : "";
      return `field ${name(field)} in ${param} uses target number ${number}; targets are numbered 1 to ${max}${example}`;
    }
    if (number === undefined && fieldType(catalogue, `1.${field}`) !== undefined) {
      return `field ${name(field)} in ${param} belongs to one target: write it with the target's number, e.g. '1.${sanitizeText(field, 60)}'`;
    }
  }
  const canonical = canonicalPath(catalogue, field, ctx.opts);
  // Show a catalogue path the way the caller wrote the target number ("<n>.rank" → "2.rank").
  const display = (path: string) =>
    number !== undefined && path.startsWith(PER_TARGET_PLACEHOLDER) ? `${number}.${path.slice(PER_TARGET_PLACEHOLDER.length)}` : path;
  if (catalogue.mapPrefixes.includes(canonical)) {
    return `field ${name(field)} in ${param} is a count map; filter on one key, e.g. '${display(canonical)}.com'`;
  }
  const plain = plainFieldNames(catalogue);
  let guess = suggest(canonical, plain);
  if (guess === undefined && catalogue.mapPrefixes.length > 0) {
    // "<map>.<key>" with a misspelt map name keeps the key.
    for (const prefix of catalogue.mapPrefixes) {
      if (guess !== undefined) break;
      const depth = prefix.split(".").length;
      const parts = canonical.split(".");
      if (parts.length <= depth) continue;
      const head = parts.slice(0, depth).join(".");
      const key = parts.slice(depth).join(".");
      if (suggest(head, [prefix]) !== undefined && key.length > 0) guess = `${prefix}.${key}`;
    }
    guess ??= suggest(canonical, catalogue.mapPrefixes.map((p) => p + MAP_KEY_PLACEHOLDER));
  }
  if (guess !== undefined) return `unknown field ${name(field)} in ${param}; did you mean '${display(guess)}'?`;
  if (ctx.listed) return `unknown field ${name(field)} in ${param}`;
  ctx.listed = true;
  const { ranked } = rankByCloseness(canonical, Object.keys(catalogue.fields));
  const note = catalogue.perTarget ? ` (<n> is the target's number, 1 to ${maxTargetNumber(ctx.opts)})` : "";
  return `unknown field ${name(field)} in ${param}. Valid fields, nearest first: ${ranked.join(", ")}${note}`;
}

// ---------- operators ----------

const OPERATOR_ALIASES: Record<string, string> = {
  "!=": "<>", "!==": "<>", ne: "<>", neq: "<>", not_equal: "<>", not_equals: "<>", is_not: "<>",
  "==": "=", "===": "=", eq: "=", equal: "=", equals: "=", is: "=",
  gt: ">", greater: ">", greater_than: ">", more_than: ">", above: ">", after: ">",
  gte: ">=", ge: ">=", "=>": ">=", greater_or_equal: ">=", greater_than_or_equal: ">=", min: ">=",
  lt: "<", less: "<", less_than: "<", below: "<", before: "<",
  lte: "<=", le: "<=", "=<": "<=", less_or_equal: "<=", less_than_or_equal: "<=", max: "<=",
  nin: "not_in", notin: "not_in", not_in_list: "not_in", in_list: "in", one_of: "in",
  regexp: "regex", re: "regex", rlike: "regex", matches_regex: "regex", not_regexp: "not_regex",
  notlike: "not_like", notilike: "not_ilike",
};
const CONTAINS = new Set(["contains", "contain", "includes", "include", "has", "substring", "like_any", "search"]);
const NOT_CONTAINS = new Set([
  "not_contains", "!contains", "does_not_contain", "doesnt_contain", "not_includes", "excludes", "has_not",
]);
const STARTS = new Set(["startswith", "starts_with", "start_with", "begins_with", "beginswith", "prefix"]);
const ENDS = new Set(["endswith", "ends_with", "end_with", "suffix"]);

function normaliseOperator(op: string): string {
  return op.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** A specific fix for a wrong operator, or undefined when only the list of valid ones helps. */
function operatorHint(op: string, type: FieldType, allowed: readonly string[]): string | undefined {
  const norm = normaliseOperator(op);
  const ok = (candidate: string) => allowed.includes(candidate);
  if (norm !== op && ok(norm)) return `write it as '${norm}'`;
  if (type === "array.str") {
    if ((CONTAINS.has(norm) || norm === "=" || norm === "in" || norm === "==") && ok("has")) {
      return `use has with one value, e.g. ["attributes","has","nofollow"]`;
    }
    if ((NOT_CONTAINS.has(norm) || norm === "<>" || norm === "!=" || norm === "not_in") && ok("has_not")) {
      return "use has_not with one value";
    }
    return undefined;
  }
  if (CONTAINS.has(norm) && ok("like")) return "use like with '%text%' (ilike ignores case)";
  if (NOT_CONTAINS.has(norm) && ok("not_like")) return "use not_like with '%text%' (not_ilike ignores case)";
  if (STARTS.has(norm) && ok("like")) return "use like with 'text%'";
  if (ENDS.has(norm) && ok("like")) return "use like with '%text'";
  const alias = OPERATOR_ALIASES[norm];
  if (alias !== undefined && ok(alias)) return `use ${alias}`;
  if ((norm === "like" || norm === "ilike" || norm === "regex" || norm === "match") && type !== "str") {
    return `${norm} works on text fields only`;
  }
  return undefined;
}

// ---------- values ----------

// Linear: every digit run is followed by a character that ends it, so nothing is tried twice.
const NUMERIC_STRING = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) \+00:00$/;

function isNumberLike(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  return typeof v === "string" && NUMERIC_STRING.test(v) && Number.isFinite(Number(v));
}

function isBoolLike(v: unknown): boolean {
  return typeof v === "boolean" || v === "true" || v === "false";
}

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function isTimeLike(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const dt = DATE_TIME.exec(v);
  if (dt) {
    const [, y, mo, d, h, mi, s] = dt.map(Number) as number[];
    return isValidDate(y!, mo!, d!) && h! <= 23 && mi! <= 59 && s! <= 59;
  }
  const date = DATE.exec(v);
  return date !== null && isValidDate(Number(date[1]), Number(date[2]), Number(date[3]));
}

/** Problem with one scalar value for a field type, or undefined. */
function scalarProblem(type: FieldType, v: unknown): string | undefined {
  if (typeof v === "string" && v.length > MAX_VALUE_LENGTH) {
    return `is ${v.length} characters long; at most ${MAX_VALUE_LENGTH} are allowed`;
  }
  switch (type) {
    case "num":
      return isNumberLike(v) ? undefined : "must be a number";
    case "bool":
      return isBoolLike(v) ? undefined : "must be true or false";
    case "time":
      return isTimeLike(v) ? undefined : 'must be a date "yyyy-mm-dd" or "yyyy-mm-dd hh:mm:ss +00:00"';
    case "str":
    case "array.str":
      return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? undefined : "must be a string";
  }
}

function valueProblems(field: string, type: FieldType, op: string, value: unknown, param: string): string[] {
  const where = `for ${name(field)} in ${param}`;
  if (value === null) {
    return op === "=" || op === "<>" ? [] : [`null ${where} only works with = or <>`];
  }
  if (value === undefined) return [`missing value ${where}; write [field, operator, value]`];
  if (op === "in" || op === "not_in") {
    if (!Array.isArray(value) || value.length === 0) {
      return [`${op} ${where} needs a non-empty array, e.g. ["${field.slice(0, 40)}","${op}",[...]]; got ${show(value)}`];
    }
    if (value.length > MAX_IN_VALUES) {
      return [`${op} ${where} has ${value.length} values; at most ${MAX_IN_VALUES} are allowed`];
    }
    for (let i = 0; i < value.length; i++) {
      const problem = scalarProblem(type, value[i]);
      if (problem !== undefined) return [`value ${i + 1} of ${op} ${where} ${problem}, got ${show(value[i])}`];
    }
    return [];
  }
  if (Array.isArray(value)) {
    return [`an array value ${where} needs in or not_in, not ${sanitizeText(op, 12)}`];
  }
  if (op === "like" || op === "not_like" || op === "ilike" || op === "not_ilike" || op === "match" || op === "not_match") {
    if (typeof value !== "string") return [`${op} ${where} needs a string such as "%seo%", got ${show(value)}`];
    if (value.length > MAX_PATTERN_LENGTH) return [`${op} pattern ${where} is longer than ${MAX_PATTERN_LENGTH} characters`];
    return [];
  }
  if (op === "regex" || op === "not_regex") {
    if (typeof value !== "string") return [`${op} ${where} needs a pattern string, got ${show(value)}`];
    if (value.length > MAX_PATTERN_LENGTH) return [`${op} pattern ${where} is longer than ${MAX_PATTERN_LENGTH} characters`];
    try {
      new RegExp(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : "invalid";
      return [`${op} pattern ${where} does not compile: ${sanitizeText(reason, 60)}`];
    }
    // DataForSEO matches with RE2, which has no lookaround and no backreferences.
    if (usesLookaroundOrBackreference(value)) {
      return [`${op} pattern ${where} uses lookaround or a backreference, which the API's RE2 engine does not support`];
    }
    return [];
  }
  const problem = scalarProblem(type, value);
  return problem === undefined ? [] : [`value ${where} (${type}) ${problem}, got ${show(value)}`];
}

/** Lookaround or backreference outside a character class (JS has them, RE2 does not). */
function usesLookaroundOrBackreference(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || (next === "k" && pattern[i + 2] === "<"))) return true;
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith("=") || rest.startsWith("!") || rest === "<=" || rest === "<!") return true;
    }
  }
  return false;
}

// ---------- conditions ----------

function conditionProblems(node: unknown[], ctx: Ctx): string[] {
  const { catalogue, param } = ctx;
  if (node.length !== 3) {
    const combine = node.some((x) => typeof x === "string" && LOGIC.has(x.toLowerCase()))
      ? `; to combine conditions wrap each one: ${COMBINE_EXAMPLE}`
      : "";
    return [`${param}: a condition needs exactly 3 elements [field, operator, value], got ${node.length}: ${show(node)}${combine}`];
  }
  const [field, op, value] = node;
  if (typeof field !== "string" || field.length === 0) {
    return [`${param}: a condition's field must be a non-empty string, got ${show(field)}; write ${CONDITION_EXAMPLE}`];
  }
  if (field.length > MAX_FIELD_LENGTH) {
    return [`${param}: a field path is ${field.length} characters long; at most ${MAX_FIELD_LENGTH} are allowed`];
  }
  if (typeof op === "string" && op.length > MAX_OPERATOR_LENGTH) {
    return [`${param}: the operator for ${name(field)} is ${op.length} characters long; operators are short words like ">" or "like"`];
  }
  const type = fieldType(catalogue, field, ctx.opts);
  if (type === undefined) return [unknownFieldMessage(field, ctx)];
  const allowed = OPERATORS_BY_TYPE[type];
  if (typeof op !== "string") {
    return [`${param}: operator for ${name(field)} must be a string, one of: ${allowed.join(", ")}`];
  }
  if (!allowed.includes(op)) {
    const hint = operatorHint(op, type, allowed);
    return [
      `operator ${name(op, 20)} is not supported for ${type} field ${name(field)} in ${param}` +
        `${hint ? `; ${hint}` : ""}. Valid: ${allowed.join(", ")}`,
    ];
  }
  return valueProblems(field, type, op, value, param);
}

// ---------- expressions ----------

function isConditionShaped(node: unknown[]): boolean {
  return node.length > 0 && !Array.isArray(node[0]);
}

function walk(node: unknown, depth: number, ctx: Ctx, out: string[], top: boolean): void {
  const { param } = ctx;
  if (depth > MAX_DEPTH) {
    out.push(`${param} is nested more than ${MAX_DEPTH} levels deep; flatten the brackets`);
    return;
  }
  if (!Array.isArray(node)) {
    out.push(
      top
        ? `${param} must be a condition ${CONDITION_EXAMPLE} or a list like ${COMBINE_EXAMPLE}; got ${show(node)}`
        : `${param}: expected a condition [field, operator, value] or a bracketed group, got ${show(node)}`,
    );
    return;
  }
  if (node.length === 0) {
    out.push(
      top
        ? `${param} is empty; give a condition like ${CONDITION_EXAMPLE} or omit ${param}`
        : `${param} contains an empty group []; remove it`,
    );
    return;
  }
  if (isConditionShaped(node)) {
    if (typeof node[0] === "string" || node.length === 3) {
      out.push(...conditionProblems(node, ctx));
    } else {
      out.push(`${param}: expected a condition [field, operator, value] or a list of them, got ${show(node)}`);
    }
    return;
  }
  if (node.length === 1) {
    walk(node[0], depth + 1, ctx, out, false);
    return;
  }
  if (node.length % 2 === 0) {
    out.push(
      `${param}: a list must alternate expressions and "and"/"or" ([expr, "and", expr, ...], odd length), got ${node.length} elements`,
    );
  }
  const words = new Set<string>();
  for (let i = 0; i < node.length; i++) {
    const item = node[i];
    if (i % 2 === 1) {
      if (typeof item === "string" && LOGIC.has(item)) {
        words.add(item);
      } else if (typeof item === "string" && LOGIC.has(item.trim().toLowerCase())) {
        out.push(`${param}: write the logic word ${show(item, 12)} as "${item.trim().toLowerCase()}"`);
        words.add(item.trim().toLowerCase());
      } else {
        out.push(`${param}: expected "and" or "or" between expressions, got ${show(item)}`);
      }
    } else if (!Array.isArray(item)) {
      out.push(`${param}: expected a bracketed condition [field, operator, value] at position ${i + 1}, got ${show(item)}`);
    } else {
      walk(item, depth + 1, ctx, out, false);
    }
  }
  if (words.size > 1) {
    out.push(`${param} mixes "and" and "or" in one list; nest them to group explicitly, e.g. ${NEST_EXAMPLE}`);
  }
}

function finish(messages: string[], param: string): string[] {
  const unique = [...new Set(messages)];
  if (unique.length <= MAX_MESSAGES) return unique;
  const rest = unique.length - (MAX_MESSAGES - 1);
  return [...unique.slice(0, MAX_MESSAGES - 1), `…and ${rest} more problems in ${param}`];
}

/** [] when the expression is valid for the catalogue; otherwise one message per problem. */
export function checkFilters(value: unknown, catalogue: Catalogue, param: string, opts?: PathOptions): string[] {
  if (value === undefined) return [];
  const size = expressionSize(value, MAX_EXPRESSION_CHARS);
  if (size > MAX_EXPRESSION_CHARS) {
    return [
      `${param} is more than ${MAX_EXPRESSION_CHARS} characters long as JSON; at most ${MAX_EXPRESSION_CHARS} are allowed. Shorten the values or split the query`,
    ];
  }
  const out: string[] = [];
  const count = countConditions(value);
  if (count > MAX_CONDITIONS) {
    out.push(
      `${param} has ${count} conditions; at most ${MAX_CONDITIONS} are allowed. Merge values with in/not_in or split into several calls`,
    );
  }
  walk(value, 0, { catalogue, param, listed: false, opts }, out, true);
  return finish(out, param);
}

/**
 * Size of a value as JSON text, approximately (strings by length plus quotes), counting stops as
 * soon as it passes `stopAt`: the cost is bounded by stopAt, not by the input.
 */
export function expressionSize(value: unknown, stopAt: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= stopAt) {
    const node = stack.pop();
    if (typeof node === "string") total += node.length + 2;
    else if (Array.isArray(node)) {
      total += 2 + Math.max(0, node.length - 1);
      if (node.length > stopAt) return stopAt + 1;
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
    } else if (node !== null && typeof node === "object") {
      const keys = Object.keys(node);
      total += 2 + keys.length * 4;
      if (keys.length > stopAt) return stopAt + 1;
      for (const key of keys) {
        total += key.length;
        stack.push((node as Record<string, unknown>)[key]);
      }
    } else total += String(node).length;
  }
  return total;
}

/** [] when the tag is absent or a string of at most MAX_TAG_LENGTH characters. */
export function checkTag(value: unknown, param = "tag"): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string") return [`${param} must be a string`];
  if (value.length > MAX_TAG_LENGTH) {
    return [`${param} is ${value.length} characters long; at most ${MAX_TAG_LENGTH} are allowed`];
  }
  return [];
}

/** Number of leaf conditions (arrays whose first element is not an array), at any depth. */
export function countConditions(value: unknown): number {
  const count = (node: unknown, depth: number): number => {
    if (!Array.isArray(node) || node.length === 0 || depth > MAX_DEPTH) return 0;
    if (!Array.isArray(node[0])) return 1;
    let total = 0;
    for (const item of node) total += count(item, depth + 1);
    return total;
  };
  return count(value, 0);
}

// ---------- order_by ----------

export function checkOrderBy(
  value: unknown,
  catalogue: Catalogue,
  param = "order_by",
  opts?: PathOptions,
): string[] {
  if (value === undefined) return [];
  if (typeof value === "string") {
    return [`${param} must be an array of strings; wrap it: [${show(value, 60)}]`];
  }
  if (!Array.isArray(value)) {
    return [`${param} must be an array of 1 to ${MAX_ORDER_RULES} rules like ["rank,desc"], got ${show(value)}`];
  }
  if (value.length === 0) return [`${param} is empty; give 1 to ${MAX_ORDER_RULES} rules like ["rank,desc"] or omit it`];
  const out: string[] = [];
  if (value.length > MAX_ORDER_RULES) {
    out.push(`${param} has ${value.length} rules; at most ${MAX_ORDER_RULES} are allowed`);
    if (value.length > MAX_ORDER_RULES * 10) return out;
  }
  const seen = new Set<string>();
  const ctx: Ctx = { catalogue, param, listed: false, opts };
  value.forEach((rule, index) => {
    if (typeof rule !== "string") {
      out.push(`${param} rule ${index + 1} must be a string "field,asc" or "field,desc", got ${show(rule)}`);
      return;
    }
    if (rule.length > MAX_ORDER_RULE_LENGTH) {
      out.push(`${param} rule ${index + 1} is ${rule.length} characters long; at most ${MAX_ORDER_RULE_LENGTH} are allowed`);
      return;
    }
    const parts = rule.split(",");
    if (parts.length === 1) {
      // "rank desc", "rank:desc", "rank DESC": the direction is there, only the comma is missing.
      const spaced = /^\s*([^\s:]+)[\s:]+(asc|desc)\s*$/i.exec(rule);
      if (spaced) {
        const fixed = `${sanitizeText(spaced[1]!, 60)},${spaced[2]!.toLowerCase()}`;
        out.push(`${param} rule ${name(rule)}: separate field and direction with a comma: "${fixed}"`);
        return;
      }
      const f = sanitizeText(rule.trim(), 60);
      out.push(`${param} rule ${name(rule)} needs a direction: "${f},asc" or "${f},desc"`);
      return;
    }
    if (parts.length > 2) {
      out.push(`${param} rule ${name(rule)} must be one field and one direction, e.g. "rank,desc"; use one rule per field`);
      return;
    }
    const [field, direction] = parts as [string, string];
    if (field !== field.trim() || direction !== direction.trim()) {
      out.push(`${param} rule ${name(rule)} must not contain spaces: "${sanitizeText(field.trim(), 40)},${sanitizeText(direction.trim(), 10)}"`);
      return;
    }
    if (direction !== "asc" && direction !== "desc") {
      const lower = direction.toLowerCase();
      out.push(
        lower === "asc" || lower === "desc"
          ? `${param} rule ${name(rule)}: write the direction in lower case, "${lower}"`
          : `${param} rule ${name(rule)}: direction must be asc or desc`,
      );
      return;
    }
    const type = fieldType(catalogue, field, opts);
    if (type === undefined) {
      out.push(unknownFieldMessage(field, ctx));
      return;
    }
    if (type === "array.str") {
      out.push(`${param} cannot sort by list field ${name(field)}; pick a number, text or date field`);
      return;
    }
    if (seen.has(field)) {
      out.push(`${param} sorts by ${name(field)} twice; keep one rule per field`);
      return;
    }
    seen.add(field);
  });
  return finish(out, param);
}

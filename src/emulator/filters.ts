// The filters / order_by grammar: parse, check against a field catalogue, compile to closures.
import { invalidField } from "./errors.js";

export type FieldType = "str" | "num" | "bool" | "time" | "array.str";

/** What a query may look at: a field's type and a getter returning its comparable value. */
export interface FieldResolver<T> {
  typeOf(field: string): FieldType | undefined;
  getter(field: string): (row: T) => unknown;
}

export type Predicate<T> = (row: T) => boolean;

export const MAX_CONDITIONS = 8;
export const MAX_ORDER_RULES = 3;

const OPERATORS: Record<FieldType, readonly string[]> = {
  num: ["=", "<>", "<", "<=", ">", ">=", "in", "not_in"],
  time: ["=", "<>", "<", "<=", ">", ">="],
  bool: ["=", "<>"],
  str: ["=", "<>", "in", "not_in", "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "match", "not_match"],
  "array.str": ["has", "has_not"],
};

/** Build a catalogue lookup from a { path: type } map where "<key>" marks a counter-map key. */
export function catalogue(fields: Record<string, string>): (field: string) => FieldType | undefined {
  const exact = new Map<string, FieldType>();
  const prefixes: [string, FieldType][] = [];
  for (const [path, type] of Object.entries(fields)) {
    if (path.endsWith(".<key>")) prefixes.push([path.slice(0, -"<key>".length), type as FieldType]);
    else exact.set(path, type as FieldType);
  }
  return (field) => {
    const t = exact.get(field);
    if (t) return t;
    for (const [prefix, type] of prefixes) if (field.startsWith(prefix) && field.length > prefix.length) return type;
    return undefined;
  };
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\s*(Z|[+-]\d{2}:?\d{2}))?)?$/;

/** "yyyy-mm-dd hh:mm:ss +00:00" or "yyyy-mm-dd" → epoch ms (UTC), or null when malformed. */
export function parseTime(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", tz] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return null;
  let offset = 0;
  if (tz && tz !== "Z") {
    const sign = tz[0] === "-" ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms - offset;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function likeToRegex(pattern: string, insensitive: boolean): RegExp {
  let src = "";
  for (const ch of pattern) src += ch === "%" ? "[\\s\\S]*" : ch === "_" ? "[\\s\\S]" : escapeRegex(ch);
  return new RegExp(`^${src}$`, insensitive ? "is" : "s");
}

function countConditions(expr: unknown): number {
  if (!Array.isArray(expr)) return 0;
  if (typeof expr[0] === "string") return 1;
  let n = 0;
  for (const part of expr) if (Array.isArray(part)) n += countConditions(part);
  return n;
}

interface Ctx {
  param: string;
}

function coerceScalar(type: FieldType, value: unknown, ctx: Ctx, field: string): number | string | boolean | null {
  if (value === null) return null;
  const bad = () => invalidField(ctx.param, `Value ${JSON.stringify(value)} does not fit field '${field}' (${type}).`);
  switch (type) {
    case "num": {
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
      throw bad();
    }
    case "bool": {
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      throw bad();
    }
    case "time": {
      const t = typeof value === "string" ? parseTime(value) : null;
      if (t === null) throw bad();
      return t;
    }
    default: {
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw bad();
    }
  }
}

function compileCondition<T>(cond: unknown[], resolver: FieldResolver<T>, ctx: Ctx): Predicate<T> {
  const [field, rawOp, value] = cond;
  if (typeof field !== "string") throw invalidField(ctx.param, "A condition must start with a field name.");
  const type = resolver.typeOf(field);
  if (!type) throw invalidField(field);
  if (typeof rawOp !== "string") throw invalidField(ctx.param, `The operator for '${field}' must be a string.`);
  const op = rawOp.toLowerCase();
  if (!OPERATORS[type].includes(op)) {
    throw invalidField(ctx.param, `Operator '${rawOp}' is not supported for '${field}' (${type}); use one of: ${OPERATORS[type].join(" ")}.`);
  }
  const get = resolver.getter(field);
  const negate = (p: Predicate<T>): Predicate<T> => (r) => !p(r);

  if (op === "in" || op === "not_in") {
    if (!Array.isArray(value) || value.length === 0) throw invalidField(ctx.param, `'${op}' on '${field}' needs a non-empty array.`);
    const set = new Set(value.map((v) => coerceScalar(type, v, ctx, field)));
    const p: Predicate<T> = (r) => set.has(get(r) as never);
    return op === "in" ? p : negate(p);
  }
  if (op === "has" || op === "has_not") {
    if (typeof value !== "string") throw invalidField(ctx.param, `'${op}' on '${field}' needs a string.`);
    const p: Predicate<T> = (r) => {
      const v = get(r);
      return Array.isArray(v) && v.includes(value);
    };
    return op === "has" ? p : negate(p);
  }
  if (op === "=" || op === "<>") {
    const target = coerceScalar(type, value, ctx, field);
    const p: Predicate<T> = target === null ? (r) => get(r) == null : (r) => get(r) === target;
    return op === "=" ? p : negate(p);
  }
  if (op === "<" || op === "<=" || op === ">" || op === ">=") {
    const target = coerceScalar(type, value, ctx, field);
    if (target === null) throw invalidField(ctx.param, `'${op}' on '${field}' needs a value, not null.`);
    const t = target as number;
    const num = (r: T) => get(r) as number | null;
    if (op === "<") return (r) => { const v = num(r); return v != null && v < t; };
    if (op === "<=") return (r) => { const v = num(r); return v != null && v <= t; };
    if (op === ">") return (r) => { const v = num(r); return v != null && v > t; };
    return (r) => { const v = num(r); return v != null && v >= t; };
  }
  // String pattern operators.
  if (typeof value !== "string") throw invalidField(ctx.param, `'${op}' on '${field}' needs a string.`);
  const base = op.replace(/^not_/, "");
  let tests: RegExp[];
  if (base === "like" || base === "ilike") tests = [likeToRegex(value, base === "ilike")];
  else if (base === "regex") {
    if (value.length > 1000) throw invalidField(ctx.param, "Regular expressions are limited to 1000 characters.");
    try {
      tests = [new RegExp(value)];
    } catch {
      throw invalidField(ctx.param, `Invalid regular expression for '${field}'.`);
    }
  } else {
    const words = value.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw invalidField(ctx.param, `'${op}' on '${field}' needs at least one word.`);
    tests = words.map((w) => new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegex(w)}(?![\\p{L}\\p{N}_])`, "iu"));
  }
  const p: Predicate<T> = (r) => {
    const v = get(r);
    if (typeof v !== "string") return false;
    for (const re of tests) if (!re.test(v)) return false;
    return true;
  };
  return op.startsWith("not_") ? negate(p) : p;
}

function compileExpr<T>(expr: unknown, resolver: FieldResolver<T>, ctx: Ctx): Predicate<T> {
  if (!Array.isArray(expr) || expr.length === 0) throw invalidField(ctx.param, "Each filter must be a non-empty array.");
  if (typeof expr[0] === "string") {
    if (expr.length !== 3) throw invalidField(ctx.param, "A condition is [field, operator, value].");
    return compileCondition(expr, resolver, ctx);
  }
  if (expr.length === 1) return compileExpr(expr[0], resolver, ctx);
  if (expr.length % 2 === 0) throw invalidField(ctx.param, "Conditions must be joined by \"and\" / \"or\".");
  let acc = compileExpr(expr[0], resolver, ctx);
  for (let i = 1; i < expr.length; i += 2) {
    const logic = typeof expr[i] === "string" ? (expr[i] as string).toLowerCase() : "";
    if (logic !== "and" && logic !== "or") throw invalidField(ctx.param, `Expected "and" or "or" between conditions, got ${JSON.stringify(expr[i])}.`);
    const left = acc;
    const right = compileExpr(expr[i + 1], resolver, ctx);
    acc = logic === "and" ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
  }
  return acc;
}

/** Compile a filters value; null when absent or empty. Flat chains evaluate left to right. */
export function compileFilters<T>(raw: unknown, resolver: FieldResolver<T>, param = "filters"): Predicate<T> | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw invalidField(param, "Filters must be an array.");
  if (raw.length === 0) return null;
  const n = countConditions(raw);
  if (n > MAX_CONDITIONS) throw invalidField(param, `At most ${MAX_CONDITIONS} conditions are allowed, got ${n}.`);
  return compileExpr(raw, resolver, { param });
}

export interface OrderRule {
  field: string;
  desc: boolean;
}

/** Parse order_by: up to three "field,asc|desc" strings over sortable (non-array) fields. */
export function parseOrderBy<T>(raw: unknown, resolver: FieldResolver<T>): OrderRule[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw invalidField("order_by", "order_by must be an array of \"field,asc|desc\" strings.");
  if (raw.length === 0) return null;
  if (raw.length > MAX_ORDER_RULES) throw invalidField("order_by", `At most ${MAX_ORDER_RULES} sorting rules are allowed.`);
  return raw.map((rule) => {
    if (typeof rule !== "string") throw invalidField("order_by", "Each rule must be a \"field,asc|desc\" string.");
    const parts = rule.split(",").map((s) => s.trim());
    if (parts.length !== 2 || !parts[0]) throw invalidField("order_by", `Rule '${rule}' must look like "field,asc" or "field,desc".`);
    const [field, dir] = parts;
    const type = resolver.typeOf(field);
    if (!type) throw invalidField(field);
    if (type === "array.str") throw invalidField("order_by", `Field '${field}' is an array and cannot be sorted on.`);
    const d = dir.toLowerCase();
    if (d !== "asc" && d !== "desc") throw invalidField("order_by", `Direction in '${rule}' must be asc or desc.`);
    return { field, desc: d === "desc" };
  });
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  if (typeof a === "boolean") return (a ? 1 : 0) - ((b as boolean) ? 1 : 0);
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Comparator for the rules, then the tie-breaker; nulls sort last in either direction. */
export function comparator<T>(rules: OrderRule[], resolver: FieldResolver<T>, tieBreak: (a: T, b: T) => number): (a: T, b: T) => number {
  const compiled = rules.map((r) => ({ get: resolver.getter(r.field), sign: r.desc ? -1 : 1 }));
  return (a, b) => {
    for (const { get, sign } of compiled) {
      const va = get(a);
      const vb = get(b);
      if (va == null || vb == null) {
        if (va == null && vb == null) continue;
        return va == null ? 1 : -1;
      }
      const c = compareValues(va, vb);
      if (c !== 0) return c * sign;
    }
    return tieBreak(a, b);
  };
}

// The request checks and result trees of every live endpoint, read from the reference data.
// One generic checker answers 40501 `Invalid Field: '<name>'.` for anything the request list forbids;
// endpoint modules keep only behaviour.
import endpoints from "../data/backlinks-endpoints.json" with { type: "json" };
import { invalidField } from "./errors.js";
import { DAY_MS } from "./graph.js";
import type { Task } from "./params.js";

export interface ParamSpec {
  name: string;
  type: string;
  required?: boolean;
  default?: string;
  min?: number | string;
  max?: number | string;
  enum?: string[];
  max_items?: number;
  max_length?: number;
  format?: string;
  max_conditions?: number;
  max_rules?: number;
}

export interface TreeField {
  name: string;
  type: string;
  fields?: TreeField[];
}

interface EndpointSpec {
  key: string;
  path: string;
  request: ParamSpec[];
  result: TreeField[];
}

const SPECS = new Map<string, EndpointSpec>(
  (endpoints.live_endpoints as unknown as EndpointSpec[]).map((e) => [e.key, e]),
);

export function endpointSpec(key: string): EndpointSpec {
  const s = SPECS.get(key);
  if (!s) throw new Error(`unknown endpoint ${key}`);
  return s;
}

export const LIVE_ENDPOINT_KEYS: readonly string[] = [...SPECS.keys()];

/** The result tree of an endpoint (fields of result[0]). */
export function resultTree(key: string): TreeField[] {
  return endpointSpec(key).result;
}

/** The fields of one `items` element. */
export function itemTree(key: string): TreeField[] {
  const items = resultTree(key).find((f) => f.name === "items");
  return items?.fields ?? [];
}

/** A sub-tree by field name. */
export function subTree(fields: TreeField[], name: string): TreeField[] {
  return fields.find((f) => f.name === name)?.fields ?? [];
}

/**
 * Build an object whose keys are exactly the tree's names in the tree's order, reading values from
 * `values`; plain `object` fields with a sub-tree are built the same way from the nested value.
 */
export function byTree(fields: TreeField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.type === "object" && f.fields && v && typeof v === "object" && !Array.isArray(v)) {
      out[f.name] = byTree(f.fields, v as Record<string, unknown>);
    } else out[f.name] = v === undefined ? null : v;
  }
  return out;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "yyyy-mm-dd" → epoch ms at 00:00 UTC, or null when it is not a real date. */
export function parseDate(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const d = new Date(ms);
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? ms : null;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The same calendar day n months earlier (clamped to the month's last day), epoch ms. */
export function monthsBefore(nowMs: number, months: number): number {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last));
}

/** A date bound written in the data: a date, "today", "today minus 1 month|year". */
function dateBound(text: string | number | undefined, nowMs: number): number | null {
  if (text === undefined || typeof text === "number") return null;
  const t = text.trim();
  const direct = parseDate(t.slice(0, 10));
  if (direct !== null) return direct;
  if (t === "today") return nowMs;
  const m = /^today minus (\d+) (day|month|year)s?$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === "day" ? nowMs - n * DAY_MS : monthsBefore(nowMs, m[2] === "month" ? n : n * 12);
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checked parameters with documented defaults applied; dates become epoch ms. */
export type Params = Record<string, unknown>;

function checkOne(p: ParamSpec, v: unknown, nowMs: number): unknown {
  switch (p.type) {
    case "integer": {
      const min = p.min !== undefined ? Number(p.min) : p.name.endsWith("limit") ? 1 : 0;
      const max = p.max !== undefined ? Number(p.max) : Number.MAX_SAFE_INTEGER;
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      if (typeof v !== "number" || !Number.isInteger(v)) throw invalidField(p.name, `Must be an integer ${range}.`);
      if (v < min || v > max) throw invalidField(p.name, `Must be an integer ${range}, got ${v}.`);
      return v;
    }
    case "boolean":
      if (typeof v !== "boolean") throw invalidField(p.name, "Must be true or false.");
      return v;
    case "string": {
      if (typeof v !== "string") throw invalidField(p.name, "Must be a string.");
      if (p.enum && !p.enum.includes(v)) throw invalidField(p.name, `Must be one of: ${p.enum.join(", ")}.`);
      if (p.max_length !== undefined && v.length > p.max_length) {
        throw invalidField(p.name, `Must be a string of at most ${p.max_length} characters.`);
      }
      if (p.format === "yyyy-mm-dd") {
        const ms = parseDate(v);
        if (ms === null) throw invalidField(p.name, "Use a real date in the format yyyy-mm-dd.");
        const lo = dateBound(p.min, nowMs);
        const hi = dateBound(p.max, nowMs) ?? nowMs;
        if (lo !== null && ms < lo) throw invalidField(p.name, `The earliest date is ${formatDate(lo)}.`);
        if (ms > hi) throw invalidField(p.name, `The date cannot be after ${formatDate(hi)}.`);
        return ms;
      }
      return v;
    }
    case "array<string>": {
      if (!Array.isArray(v) || (v.length === 0 && p.required)) throw invalidField(p.name, "Must be a non-empty array of strings.");
      if (p.max_items !== undefined && v.length > p.max_items) throw invalidField(p.name, `At most ${p.max_items} items are allowed.`);
      if (p.max_rules !== undefined && v.length > p.max_rules) throw invalidField(p.name, `At most ${p.max_rules} sorting rules are allowed.`);
      if (!v.every((x) => typeof x === "string")) throw invalidField(p.name, "Must be a non-empty array of strings.");
      return v;
    }
    case "array<any>": {
      if (!Array.isArray(v)) throw invalidField(p.name, "Must be an array.");
      if (p.max_rules !== undefined && v.length > p.max_rules) throw invalidField(p.name, `At most ${p.max_rules} sorting rules are allowed.`);
      return v;
    }
    case "object<string,string>": {
      if (!isPlain(v)) throw invalidField(p.name, "Must be an object keyed \"1\", \"2\", … with string values.");
      const keys = Object.keys(v);
      const max = p.max_items ?? Number.MAX_SAFE_INTEGER;
      if (keys.length === 0) throw invalidField(p.name, "Give at least one entry.");
      if (keys.length > max) throw invalidField(p.name, `At most ${max} entries are allowed.`);
      for (const k of keys) {
        if (!/^[1-9]\d*$/.test(k) || Number(k) > max) throw invalidField(p.name, `Keys must be "1" to "${max}", got "${k}".`);
        if (typeof v[k] !== "string") throw invalidField(p.name, `The value of "${k}" must be a string.`);
      }
      return v;
    }
    case "object<string,any>":
      if (!isPlain(v)) throw invalidField(p.name, "Must be an object.");
      return v;
    default:
      return v;
  }
}

function defaultOf(p: ParamSpec, nowMs: number): unknown {
  if (p.default === undefined) return undefined;
  if (p.type === "integer") return Number(p.default);
  if (p.type === "boolean") return p.default === "true";
  if (p.format === "yyyy-mm-dd") return dateBound(p.default, nowMs) ?? undefined;
  return p.default;
}

/**
 * Check one task against the endpoint's request list: unknown keys, required parameters, types,
 * ranges, enums, item counts, lengths and date bounds. Returns the values with defaults applied.
 * A null value counts as absent.
 */
export function checkRequest(key: string, task: Task, nowMs: number): Params {
  const spec = endpointSpec(key);
  const byName = new Map(spec.request.map((p) => [p.name, p]));
  for (const k of Object.keys(task)) if (!byName.has(k)) throw invalidField(k);
  const out: Params = {};
  for (const p of spec.request) {
    const v = task[p.name];
    if (v === undefined || v === null || (p.required && v === "")) {
      if (p.required) throw invalidField(p.name, "The field is required.");
      const d = defaultOf(p, nowMs);
      if (d !== undefined) out[p.name] = d;
      continue;
    }
    out[p.name] = checkOne(p, v, nowMs);
  }
  return out;
}


// Tool input schemas generated from the reference: one zod field per documented request parameter,
// with its type, limits and enum. A parameter the caller leaves out is left out of the request, so the
// API applies its own default. The defaults are stated once, in the server instructions (DEFAULTS_TEXT),
// rather than in every schema: tools/list is paid for in context on every turn.
import { z } from "zod";
import { integerMinimum, literalDefault, numericBound, type EndpointRef, type ParamSpec } from "../reference/endpoints.js";

/** Short descriptions of parameters whose meaning is not obvious from name and type. */
const PARAM_DOCS: Record<string, string> = {
  exclude_targets: "drop referrers linking to these; trailing * = URL prefix",
  search_after_token: "previous page's token, same params",
  custom_mode: "value links per distinct field; overrides mode",
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function describe<T extends z.ZodType>(schema: T, text: string | undefined): T {
  return text ? (schema.describe(text) as T) : schema;
}

/** The zod type of one documented parameter. */
export function paramSchema(ref: EndpointRef, p: ParamSpec, hint?: string): z.ZodType {
  const doc = hint ?? PARAM_DOCS[p.name];
  let schema: z.ZodType;
  switch (p.type) {
    case "integer": {
      let n = z.number().int();
      n = n.min(integerMinimum(p));
      const max = numericBound(p.max);
      if (max !== undefined) n = n.max(max);
      schema = n;
      break;
    }
    case "boolean":
      schema = z.boolean();
      break;
    case "string":
      if (p.enum) schema = z.enum(p.enum as [string, ...string[]]);
      else if (p.format === "yyyy-mm-dd") schema = z.string().regex(DATE, { message: `${p.name} must be yyyy-mm-dd` });
      else schema = z.string().min(1).max(p.max_length ?? 2048);
      break;
    case "array<string>": {
      const max = p.max_items ?? p.max_rules ?? 1000;
      schema = z.array(z.string()).max(max);
      if (p.required) schema = (schema as z.ZodArray<z.ZodString>).min(1);
      break;
    }
    case "array<any>":
      schema = z.array(z.unknown());
      break;
    case "object<string,string>":
      // Intersection targets: a plain list in the tool; the request carries the API's numbered object.
      schema = z.array(z.string()).min(1).max(p.max_items ?? 20);
      break;
    case "object<string,any>": {
      const shape = p.shape;
      if (!shape) throw new Error(`${ref.key}.${p.name}: an object parameter needs a shape`);
      schema = z.strictObject({
        field: z.enum(shape.field as [string, ...string[]]),
        value: z.number().int().min(shape.value.min).max(shape.value.max),
      });
      break;
    }
  }
  schema = describe(schema, doc);
  return p.required ? schema : schema.optional();
}

/** Output controls every endpoint tool has. */
export const FORMAT = z.enum(["text", "json"]).optional();
const FIELDS_MAX = 60;
export const FIELDS = z.array(z.string()).min(1).max(FIELDS_MAX).optional();
/** The spend the user agreed to, for calls above the confirmation threshold. */
export const CONFIRM = z.number().min(0).max(1_000_000).optional();

/**
 * The documented literal defaults and the shared limits of every endpoint, said once:
 * "switches true, limit 100 (1–1000), offset 0, …, order_by ≤3". A switch that defaults to false would
 * need its own mention, so it stops the build.
 */
export function defaultsText(refs: readonly EndpointRef[], limits: Limits = limitsOf(refs)): string {
  const seen = new Map<string, string>();
  for (const ref of refs) {
    for (const p of ref.params) {
      const value = literalDefault(p);
      if (value === undefined || seen.has(p.name)) continue;
      if (typeof value === "boolean" && !value) throw new Error(`${ref.key}.${p.name}: a switch that defaults to false needs its own mention`);
      seen.set(p.name, String(value));
    }
  }
  const parts = ["switches true"];
  for (const [name, value] of seen) {
    if (value === "true") continue;
    const limit = limits.shared.get(name);
    parts.push(limit ? `${name} ${value} (${limit})` : `${name} ${value}`);
  }
  for (const [name, limit] of limits.shared) {
    if (!seen.has(name)) parts.push(`${name} ${limit}`);
  }
  return parts.join(", ");
}

/** A documented bound in words: "1–1000", "≤3", "≤255 chars"; undefined when the parameter has none. */
function boundText(p: ParamSpec): string | undefined {
  if (p.type === "integer") {
    const max = numericBound(p.max);
    if (max === undefined) return undefined;
    const min = integerMinimum(p);
    return min > 0 ? `${min}–${max}` : `≤${max}`;
  }
  if (p.type === "string") return p.max_length ? `≤${p.max_length} chars` : undefined;
  const items = p.max_items ?? p.max_rules;
  return items ? `≤${items}` : undefined;
}

export interface Limits {
  /** Limits the same on every endpoint that has the parameter: said once in the instructions. */
  shared: Map<string, string>;
  /** Parameters whose limit differs between endpoints (offset, targets): each schema keeps its own. */
  varying: Set<string>;
}

/**
 * Where each documented limit is told to the model. tools/list is paid for in context on every turn, so
 * a limit shared by all endpoints is said once ("limit 1–1000, order_by ≤3, …") and only the limits that
 * differ stay in the schemas. The handler enforces every limit either way, and a call over one is refused
 * free with the limit named.
 */
export function limitsOf(refs: readonly EndpointRef[]): Limits {
  const byName = new Map<string, Set<string>>();
  for (const ref of refs) {
    for (const p of ref.params) {
      if (!byName.has(p.name)) byName.set(p.name, new Set());
      byName.get(p.name)!.add(boundText(p) ?? "");
    }
  }
  const shared = new Map<string, string>();
  const varying = new Set<string>();
  for (const [name, texts] of byName) {
    const [only] = texts;
    if (texts.size > 1) varying.add(name);
    else if (only) shared.set(name, only);
  }
  shared.set("fields", `≤${FIELDS_MAX}`);
  return { shared, varying };
}

/** The zod shape of an endpoint tool: documented parameters, local ones, then output controls. */
export function inputShape(
  ref: EndpointRef,
  hints: Record<string, string> = {},
  local: Record<string, z.ZodType> = {},
): z.ZodRawShape {
  const shape: Record<string, z.ZodType> = {};
  for (const p of ref.params) shape[p.name] = paramSchema(ref, p, hints[p.name]);
  for (const [name, schema] of Object.entries(local)) shape[name] = schema;
  shape.format = FORMAT;
  shape.fields = FIELDS;
  shape.confirm_cost_usd = CONFIRM;
  return shape;
}

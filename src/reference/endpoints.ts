// A typed view over src/data/backlinks-endpoints.json: for every live Backlinks endpoint its path,
// parameters, result tree, where the rows are, how it pages and which query features it has.
// Everything the pipeline needs to know about an endpoint that the data determines comes from here.
import data from "../data/backlinks-endpoints.json" with { type: "json" };

export type ParamType =
  | "string"
  | "integer"
  | "boolean"
  | "array<string>"
  | "array<any>"
  | "object<string,string>"
  | "object<string,any>";

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  /** As documented: a literal ("100", "true", "live") or a phrase ("today", "today minus 1 month"). */
  default?: string;
  min?: number | string;
  max?: number | string;
  enum?: string[];
  max_items?: number;
  max_length?: number;
  max_conditions?: number;
  max_rules?: number;
  format?: string;
  shape?: { field: string[]; value: { type: string; min: number; max: number } };
  note?: string;
}

export interface FieldNode {
  name: string;
  type: string;
  note?: string;
  fields?: FieldNode[];
}

/**
 * Where an endpoint's rows are:
 * - items: `result.items`, one row per item (lists, bulk endpoints: one per target, time series: one per date);
 * - record: the result object itself is the one row (summary);
 * - intersection: `result.items`, each holding per-target objects keyed "1".."20" plus a summary.
 */
export type RowsKind = "items" | "record" | "intersection";

/** How more rows are fetched: DataForSEO's search_after_token, offset, or not at all. */
export type PagingKind = "token" | "offset" | "none";

/** What the caller names as the thing analysed. */
export type TargetKind = "target" | "targets" | "intersection";

export interface Features {
  filters: boolean;
  order_by: boolean;
  backlinks_filters: boolean;
  search_after_token: boolean;
  rank_scale: boolean;
  internal_list_limit: boolean;
}

export interface EndpointRef {
  key: string;
  path: string;
  purpose: string;
  params: ParamSpec[];
  result: FieldNode[];
  features: Features;
  rows: RowsKind;
  paging: PagingKind;
  targetKind: TargetKind;
  /** The per-target object's key inside an intersection item ("domain_intersection"), else undefined. */
  intersectionKey?: string;
  /** The fields of one row before flattening: an item's fields, or the record's. */
  rowFields: FieldNode[];
  /** Request parameters by name. */
  param(name: string): ParamSpec | undefined;
}

interface RawEndpoint {
  key: string;
  method: string;
  path: string;
  purpose: string;
  request: ParamSpec[];
  result: FieldNode[];
  supports: Features;
}

function rowsKind(raw: RawEndpoint): { rows: RowsKind; intersectionKey?: string; rowFields: FieldNode[] } {
  const items = raw.result.find((f) => f.name === "items");
  if (!items) return { rows: "record", rowFields: raw.result };
  const fields = items.fields ?? [];
  const perTarget = fields.find((f) => /^object<string,(object|array<object>)>$/.test(f.type));
  if (perTarget) return { rows: "intersection", intersectionKey: perTarget.name, rowFields: perTarget.fields ?? [] };
  return { rows: "items", rowFields: fields };
}

function build(raw: RawEndpoint): EndpointRef {
  const byName = new Map(raw.request.map((p) => [p.name, p]));
  const { rows, intersectionKey, rowFields } = rowsKind(raw);
  const targets = byName.get("targets");
  const targetKind: TargetKind = !targets ? "target" : targets.type === "object<string,string>" ? "intersection" : "targets";
  const paging: PagingKind = raw.supports.search_after_token ? "token" : byName.has("offset") ? "offset" : "none";
  return Object.freeze({
    key: raw.key,
    path: raw.path,
    purpose: raw.purpose,
    params: raw.request,
    result: raw.result,
    features: raw.supports,
    rows,
    paging,
    targetKind,
    intersectionKey,
    rowFields,
    param: (name: string) => byName.get(name),
  });
}

const LIVE = (data.live_endpoints as unknown as RawEndpoint[]).filter((e) => e.method === "POST");

/** Every live endpoint, in the reference's order. */
export const ENDPOINTS: readonly EndpointRef[] = Object.freeze(LIVE.map(build));

const BY_KEY = new Map(ENDPOINTS.map((e) => [e.key, e]));

/** The endpoint keys, as the reference names them (summary, backlinks, …). */
export const ENDPOINT_KEYS: readonly string[] = Object.freeze(ENDPOINTS.map((e) => e.key));

export function endpointRef(key: string): EndpointRef {
  const ref = BY_KEY.get(key);
  if (!ref) throw new Error(`no endpoint '${key}' in backlinks-endpoints.json`);
  return ref;
}

/** A documented default as a value, when it is a literal (not a phrase such as "today"). */
export function literalDefault(p: ParamSpec): string | number | boolean | undefined {
  if (p.default === undefined) return undefined;
  if (p.type === "integer") {
    const n = Number(p.default);
    return Number.isInteger(n) ? n : undefined;
  }
  if (p.type === "boolean") return p.default === "true" ? true : p.default === "false" ? false : undefined;
  if (p.enum) return p.enum.includes(p.default) ? p.default : undefined;
  return undefined;
}

/** A documented integer bound, when numeric. */
export function numericBound(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The smallest value an integer parameter takes: its documented minimum, else 0 for offset and 1 otherwise. */
export function integerMinimum(p: ParamSpec): number {
  return numericBound(p.min) ?? (p.name === "offset" ? 0 : 1);
}

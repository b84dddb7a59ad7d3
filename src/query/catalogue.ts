// Filterable fields per endpoint, from the reference catalogue.
import filterFields from "../data/backlinks-filter-fields.json" with { type: "json" };
import endpointData from "../data/backlinks-endpoints.json" with { type: "json" };

export type FieldType = "str" | "num" | "bool" | "time" | "array.str";
/** Any endpoint key of backlinks-endpoints.json ("backlinks", "anchors", "domain_intersection", ...). */
export type EndpointKey = string;

/** Intersection endpoints number their targets 1 to 20. */
export const MAX_TARGET_NUMBER = 20;
/** Prefix the catalogue uses for per-target fields of intersection endpoints. */
export const PER_TARGET_PLACEHOLDER = "<n>.";

export interface Catalogue {
  endpoint: EndpointKey;
  /** Intersection endpoint: per-target fields are written "<n>.field" with n = 1..20 ("1.rank"). */
  perTarget: boolean;
  /** Field path → type. Counter maps appear once as "<map>.<key>" (a placeholder, never a valid path itself). */
  fields: Record<string, FieldType>;
  /** Counter maps filterable as "<map>.<anykey>", e.g. "referring_links_tld". */
  mapPrefixes: string[];
}

/** Placeholder suffix the catalogue uses for counter-map keys. */
export const MAP_KEY_PLACEHOLDER = ".<key>";

const FIELD_TYPES: readonly FieldType[] = ["str", "num", "bool", "time", "array.str"];

function isFieldType(value: unknown): value is FieldType {
  return typeof value === "string" && (FIELD_TYPES as readonly string[]).includes(value);
}

// The JSON annotates some operators ("has_not (documented for ...)"); keep the first word only.
function buildOperators(): Record<FieldType, readonly string[]> {
  const raw = filterFields.type_operators as Record<string, string[]>;
  const out = {} as Record<FieldType, readonly string[]>;
  for (const type of FIELD_TYPES) {
    const list = raw[type] ?? [];
    out[type] = Object.freeze(list.map((entry) => entry.trim().split(/\s+/)[0]!).filter((op) => op.length > 0));
  }
  return Object.freeze(out);
}

export const OPERATORS_BY_TYPE: Record<FieldType, readonly string[]> = buildOperators();

const memo = new Map<EndpointKey, Catalogue>();

const SOURCES = filterFields.endpoints as Record<string, Record<string, string>>;

/** True when the endpoint has its own filter catalogue (every endpoint that takes `filters`). */
export function hasFilterCatalogue(endpoint: string): boolean {
  return typeof endpoint === "string" && Object.prototype.hasOwnProperty.call(SOURCES, endpoint);
}

interface EndpointSupports {
  filters?: boolean;
  order_by?: boolean;
  backlinks_filters?: boolean;
  rank_scale?: boolean;
}

/** What the endpoint supports, from backlinks-endpoints.json; undefined for an unknown endpoint. */
export function endpointSupports(endpoint: string): EndpointSupports | undefined {
  const live = (endpointData.live_endpoints as unknown as { key: string; supports?: EndpointSupports }[]).find(
    (e) => e.key === endpoint,
  );
  return live ? (live.supports ?? {}) : undefined;
}

export type QueryParam = "filters" | "order_by" | "backlinks_filters";

/**
 * The catalogue a query parameter is checked against: the endpoint's own for filters and order_by,
 * the backlinks catalogue for backlinks_filters (which filter the backlinks an aggregate is built
 * from). When the endpoint does not take the parameter, a message that says so instead.
 */
export function catalogueForParam(
  endpoint: string,
  param: QueryParam,
): { catalogue: Catalogue; message?: undefined } | { catalogue?: undefined; message: string } {
  const supports = endpointSupports(endpoint);
  if (supports === undefined) return { message: `unknown endpoint '${String(endpoint).slice(0, 60)}'` };
  if (!supports[param]) {
    const other =
      param !== "backlinks_filters" && supports.backlinks_filters
        ? `; it takes backlinks_filters (fields of single backlinks, e.g. ["dofollow","=",true])`
        : "";
    return { message: `${endpoint} has no ${param}: its results cannot be ${param === "order_by" ? "sorted" : "filtered"} this way${other}` };
  }
  if (param === "backlinks_filters") return { catalogue: catalogueFor("backlinks") };
  if (!hasFilterCatalogue(endpoint)) return { message: `${endpoint} has no filter catalogue` };
  return { catalogue: catalogueFor(endpoint) };
}

/**
 * The filter catalogue of an endpoint. Throws for an endpoint that has none (summary, history,
 * time series, bulk): use catalogueForParam for a message instead.
 */
export function catalogueFor(endpoint: EndpointKey): Catalogue {
  const cached = memo.get(endpoint);
  if (cached) return cached;
  const source = hasFilterCatalogue(endpoint) ? SOURCES[endpoint] : undefined;
  if (!source) {
    const viaBacklinks = endpointSupports(endpoint)?.backlinks_filters
      ? `; its backlinks_filters use the backlinks catalogue`
      : "";
    throw new Error(`endpoint '${String(endpoint).slice(0, 60)}' has no filter catalogue (it takes no filters)${viaBacklinks}`);
  }
  const fields: Record<string, FieldType> = {};
  const mapPrefixes: string[] = [];
  for (const [path, type] of Object.entries(source)) {
    if (!isFieldType(type)) throw new Error(`catalogue ${endpoint}: unknown type '${type}' for '${path}'`);
    fields[path] = type;
    if (path.endsWith(MAP_KEY_PLACEHOLDER)) mapPrefixes.push(path.slice(0, -MAP_KEY_PLACEHOLDER.length));
  }
  const catalogue: Catalogue = Object.freeze({
    endpoint,
    perTarget: Object.keys(fields).some((path) => path.startsWith(PER_TARGET_PLACEHOLDER)),
    fields: Object.freeze(fields),
    mapPrefixes: Object.freeze(mapPrefixes) as string[],
  });
  memo.set(endpoint, catalogue);
  return catalogue;
}

export interface PathOptions {
  /** Intersection endpoints: the number of targets given; "<n>." must then be 1..targetCount. */
  targetCount?: number;
}

/**
 * The target number of a per-target path ("3.rank" → 3), or undefined when the path does not
 * start with a number and a dot.
 */
export function targetNumberOf(path: string): number | undefined {
  const m = /^(\d{1,6})\./.exec(path);
  return m ? Number(m[1]) : undefined;
}

/** Largest target number a per-target path may use. */
export function maxTargetNumber(opts?: PathOptions): number {
  const n = opts?.targetCount;
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= MAX_TARGET_NUMBER ? n : MAX_TARGET_NUMBER;
}

/**
 * The catalogue's spelling of a path: on intersection endpoints "3.rank" → "<n>.rank" (when 3 is a
 * valid target number); otherwise the path itself.
 */
export function canonicalPath(catalogue: Catalogue, path: string, opts?: PathOptions): string {
  if (!catalogue.perTarget) return path;
  const n = targetNumberOf(path);
  if (n === undefined || n < 1 || n > maxTargetNumber(opts)) return path;
  return PER_TARGET_PLACEHOLDER + path.slice(String(n).length + 1);
}

/** Type of a filter path, or undefined when the endpoint has no such field. */
export function fieldType(catalogue: Catalogue, rawPath: string, opts?: PathOptions): FieldType | undefined {
  if (typeof rawPath !== "string" || rawPath.length === 0) return undefined;
  if (catalogue.perTarget && rawPath.startsWith(PER_TARGET_PLACEHOLDER)) return undefined;
  const path = canonicalPath(catalogue, rawPath, opts);
  if (!path.endsWith(MAP_KEY_PLACEHOLDER) && Object.prototype.hasOwnProperty.call(catalogue.fields, path)) {
    return catalogue.fields[path];
  }
  for (const prefix of catalogue.mapPrefixes) {
    if (path.length > prefix.length + 1 && path.startsWith(prefix + ".")) {
      const key = path.slice(prefix.length + 1);
      if (isMapKey(key)) return catalogue.fields[prefix + MAP_KEY_PLACEHOLDER];
    }
  }
  return undefined;
}

/** A usable counter-map key: printable, no whitespace, not the placeholder. */
export function isMapKey(key: string): boolean {
  return key.length > 0 && key.length <= 100 && key !== "<key>" && !/[\s\p{Cc}\p{Cf}]/u.test(key);
}

/** Plain field names (no placeholders), in catalogue order. */
export function plainFieldNames(catalogue: Catalogue): string[] {
  return Object.keys(catalogue.fields).filter((name) => !name.endsWith(MAP_KEY_PLACEHOLDER));
}

// Filterable fields per endpoint, from the reference catalogue.
import filterFields from "../data/backlinks-filter-fields.json" with { type: "json" };

export type FieldType = "str" | "num" | "bool" | "time" | "array.str";
export type EndpointKey = "backlinks" | "referring_domains" | "domain_pages_summary";

export interface Catalogue {
  endpoint: EndpointKey;
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

export function catalogueFor(endpoint: EndpointKey): Catalogue {
  const cached = memo.get(endpoint);
  if (cached) return cached;
  const source = (filterFields.endpoints as Record<string, Record<string, string>>)[endpoint];
  if (!source) throw new Error(`no filter catalogue for endpoint '${endpoint}'`);
  const fields: Record<string, FieldType> = {};
  const mapPrefixes: string[] = [];
  for (const [path, type] of Object.entries(source)) {
    if (!isFieldType(type)) throw new Error(`catalogue ${endpoint}: unknown type '${type}' for '${path}'`);
    fields[path] = type;
    if (path.endsWith(MAP_KEY_PLACEHOLDER)) mapPrefixes.push(path.slice(0, -MAP_KEY_PLACEHOLDER.length));
  }
  const catalogue: Catalogue = Object.freeze({
    endpoint,
    fields: Object.freeze(fields),
    mapPrefixes: Object.freeze(mapPrefixes) as string[],
  });
  memo.set(endpoint, catalogue);
  return catalogue;
}

/** Type of a filter path, or undefined when the endpoint has no such field. */
export function fieldType(catalogue: Catalogue, path: string): FieldType | undefined {
  if (typeof path !== "string" || path.length === 0) return undefined;
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

// Output columns the model may pick with `fields`, from the result item trees.
import endpoints from "../data/backlinks-endpoints.json" with { type: "json" };
import { sanitizeText } from "../output/sanitize.js";
import { isMapKey, type EndpointKey } from "./catalogue.js";
import { suggest } from "./suggest.js";

export type OutputEndpoint = EndpointKey | "bulk_new_lost_referring_domains";

interface FieldNode {
  name: string;
  type: string;
  fields?: FieldNode[];
}

interface EndpointInfo {
  paths: string[];
  /** Fields that are string → number maps; "<map>.<anykey>" is accepted for these. */
  maps: Set<string>;
}

const memo = new Map<OutputEndpoint, EndpointInfo>();

function info(endpoint: OutputEndpoint): EndpointInfo {
  const cached = memo.get(endpoint);
  if (cached) return cached;
  const live = (endpoints.live_endpoints as unknown as { key: string; result: FieldNode[] }[]).find(
    (e) => e.key === endpoint,
  );
  const items = live?.result.find((r) => r.name === "items");
  if (!items?.fields) throw new Error(`no result item fields for endpoint '${endpoint}'`);
  const paths: string[] = [];
  const maps = new Set<string>();
  const visit = (nodes: FieldNode[], prefix: string) => {
    for (const node of nodes) {
      const path = prefix + node.name;
      paths.push(path);
      // Nested plain objects expose their leaves; arrays of objects stay one column.
      if (node.type === "object" && node.fields) visit(node.fields, path + ".");
      if (node.type.startsWith("object<")) maps.add(path);
    }
  };
  visit(items.fields, "");
  const result: EndpointInfo = { paths, maps };
  memo.set(endpoint, result);
  return result;
}

/** Every column path of one result item, in API order (nested objects give their own and their leaves' paths). */
export function outputFieldsFor(endpoint: OutputEndpoint): string[] {
  return [...info(endpoint).paths];
}

/** [] when every field is a known column (or "<map>.<key>" of a count map); otherwise one message per problem. */
export function checkFields(fields: string[], endpoint: OutputEndpoint): string[] {
  const { paths, maps } = info(endpoint);
  const known = new Set(paths);
  if (!Array.isArray(fields) || fields.length === 0) {
    return ["fields is empty; omit it to get the default columns"];
  }
  const out: string[] = [];
  const seen = new Set<string>();
  let listed = false;
  for (const field of fields) {
    if (typeof field !== "string" || field.length === 0) {
      out.push("fields must be non-empty strings (column names or dot paths)");
      continue;
    }
    if (seen.has(field)) {
      out.push(`field '${sanitizeText(field, 60)}' is listed twice in fields`);
      continue;
    }
    seen.add(field);
    if (known.has(field) || isMapPath(field, maps)) continue;
    const guess = suggest(field, paths);
    let message = `unknown field '${sanitizeText(field, 60)}' in fields${guess ? `; did you mean '${guess}'?` : ""}`;
    if (!listed) {
      message += ` Valid fields: ${paths.join(", ")}`;
      if (maps.size > 0) message += ` (count maps also take one key, e.g. '${[...maps][0]}.com')`;
      listed = true;
    }
    out.push(message);
  }
  return out;
}

function isMapPath(field: string, maps: Set<string>): boolean {
  for (const map of maps) {
    if (field.length > map.length + 1 && field.startsWith(map + ".") && isMapKey(field.slice(map.length + 1))) {
      return true;
    }
  }
  return false;
}

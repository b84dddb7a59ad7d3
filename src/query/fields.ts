// Output columns the model may pick with `fields`, from the result trees of every endpoint.
//
// What a row is, per endpoint shape:
// - list endpoints (backlinks, anchors, history, bulk_*, ...): one `items` object;
// - summary (no items): the result object itself;
// - intersections (domain_intersection, page_intersection): the pipeline flattens each item to
//   `intersections_count` plus `<n>.<field>` for target n (1..20), so those are the columns here.
import endpoints from "../data/backlinks-endpoints.json" with { type: "json" };
import { sanitizeText } from "../output/sanitize.js";
import {
  MAX_TARGET_NUMBER,
  PER_TARGET_PLACEHOLDER,
  isMapKey,
  maxTargetNumber,
  targetNumberOf,
  type EndpointKey,
  type PathOptions,
} from "./catalogue.js";
import { rankByCloseness, suggest } from "./suggest.js";

export type OutputEndpoint = EndpointKey;

interface FieldNode {
  name: string;
  type: string;
  fields?: FieldNode[];
}

interface EndpointInfo {
  paths: string[];
  /** Fields that are string → number maps; "<map>.<anykey>" is accepted for these. */
  maps: Set<string>;
  /** Columns are `intersections_count` and `<n>.<field>`. */
  perTarget: boolean;
}

const memo = new Map<string, EndpointInfo>();

/** Every endpoint key with a result tree. */
export function outputEndpoints(): string[] {
  return (endpoints.live_endpoints as unknown as { key: string }[]).map((e) => e.key);
}

function isPerTargetContainer(node: FieldNode): boolean {
  return /^object<string,(?:object|array<object>)>$/.test(node.type) && Array.isArray(node.fields);
}

function info(endpoint: OutputEndpoint): EndpointInfo {
  const cached = memo.get(endpoint);
  if (cached) return cached;
  const live = (endpoints.live_endpoints as unknown as { key: string; result: FieldNode[] }[]).find(
    (e) => e.key === endpoint,
  );
  if (!live) throw new Error(`unknown endpoint '${String(endpoint).slice(0, 60)}'`);
  const items = live.result.find((r) => r.name === "items");
  const paths: string[] = [];
  const maps = new Set<string>();
  const visit = (nodes: FieldNode[], prefix: string) => {
    for (const node of nodes) {
      const path = prefix + node.name;
      paths.push(path);
      // Nested plain objects expose their leaves; arrays of objects stay one column.
      if (node.type === "object" && node.fields) visit(node.fields, path + ".");
      if (/^object<string,(?:integer|number|string)>$/.test(node.type)) maps.add(path);
    }
  };
  let perTarget = false;
  if (items?.fields) {
    const container = items.fields.find(isPerTargetContainer);
    if (container) {
      perTarget = true;
      paths.push("intersections_count");
      visit(container.fields!, PER_TARGET_PLACEHOLDER);
    } else {
      visit(items.fields, "");
    }
  } else {
    // One object per call (summary): the result object is the row.
    visit(live.result, "");
  }
  const result: EndpointInfo = { paths, maps, perTarget };
  memo.set(endpoint, result);
  return result;
}

/**
 * Every column path of one row, in API order (nested objects give their own and their leaves'
 * paths). Intersections give `intersections_count` and `<n>.<field>`; with opts.targetCount the
 * placeholder is expanded to 1..targetCount.
 */
export function outputFieldsFor(endpoint: OutputEndpoint, opts?: PathOptions): string[] {
  const { paths, perTarget } = info(endpoint);
  if (!perTarget || opts?.targetCount === undefined) return [...paths];
  const n = maxTargetNumber(opts);
  const out: string[] = [];
  for (const path of paths) {
    if (!path.startsWith(PER_TARGET_PLACEHOLDER)) out.push(path);
  }
  for (let i = 1; i <= n; i++) {
    for (const path of paths) {
      if (path.startsWith(PER_TARGET_PLACEHOLDER)) out.push(`${i}.${path.slice(PER_TARGET_PLACEHOLDER.length)}`);
    }
  }
  return out;
}

/** [] when every field is a known column (or "<map>.<key>" of a count map); otherwise one message per problem. */
export function checkFields(fields: string[], endpoint: OutputEndpoint, opts?: PathOptions): string[] {
  const { paths, maps, perTarget } = info(endpoint);
  const known = new Set(paths);
  if (!Array.isArray(fields) || fields.length === 0) {
    return ["fields is empty; omit it to get the default columns"];
  }
  if (fields.length > 200) return [`fields lists ${fields.length} columns; at most 200 are allowed`];
  const out: string[] = [];
  const seen = new Set<string>();
  let listed = false;
  const max = maxTargetNumber(opts);
  for (const field of fields) {
    if (typeof field !== "string" || field.length === 0) {
      out.push("fields must be non-empty strings (column names or dot paths)");
      continue;
    }
    if (field.length > 200) {
      out.push(`a field in fields is ${field.length} characters long; at most 200 are allowed`);
      continue;
    }
    if (seen.has(field)) {
      out.push(`field '${sanitizeText(field, 60)}' is listed twice in fields`);
      continue;
    }
    seen.add(field);
    let canonical = field;
    let number: number | undefined;
    if (perTarget) {
      number = targetNumberOf(field);
      if (number !== undefined) {
        const rest = field.slice(String(number).length + 1);
        if (number < 1 || number > max) {
          out.push(`field '${sanitizeText(field, 60)}' in fields uses target number ${number}; targets are numbered 1 to ${max}`);
          continue;
        }
        canonical = PER_TARGET_PLACEHOLDER + rest;
      } else if (field.startsWith(PER_TARGET_PLACEHOLDER)) {
        canonical = "";
      } else if (known.has(PER_TARGET_PLACEHOLDER + field)) {
        out.push(`field '${sanitizeText(field, 60)}' in fields belongs to one target: write it with the target's number, e.g. '1.${sanitizeText(field, 60)}'`);
        continue;
      }
    }
    if (known.has(canonical) || isMapPath(canonical, maps)) continue;
    const display = (path: string) =>
      number !== undefined && path.startsWith(PER_TARGET_PLACEHOLDER) ? `${number}.${path.slice(PER_TARGET_PLACEHOLDER.length)}` : path;
    const guess = suggest(canonical || field, paths);
    let message = `unknown field '${sanitizeText(field, 60)}' in fields${guess ? `; did you mean '${display(guess)}'?` : ""}`;
    if (!listed) {
      message += guess
        ? ` Valid fields: ${paths.join(", ")}`
        : `. Valid fields, nearest first: ${rankByCloseness(canonical || field, paths).ranked.join(", ")}`;
      if (perTarget) message += ` (<n> is the target's number, 1 to ${perTarget ? max : MAX_TARGET_NUMBER})`;
      if (maps.size > 0) message += ` (count maps also take one key, e.g. '${display([...maps][0]!)}.com')`;
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

// Refuses, before anything is paid for, queries that provably match nothing.
//
// Each condition of `filters` / `backlinks_filters` is judged "never matches" or "may match";
// the and/or tree is then folded (an "and" is empty when one part is empty or two parts
// contradict each other on one field; an "or" is empty only when every part is). Only a whole
// expression that is empty is refused, and every refusal says what to change.
import endpointData from "../data/backlinks-endpoints.json" with { type: "json" };
import { sanitizeText } from "../output/sanitize.js";
import { type Catalogue, type FieldType, catalogueForParam, fieldType, canonicalPath } from "./catalogue.js";
import { suggest } from "./suggest.js";

/** Keys of the count maps whose keys are a closed list. */
export const CLOSED_MAP_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  referring_links_types: Object.freeze(["anchor", "image", "link", "meta", "canonical", "alternate", "redirect"]),
  referring_links_platform_types: Object.freeze([
    "cms",
    "blogs",
    "ecommerce",
    "message-boards",
    "wikis",
    "news",
    "organization",
  ]),
});

export interface LintArgs {
  filters?: unknown;
  backlinks_filters?: unknown;
  backlinks_status_type?: unknown;
  rank_scale?: unknown;
  /** Intersection endpoints: number of targets given. */
  targetCount?: number;
}

interface RequestParam {
  name: string;
  default?: unknown;
}

function requestDefault(endpoint: string, param: string): unknown {
  const live = (endpointData.live_endpoints as unknown as { key: string; request: RequestParam[] }[]).find(
    (e) => e.key === endpoint,
  );
  return live?.request.find((p) => p.name === param)?.default;
}

function takesParam(endpoint: string, param: string): boolean {
  const live = (endpointData.live_endpoints as unknown as { key: string; request: RequestParam[] }[]).find(
    (e) => e.key === endpoint,
  );
  return live?.request.some((p) => p.name === param) ?? false;
}

interface Settings {
  endpoint: string;
  param: string;
  catalogue: Catalogue;
  /** "live" | "lost" | "all" or undefined when the endpoint has no such parameter. */
  status: string | undefined;
  statusExplicit: boolean;
  rankMax: number;
  rankScale: string;
  rankScaleExplicit: boolean;
  targetCount: number | undefined;
}

/** Outcome of one node: empty (with the reasons) or possibly not. */
interface Verdict {
  never: boolean;
  reasons: string[];
}

const MAYBE: Verdict = { never: false, reasons: [] };

/** Numeric bounds one "and" group puts on a field. */
interface Bounds {
  lo: number;
  loStrict: boolean;
  hi: number;
  hiStrict: boolean;
  eq?: unknown;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.length <= 40 && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function asBool(v: unknown): boolean | undefined {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return undefined;
}

function show(field: string, op: string, value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify([field, op, value]) ?? "";
  } catch {
    text = `${field} ${op}`;
  }
  return sanitizeText(text, 100);
}

/** The last dot segment of a path ("page_summary.rank" → "rank", "1.domain_from_rank" → "domain_from_rank"). */
function leafName(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? path : path.slice(dot + 1);
}

function isRankField(path: string, type: FieldType): boolean {
  if (type !== "num") return false;
  const leaf = leafName(path);
  return leaf === "rank" || leaf.endsWith("_rank");
}

/** The map name and key of a path into a closed count map, if any. */
function closedMapKey(path: string): { map: string; key: string } | undefined {
  for (const map of Object.keys(CLOSED_MAP_KEYS)) {
    const at = path.indexOf(`${map}.`);
    if (at >= 0 && (at === 0 || path[at - 1] === ".")) {
      return { map, key: path.slice(at + map.length + 1) };
    }
  }
  return undefined;
}

/** Does the condition hold for no value in [0, max]? */
function outsideRange(op: string, value: unknown, max: number): boolean {
  if (op === "in") {
    if (!Array.isArray(value) || value.length === 0) return false;
    return value.every((v) => {
      const n = asNumber(v);
      return n !== undefined && (n < 0 || n > max);
    });
  }
  const n = asNumber(value);
  if (n === undefined) return false;
  switch (op) {
    case "=":
      return n < 0 || n > max;
    case ">":
      return n >= max;
    case ">=":
      return n > max;
    case "<":
      return n <= 0;
    case "<=":
      return n < 0;
    default:
      return false;
  }
}

function leafVerdict(node: unknown[], s: Settings): Verdict {
  const [rawField, rawOp, value] = node;
  if (typeof rawField !== "string" || typeof rawOp !== "string") return MAYBE;
  const type = fieldType(s.catalogue, rawField, { targetCount: s.targetCount });
  if (type === undefined) return MAYBE;
  const field = canonicalPath(s.catalogue, rawField, { targetCount: s.targetCount });
  const op = rawOp;
  const where = `${show(rawField, op, value)} in ${s.param}`;

  if (leafName(field) === "is_lost" && type === "bool" && s.status !== undefined && s.status !== "all") {
    const b = asBool(value);
    if (b !== undefined && (op === "=" || op === "<>")) {
      const wantsLost = op === "=" ? b : !b;
      if (wantsLost && s.status === "live") {
        const how = s.statusExplicit ? 'backlinks_status_type is "live"' : 'backlinks_status_type defaults to "live"';
        return {
          never: true,
          reasons: [
            `${where} matches nothing: ${how}, so no lost link is returned. Set backlinks_status_type "lost" (or "all") and drop the is_lost condition`,
          ],
        };
      }
      if (!wantsLost && s.status === "lost") {
        return {
          never: true,
          reasons: [
            `${where} matches nothing: backlinks_status_type is "lost", so every link returned is lost. Set backlinks_status_type "live" (or "all") and drop the is_lost condition`,
          ],
        };
      }
    }
  }

  if (isRankField(field, type) && outsideRange(op, value, s.rankMax)) {
    const scale = s.rankScaleExplicit ? `rank_scale "${s.rankScale}"` : `the default rank_scale "${s.rankScale}"`;
    const fix =
      s.rankMax === 100
        ? `use a value from 0 to 100, or set rank_scale "one_thousand" for the 0–1000 scale`
        : `use a value from 0 to 1000`;
    return {
      never: true,
      reasons: [`${where} matches nothing: ranks run from 0 to ${s.rankMax} with ${scale}; ${fix}`],
    };
  }

  const closed = closedMapKey(field);
  if (closed && type === "num") {
    const keys = CLOSED_MAP_KEYS[closed.map]!;
    if (!keys.includes(closed.key)) {
      // A missing key is never a number: only "<>", "not_in" and "= null" could still hold.
      const mayHold = op === "<>" || op === "not_in" || (op === "=" && value === null);
      if (!mayHold) {
        const guess = suggest(closed.key, keys) ?? keys.find((k) => closed.key.startsWith(k) || k.startsWith(closed.key));
        const mean = guess ? `did you mean '${guess}'? ` : "";
        return {
          never: true,
          reasons: [
            `${where} matches nothing: ${closed.map} has no key '${sanitizeText(closed.key, 40)}'; ${mean}Its keys are ${keys.join(", ")}`,
          ],
        };
      }
    }
  }
  return MAYBE;
}

/** Bounds of one numeric or boolean condition, or undefined when it says nothing simple. */
function boundsOf(op: string, value: unknown, type: FieldType): Bounds | undefined {
  const all: Bounds = { lo: -Infinity, loStrict: false, hi: Infinity, hiStrict: false };
  if (type === "bool") {
    const b = asBool(value);
    if (b === undefined) return undefined;
    if (op === "=") return { ...all, eq: b };
    if (op === "<>") return { ...all, eq: !b };
    return undefined;
  }
  if (type !== "num") return undefined;
  const n = asNumber(value);
  if (n === undefined) return undefined;
  switch (op) {
    case "=":
      return { lo: n, loStrict: false, hi: n, hiStrict: false };
    case ">":
      return { ...all, lo: n, loStrict: true };
    case ">=":
      return { ...all, lo: n };
    case "<":
      return { ...all, hi: n, hiStrict: true };
    case "<=":
      return { ...all, hi: n };
    default:
      return undefined;
  }
}

function intersect(a: Bounds, b: Bounds): Bounds {
  const out: Bounds = { ...a };
  if (b.lo > out.lo || (b.lo === out.lo && b.loStrict)) {
    out.lo = b.lo;
    out.loStrict = b.loStrict || (b.lo === a.lo && a.loStrict);
  }
  if (b.hi < out.hi || (b.hi === out.hi && b.hiStrict)) {
    out.hi = b.hi;
    out.hiStrict = b.hiStrict || (b.hi === a.hi && a.hiStrict);
  }
  if (b.eq !== undefined) out.eq = a.eq !== undefined && a.eq !== b.eq ? Symbol.for("conflict") : b.eq;
  return out;
}

function emptyBounds(b: Bounds): boolean {
  if (typeof b.eq === "symbol") return true;
  if (b.lo > b.hi) return true;
  return b.lo === b.hi && (b.loStrict || b.hiStrict);
}

function isCondition(node: unknown): node is unknown[] {
  return Array.isArray(node) && node.length === 3 && typeof node[0] === "string";
}

function verdict(node: unknown, s: Settings, depth: number): Verdict {
  if (!Array.isArray(node) || node.length === 0 || depth > 32) return MAYBE;
  if (isCondition(node)) return leafVerdict(node, s);
  if (node.length === 1) return verdict(node[0], s, depth + 1);
  const parts: unknown[] = [];
  const words = new Set<string>();
  for (let i = 0; i < node.length; i++) {
    if (i % 2 === 1) {
      if (typeof node[i] !== "string") return MAYBE;
      words.add((node[i] as string).trim().toLowerCase());
    } else parts.push(node[i]);
  }
  if (words.size !== 1) return MAYBE; // malformed or mixed: the grammar check reports it
  const results = parts.map((p) => verdict(p, s, depth + 1));
  if (words.has("or")) {
    return results.every((r) => r.never) ? { never: true, reasons: results.flatMap((r) => r.reasons) } : MAYBE;
  }
  if (!words.has("and")) return MAYBE;
  const empty = results.filter((r) => r.never);
  if (empty.length > 0) return { never: true, reasons: empty.flatMap((r) => r.reasons) };
  return contradiction(parts, s);
}

/** Two direct conditions of one "and" group that no value can satisfy together. */
function contradiction(parts: unknown[], s: Settings): Verdict {
  const byField = new Map<string, { bounds: Bounds; shown: string[] }>();
  for (const part of parts) {
    const cond = isCondition(part) ? part : Array.isArray(part) && part.length === 1 && isCondition(part[0]) ? part[0] : undefined;
    if (!cond) continue;
    const [rawField, op, value] = cond as [string, unknown, unknown];
    if (typeof op !== "string") continue;
    const type = fieldType(s.catalogue, rawField, { targetCount: s.targetCount });
    if (type === undefined) continue;
    const b = boundsOf(op, value, type);
    if (!b) continue;
    const field = rawField;
    const prev = byField.get(field);
    const merged = prev ? intersect(prev.bounds, b) : b;
    const shown = [...(prev?.shown ?? []), show(rawField, op, value)];
    if (emptyBounds(merged)) {
      return {
        never: true,
        reasons: [
          `${shown.join(" and ")} in ${s.param} match nothing together: no value of '${sanitizeText(field, 60)}' satisfies both. Drop or correct one of them`,
        ],
      };
    }
    byField.set(field, { bounds: merged, shown });
  }
  return MAYBE;
}

/**
 * Refusals for a query that provably matches nothing, each with the fix; [] when it may match.
 * Run it after the grammar checks (checkFilters) have passed: malformed parts are not judged.
 */
export function lintQuery(endpoint: string, args: LintArgs): string[] {
  const out: string[] = [];
  const statusParam = takesParam(endpoint, "backlinks_status_type");
  const rankParam = takesParam(endpoint, "rank_scale");
  const explicitStatus = typeof args.backlinks_status_type === "string" ? args.backlinks_status_type : undefined;
  const explicitScale = typeof args.rank_scale === "string" ? args.rank_scale : undefined;
  const status = statusParam ? (explicitStatus ?? (requestDefault(endpoint, "backlinks_status_type") as string | undefined)) : undefined;
  const rankScale = rankParam ? (explicitScale ?? String(requestDefault(endpoint, "rank_scale") ?? "one_thousand")) : "one_thousand";
  for (const param of ["filters", "backlinks_filters"] as const) {
    const value = args[param];
    if (value === undefined) continue;
    const found = catalogueForParam(endpoint, param);
    if (!found.catalogue) continue;
    const settings: Settings = {
      endpoint,
      param,
      catalogue: found.catalogue,
      status,
      statusExplicit: explicitStatus !== undefined,
      rankMax: rankScale === "one_hundred" ? 100 : 1000,
      rankScale,
      rankScaleExplicit: explicitScale !== undefined,
      targetCount: args.targetCount,
    };
    const v = verdict(value, settings, 0);
    if (v.never) out.push(...new Set(v.reasons));
  }
  return out;
}

// POST /v3/backlinks/backlinks/live: individual backlinks, offset (≤ 20,000) and search_after_token paging.
import { invalidField } from "../errors.js";
import { comparator, compileFilters, parseOrderBy } from "../filters.js";
import { graphFor, type Link } from "../graph.js";
import { linkResolver, memo, renderLink, selectLinks } from "../dataset.js";
import { canonical, type Task } from "../params.js";
import { checkRequest } from "../spec.js";
import { hundredOf, selectionOf, targetFrom } from "./common.js";
import { hashHex } from "../rng.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const MODES = ["as_is", "one_per_domain", "one_per_anchor"] as const;
const CUSTOM_FIELDS = [
  "anchor", "domain_from", "domain_from_country", "tld_from", "page_from_encoding", "page_from_language",
  "item_type", "page_from_status_code", "semantic_location",
] as const;
type CustomField = (typeof CUSTOM_FIELDS)[number];

interface CustomMode {
  field: CustomField;
  value: number;
}

function customMode(raw: unknown): CustomMode | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidField("custom_mode", "Must be an object {\"field\": ..., \"value\": 1..1000}.");
  const { field, value, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw invalidField(`custom_mode.${extra}`);
  if (typeof field !== "string" || !CUSTOM_FIELDS.includes(field as CustomField)) {
    throw invalidField("custom_mode.field", `Must be one of: ${CUSTOM_FIELDS.join(", ")}.`);
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw invalidField("custom_mode.value", "Must be an integer from 1 to 1000.");
  }
  return { field: field as CustomField, value };
}

/** The ordered (and, for grouping modes, grouped) rows of a query, with group_count per row. */
interface Listing {
  rows: Link[];
  groupCounts: number[] | null;
}

function group(list: Link[], keyOf: (l: Link) => string, perGroup: number): Listing {
  const sizes = new Map<string, number>();
  for (const l of list) {
    const k = keyOf(l);
    sizes.set(k, (sizes.get(k) ?? 0) + 1);
  }
  const taken = new Map<string, number>();
  const rows: Link[] = [];
  const groupCounts: number[] = [];
  for (const l of list) {
    const k = keyOf(l);
    const n = taken.get(k) ?? 0;
    if (n >= perGroup) continue;
    taken.set(k, n + 1);
    rows.push(l);
    groupCounts.push(sizes.get(k)!);
  }
  return { rows, groupCounts };
}

interface TokenBody {
  v: 1;
  h: string;
  p: number;
}

function encodeToken(hash: string, position: number): string {
  return Buffer.from(JSON.stringify({ v: 1, h: hash, p: position } satisfies TokenBody)).toString("base64url");
}

function decodeToken(token: string, hash: string): number {
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<TokenBody>;
  } catch {
    throw invalidField("search_after_token");
  }
  if (!body || body.v !== 1 || body.h !== hash || typeof body.p !== "number" || !Number.isInteger(body.p) || body.p < 0) {
    throw invalidField("search_after_token");
  }
  return body.p;
}

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  // A malformed token is always answered in the same words, whatever its type.
  const rawToken = task.search_after_token;
  if (rawToken !== undefined && rawToken !== null && (typeof rawToken !== "string" || rawToken === "")) throw invalidField("search_after_token");
  const p = checkRequest("backlinks", task, ctx.nowMs);
  const t = targetFrom(p.target, "target");
  const sel = selectionOf(p);
  const hundred = hundredOf(p);
  const limit = p.limit as number;
  const offset = p.offset as number;
  const mode = p.mode as (typeof MODES)[number];
  const custom = customMode(p.custom_mode);
  const resolver = linkResolver(hundred);
  const predicate = compileFilters(p.filters, resolver);
  const rules = parseOrderBy(p.order_by, resolver) ?? [{ field: "rank", desc: true }];
  const token = p.search_after_token;

  const query = canonical({
    target: [t.kind, t.host, t.pageKey ?? null], sel, hundred, mode: custom ? null : mode, custom,
    filters: p.filters ?? null, rules,
  });
  const graph = graphFor(t, ctx.seed, ctx.nowMs);
  const listing = memo(graph, `backlinks|${query}`, (): Listing => {
    let list = selectLinks(graph, t, sel);
    if (predicate) list = list.filter(predicate);
    list.sort(comparator(rules, resolver, (a, b) => a.id - b.id));
    if (custom) return group(list, (l) => String(l[custom.field] ?? "\u0000"), custom.value);
    if (mode === "one_per_domain") return group(list, (l) => l.domain_from, 1);
    if (mode === "one_per_anchor") return group(list, (l) => l.anchor ?? "\u0000", 1);
    return { rows: list, groupCounts: null };
  });

  // A token continues a query only when every other parameter (limit and offset included) is the same.
  const hash = hashHex(`${ctx.seed}|${ctx.nowMs}|${query}|${limit}|${offset}`);
  const start = typeof token === "string" ? decodeToken(token, hash) : offset;
  const end = Math.min(listing.rows.length, start + limit);
  const items: Record<string, unknown>[] = [];
  for (let i = start; i < end; i++) items.push(renderLink(listing.rows[i], listing.groupCounts ? listing.groupCounts[i] : 0, hundred));
  const next = start + items.length;
  return {
    result: [{
      target: task.target,
      mode: custom ? null : mode,
      custom_mode: custom,
      total_count: listing.rows.length,
      items_count: items.length,
      items,
      search_after_token: next < listing.rows.length ? encodeToken(hash, next) : null,
    }],
    rows: items.length,
  };
}

export const backlinksEndpoint: Endpoint = {
  api: "backlinks",
  fn: "backlinks",
  method: "POST",
  path: "/v3/backlinks/backlinks/live",
  billable: true,
  run,
};

// POST /v3/backlinks/competitors/live: domains that share referring main domains with the target.
//
// The candidates are bounded so one call stays cheap (their graphs are small: at most 1,500 links each):
// four large domains (dropped by exclude_large_domains, the default) and ten peer domains derived
// from seed + target. The documented targets are not candidates: building their graphs would cost seconds. `intersections` is the number of referring main domains the candidate's live,
// external links share with the target's, computed from both graphs; candidates sharing none are left out.
import filterFields from "../../data/backlinks-filter-fields.json" with { type: "json" };
import { catalogue, comparator, compileFilters, parseOrderBy, type FieldResolver } from "../filters.js";
import type { Task } from "../params.js";
import { domainRank } from "../ranks.js";
import { hash32 } from "../rng.js";
import { byTree, checkRequest, itemTree } from "../spec.js";
import { KNOWN_TARGETS, parseTarget } from "../targets.js";
import { FAMOUS_DOMAINS, NAME_PARTS_A, NAME_PARTS_B } from "../words.js";
import { hundredOf, linksOf, scaled, targetFrom } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const TREE = itemTree("competitors");
export const LARGE_CANDIDATES = 4;
export const PEER_CANDIDATES = 10;

interface Row {
  type: string;
  target: string;
  rank: number;
  intersections: number;
}

/** The candidate competitor domains of a target (never the target itself). */
export function candidates(seed: number, root: string): { name: string; large: boolean }[] {
  const out = new Map<string, boolean>();
  const h = hash32(`${seed}|peers|${root}`);
  for (let i = 0; i < LARGE_CANDIDATES; i++) out.set(FAMOUS_DOMAINS[(h + i * 7) % FAMOUS_DOMAINS.length], true);
  for (let i = 0; i < PEER_CANDIDATES; i++) {
    const x = hash32(`${seed}|peer|${root}|${i}`);
    const name = `${NAME_PARTS_A[x % NAME_PARTS_A.length]}${NAME_PARTS_B[(x >>> 8) % NAME_PARTS_B.length]}.com`;
    if (!KNOWN_TARGETS[name]) out.set(name, false);
  }
  out.delete(root);
  return [...out].map(([name, large]) => ({ name, large }));
}

const typeOf = catalogue(filterFields.endpoints.competitors);
const resolver: FieldResolver<Row> = { typeOf, getter: (field) => (r) => r[field as keyof Row] };

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("competitors", task, ctx.nowMs);
  const given = targetFrom(p.target, "target");
  const t = p.main_domain ? parseTarget(given.root)! : given;
  const sel = { status: "live", includeSubdomains: true, includeIndirect: true, excludeInternal: p.exclude_internal_backlinks as boolean } as const;
  const mine = new Set(linksOf(t, sel, ctx.seed, ctx.nowMs).links.map((l) => l.main_from));
  const hundred = hundredOf(p);
  const predicate = compileFilters(p.filters, resolver);
  const rules = parseOrderBy(p.order_by, resolver) ?? [{ field: "intersections", desc: true }, { field: "rank", desc: true }];
  let rows: Row[] = [];
  for (const c of candidates(ctx.seed, t.root)) {
    if (c.large && p.exclude_large_domains) continue;
    const theirs = new Set(linksOf(parseTarget(c.name)!, sel, ctx.seed, ctx.nowMs).links.map((l) => l.main_from));
    let shared = 0;
    for (const d of theirs) if (mine.has(d)) shared++;
    if (shared > 0) rows.push({ type: "backlinks_competitor", target: c.name, rank: scaled(domainRank(ctx.seed, c.name), hundred), intersections: shared });
  }
  if (predicate) rows = rows.filter(predicate);
  rows.sort(comparator(rules, resolver, (a, b) => (a.target < b.target ? -1 : 1)));
  const offset = p.offset as number;
  const items = rows.slice(offset, offset + (p.limit as number)).map((r) => byTree(TREE, { ...r }));
  return { result: [{ total_count: rows.length, items_count: items.length, items }], rows: items.length };
}

export const competitorsEndpoint: Endpoint = {
  api: "backlinks", fn: "competitors", method: "POST", path: "/v3/backlinks/competitors/live", billable: true, run,
};

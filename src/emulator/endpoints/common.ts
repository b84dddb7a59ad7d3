// Pieces shared by the endpoint modules: targets from checked parameters, the selection switches,
// aggregate metrics as a value map for byTree, and paging.
import { invalidField } from "../errors.js";
import { formatTime, graphFor, type Graph, type Link } from "../graph.js";
import { aggregate, memo, selectLinks, toHundred, trimMap, type AggRow, type Selection, type StatusType } from "../dataset.js";
import { domainRank } from "../ranks.js";
import type { Params } from "../spec.js";
import { parseTarget, type ParsedTarget } from "../targets.js";

export interface TargetRules {
  /** Reject page URLs (history, timeseries, domain_pages). */
  domainOnly?: boolean;
}

export function targetFrom(raw: unknown, name: string, rules: TargetRules = {}): ParsedTarget {
  const t = parseTarget(raw);
  if (!t) throw invalidField(name, "Use a domain without scheme and www (example.com) or an absolute http(s) URL.");
  if (rules.domainOnly && t.kind !== "domain") throw invalidField(name, "Use a domain or subdomain, not a URL.");
  return t;
}

/** The selection switches with the documented defaults (for endpoints that lack some of them). */
export function selectionOf(p: Params): Selection {
  return {
    status: (p.backlinks_status_type as StatusType | undefined) ?? "live",
    includeSubdomains: (p.include_subdomains as boolean | undefined) ?? true,
    includeIndirect: (p.include_indirect_links as boolean | undefined) ?? true,
    excludeInternal: (p.exclude_internal_backlinks as boolean | undefined) ?? true,
  };
}

export const DEFAULT_SELECTION: Selection = { status: "live", includeSubdomains: true, includeIndirect: true, excludeInternal: true };
export const ALL_SELECTION: Selection = { status: "all", includeSubdomains: true, includeIndirect: true, excludeInternal: true };

export function hundredOf(p: Params): boolean {
  return p.rank_scale === "one_hundred";
}

export function scaled(rank: number, hundred: boolean): number {
  return hundred ? toHundred(rank) : rank;
}

/** A target's links under a selection (memoised on its graph). */
export function linksOf(t: ParsedTarget, sel: Selection, seed: number, nowMs: number): { graph: Graph; links: Link[] } {
  const graph = graphFor(t, seed, nowMs);
  const key = `links|${t.kind}|${t.host}|${t.pageKey ?? ""}|${sel.status}|${sel.includeSubdomains}|${sel.includeIndirect}|${sel.excludeInternal}`;
  return { graph, links: memo(graph, key, () => selectLinks(graph, t, sel)) };
}

/** The rank a target reports for itself: its domain rank, or for a page the highest rank among its links. */
export function targetRank(t: ParsedTarget, links: Link[], seed: number): number {
  if (t.kind === "domain") return domainRank(seed, t.host);
  let r = 0;
  for (const l of links) if (l.rank > r) r = l.rank;
  return r;
}

/** The whole-selection aggregate (one row); an empty selection gives zeros. */
export function totals(links: Link[]): AggRow {
  return aggregate(links, () => "") [0] ?? {
    key: "", rank: 0, backlinks: 0, first_seen: NaN, lost_date: null, backlinks_spam_score: 0, broken_backlinks: 0, broken_pages: 0,
    referring_domains: 0, referring_domains_nofollow: 0, referring_main_domains: 0, referring_main_domains_nofollow: 0,
    referring_ips: 0, referring_subnets: 0, referring_pages: 0, referring_pages_nofollow: 0,
    maps: {
      referring_links_tld: {}, referring_links_types: {}, referring_links_attributes: {},
      referring_links_platform_types: {}, referring_links_semantic_locations: {}, referring_links_countries: {},
    },
  };
}

/** totals() of a target's links under a selection (and an optional link filter), memoised on its graph. */
export function totalsOf(t: ParsedTarget, sel: Selection, seed: number, nowMs: number, filter?: { key: string; test: (l: Link) => boolean }): { links: Link[]; row: AggRow } {
  const { graph, links } = linksOf(t, sel, seed, nowMs);
  const key = `totals|${t.kind}|${t.host}|${t.pageKey ?? ""}|${sel.status}|${sel.includeSubdomains}|${sel.includeIndirect}|${sel.excludeInternal}|${filter?.key ?? ""}`;
  return memo(graph, key, () => {
    const chosen = filter ? links.filter(filter.test) : links;
    return { links: chosen, row: totals(chosen) };
  });
}

/** Every metric of an aggregate row under its API name, counter maps trimmed to `listLimit`. */
export function aggValues(r: AggRow, listLimit: number, hundred: boolean): Record<string, unknown> {
  return {
    rank: scaled(r.rank, hundred),
    backlinks: r.backlinks,
    first_seen: Number.isFinite(r.first_seen) ? formatTime(r.first_seen) : null,
    lost_date: r.lost_date === null ? null : formatTime(r.lost_date),
    backlinks_spam_score: r.backlinks_spam_score,
    broken_backlinks: r.broken_backlinks,
    broken_pages: r.broken_pages,
    referring_domains: r.referring_domains,
    referring_domains_nofollow: r.referring_domains_nofollow,
    referring_main_domains: r.referring_main_domains,
    referring_main_domains_nofollow: r.referring_main_domains_nofollow,
    referring_ips: r.referring_ips,
    referring_subnets: r.referring_subnets,
    referring_pages: r.referring_pages,
    referring_pages_nofollow: r.referring_pages_nofollow,
    referring_links_tld: trimMap(r.maps.referring_links_tld, listLimit),
    referring_links_types: trimMap(r.maps.referring_links_types, listLimit),
    referring_links_attributes: trimMap(r.maps.referring_links_attributes, listLimit),
    referring_links_platform_types: trimMap(r.maps.referring_links_platform_types, listLimit),
    referring_links_semantic_locations: trimMap(r.maps.referring_links_semantic_locations, listLimit),
    referring_links_countries: trimMap(r.maps.referring_links_countries, listLimit),
  };
}

/** Bulk targets: parse each, in request order. */
export function bulkTargets(p: Params, rules: TargetRules = {}): ParsedTarget[] {
  return (p.targets as string[]).map((x) => {
    const t = parseTarget(x);
    if (!t) throw invalidField("targets", `${JSON.stringify(x)} is not a domain or an absolute http(s) URL.`);
    if (rules.domainOnly && t.kind !== "domain") throw invalidField("targets", `${JSON.stringify(x)} must be a domain.`);
    return t;
  });
}

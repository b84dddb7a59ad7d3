// Views over a graph shared by the endpoints: selecting a target's links, field access for
// filters and sorting, aggregation into per-domain / per-page rows, and rendering items.
import filterFields from "../data/backlinks-filter-fields.json" with { type: "json" };
import { catalogue, type FieldResolver, type FieldType } from "./filters.js";
import { formatTime, type Graph, type Link } from "./graph.js";
import type { ParsedTarget } from "./targets.js";

export type StatusType = "live" | "lost" | "all";

export interface Selection {
  status: StatusType;
  includeSubdomains: boolean;
  includeIndirect: boolean;
  excludeInternal: boolean;
}

/** The links of a target under the selection switches. */
export function selectLinks(graph: Graph, target: ParsedTarget, sel: Selection): Link[] {
  const host = target.host;
  const dotHost = `.${host}`;
  const wwwHost = `www.${host}`;
  const pageKey = target.pageKey;
  const out: Link[] = [];
  for (const l of graph.links) {
    if (sel.status === "live" ? l.is_lost : sel.status === "lost" ? !l.is_lost : false) continue;
    if (!sel.includeIndirect && l.is_indirect_link) continue;
    if (sel.excludeInternal && l.main_from === target.root) continue;
    if (target.kind === "page") {
      if (l.page_key_to !== pageKey) continue;
    } else if (l.domain_to !== host) {
      if (sel.includeSubdomains ? !l.domain_to.endsWith(dotHost) : l.domain_to !== wwwHost) continue;
    }
    out.push(l);
  }
  return out;
}

/** rank on the 0–100 scale: sin(rank / 636.62) * 100, monotone over 0..1000. */
export function toHundred(rank: number): number {
  return Math.round(Math.sin(rank / 636.62) * 100);
}

const RANK_FIELDS = new Set(["rank", "page_from_rank", "domain_from_rank"]);

const backlinkTypes = catalogue(filterFields.endpoints.backlinks);

export function linkResolver(hundred: boolean): FieldResolver<Link> {
  return {
    typeOf: backlinkTypes,
    getter(field) {
      switch (field) {
        case "type": return () => "backlink";
        case "group_count": return () => 0;
        case "ranked_keywords_info.page_from_keywords_count_top_3": return (l) => l.kw_top_3;
        case "ranked_keywords_info.page_from_keywords_count_top_10": return (l) => l.kw_top_10;
        case "ranked_keywords_info.page_from_keywords_count_top_100": return (l) => l.kw_top_100;
      }
      const key = field as keyof Link;
      if (hundred && RANK_FIELDS.has(field)) return (l) => toHundred(l[key] as number);
      return (l) => l[key];
    },
  };
}

export const MAP_NAMES = [
  "referring_links_tld", "referring_links_types", "referring_links_attributes",
  "referring_links_platform_types", "referring_links_semantic_locations", "referring_links_countries",
] as const;
export type MapName = (typeof MAP_NAMES)[number];

/** Metrics of a group of links (a referring main domain, or a target page). */
export interface AggRow {
  key: string;
  rank: number;
  backlinks: number;
  first_seen: number;
  lost_date: number | null;
  backlinks_spam_score: number;
  broken_backlinks: number;
  broken_pages: number;
  referring_domains: number;
  referring_domains_nofollow: number;
  referring_main_domains: number;
  referring_main_domains_nofollow: number;
  referring_ips: number;
  referring_subnets: number;
  referring_pages: number;
  referring_pages_nofollow: number;
  maps: Record<MapName, Record<string, number>>;
}

interface Acc {
  links: number;
  rank: number;
  first: number;
  live: boolean;
  lost: number;
  spam: number;
  broken: number;
  brokenPages: Set<string>;
  domains: Set<string>;
  domainsNf: Set<string>;
  mains: Set<string>;
  mainsNf: Set<string>;
  ips: Set<string>;
  subnets: Set<string>;
  pages: Set<string>;
  pagesNf: Set<string>;
  maps: Record<MapName, Record<string, number>>;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** Group links by a key and compute the documented metric set per group. */
export function aggregate(links: Link[], keyOf: (l: Link) => string): AggRow[] {
  const groups = new Map<string, Acc>();
  for (const l of links) {
    const k = keyOf(l);
    let a = groups.get(k);
    if (!a) {
      a = {
        links: 0, rank: 0, first: Infinity, live: false, lost: 0, spam: 0, broken: 0, brokenPages: new Set(),
        domains: new Set(), domainsNf: new Set(), mains: new Set(), mainsNf: new Set(), ips: new Set(), subnets: new Set(),
        pages: new Set(), pagesNf: new Set(),
        maps: {
          referring_links_tld: {}, referring_links_types: {}, referring_links_attributes: {},
          referring_links_platform_types: {}, referring_links_semantic_locations: {}, referring_links_countries: {},
        },
      };
      groups.set(k, a);
    }
    a.links++;
    if (l.rank > a.rank) a.rank = l.rank;
    if (l.first_seen < a.first) a.first = l.first_seen;
    if (l.lost_date === null) a.live = true;
    else if (l.lost_date > a.lost) a.lost = l.lost_date;
    a.spam += l.backlink_spam_score;
    if (l.is_broken) {
      a.broken++;
      a.brokenPages.add(l.url_to);
    }
    a.domains.add(l.domain_from);
    a.mains.add(l.main_from);
    a.ips.add(l.domain_from_ip);
    a.subnets.add(l.subnet);
    a.pages.add(l.url_from);
    if (!l.dofollow) {
      a.domainsNf.add(l.domain_from);
      a.mainsNf.add(l.main_from);
      a.pagesNf.add(l.url_from);
    }
    bump(a.maps.referring_links_tld, l.tld_from ?? "");
    bump(a.maps.referring_links_types, l.item_type);
    if (l.attributes) for (const at of l.attributes) bump(a.maps.referring_links_attributes, at);
    if (l.domain_from_platform_type) for (const p of l.domain_from_platform_type) bump(a.maps.referring_links_platform_types, p);
    bump(a.maps.referring_links_semantic_locations, l.semantic_location ?? "");
    bump(a.maps.referring_links_countries, l.domain_from_country ?? "");
  }
  const rows: AggRow[] = [];
  for (const [key, a] of groups) {
    rows.push({
      key,
      rank: a.rank,
      backlinks: a.links,
      first_seen: a.first,
      lost_date: a.live ? null : a.lost,
      backlinks_spam_score: Math.round(a.spam / a.links),
      broken_backlinks: a.broken,
      broken_pages: a.brokenPages.size,
      referring_domains: a.domains.size,
      referring_domains_nofollow: a.domainsNf.size,
      referring_main_domains: a.mains.size,
      referring_main_domains_nofollow: a.mainsNf.size,
      referring_ips: a.ips.size,
      referring_subnets: a.subnets.size,
      referring_pages: a.pages.size,
      referring_pages_nofollow: a.pagesNf.size,
      maps: a.maps,
    });
  }
  return rows;
}

/** Field access on aggregate rows; counter-map paths read 0 for a missing key. */
export function aggResolver(endpoint: keyof typeof filterFields.endpoints, keyField: string, typeName: string, hundred: boolean): FieldResolver<AggRow> {
  const typeOf = catalogue(filterFields.endpoints[endpoint]);
  return {
    typeOf,
    getter(field) {
      if (field === "type") return () => typeName;
      if (field === keyField) return (r) => r.key;
      if (field === "rank" && hundred) return (r) => toHundred(r.rank);
      const dot = field.indexOf(".");
      if (dot > 0) {
        const map = field.slice(0, dot) as MapName;
        const key = field.slice(dot + 1);
        return (r) => r.maps[map]?.[key] ?? 0;
      }
      const k = field as keyof AggRow;
      return (r) => r[k];
    },
  };
}

export function trimMap(map: Record<string, number>, limit: number): Record<string, number> | null {
  const entries = Object.entries(map);
  if (entries.length === 0) return null;
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, number> = {};
  for (const [k, v] of entries.slice(0, limit)) out[k] = v;
  return out;
}

/** A backlink in API form. */
export function renderLink(l: Link, groupCount: number, hundred: boolean): Record<string, unknown> {
  return {
    type: "backlink",
    domain_from: l.domain_from,
    url_from: l.url_from,
    url_from_https: l.url_from_https,
    domain_to: l.domain_to,
    url_to: l.url_to,
    url_to_https: l.url_to_https,
    tld_from: l.tld_from,
    is_new: l.is_new,
    is_lost: l.is_lost,
    backlink_spam_score: l.backlink_spam_score,
    rank: hundred ? toHundred(l.rank) : l.rank,
    page_from_rank: hundred ? toHundred(l.page_from_rank) : l.page_from_rank,
    domain_from_rank: hundred ? toHundred(l.domain_from_rank) : l.domain_from_rank,
    domain_from_platform_type: l.domain_from_platform_type,
    domain_from_is_ip: l.domain_from_is_ip,
    domain_from_ip: l.domain_from_ip,
    domain_from_country: l.domain_from_country,
    page_from_external_links: l.page_from_external_links,
    page_from_internal_links: l.page_from_internal_links,
    page_from_size: l.page_from_size,
    page_from_encoding: l.page_from_encoding,
    page_from_language: l.page_from_language,
    page_from_title: l.page_from_title,
    page_from_status_code: l.page_from_status_code,
    first_seen: formatTime(l.first_seen),
    prev_seen: formatTime(l.prev_seen),
    last_seen: formatTime(l.last_seen),
    item_type: l.item_type,
    attributes: l.attributes,
    dofollow: l.dofollow,
    original: l.original,
    alt: l.alt,
    image_url: l.image_url,
    anchor: l.anchor,
    text_pre: l.text_pre,
    text_post: l.text_post,
    semantic_location: l.semantic_location,
    links_count: l.links_count,
    group_count: groupCount,
    is_broken: l.is_broken,
    url_to_status_code: l.url_to_status_code,
    url_to_spam_score: l.url_to_spam_score,
    url_to_redirect_target: l.url_to_redirect_target,
    ranked_keywords_info: {
      page_from_keywords_count_top_3: l.kw_top_3,
      page_from_keywords_count_top_10: l.kw_top_10,
      page_from_keywords_count_top_100: l.kw_top_100,
    },
    is_indirect_link: l.is_indirect_link,
    indirect_link_path: l.indirect_link_path,
  };
}

/** Memoise a computed value on the graph (small LRU). */
export function memo<T>(graph: Graph, key: string, compute: () => T): T {
  const hit = graph.memo.get(key);
  if (hit !== undefined) {
    graph.memo.delete(key);
    graph.memo.set(key, hit);
    return hit as T;
  }
  const value = compute();
  graph.memo.set(key, value);
  if (graph.memo.size > 24) graph.memo.delete(graph.memo.keys().next().value as string);
  return value;
}

export type { FieldType };

// domain_intersection and page_intersection: referrers of several targets side by side.
//
// Choice (the documentation only says "all: results are based on all backlinks; partial: only on the
// intersecting ones", and that intersections_count filters and sorts): with intersection_mode "all"
// (default) an item is every referrer that links to at least one target, its per-target objects only
// for the targets it links to and summary.intersections_count saying how many; with "partial" only
// referrers that link to every target remain. A referrer that links to any exclude_targets entry is
// dropped. The default order is intersections_count desc, then the referrer's rank desc, then its name,
// so "competitors as targets, my site excluded" lists the best link-gap prospects first.
import filterFields from "../../data/backlinks-filter-fields.json" with { type: "json" };
import { invalidField } from "../errors.js";
import { catalogue, comparator, compileFilters, parseOrderBy, type FieldResolver, type OrderRule } from "../filters.js";
import type { Link } from "../graph.js";
import { aggregate, aggResolver, linkResolver, memo, renderLink, type AggRow } from "../dataset.js";
import type { Task } from "../params.js";
import { domainRank } from "../ranks.js";
import { byTree, checkRequest, itemTree, subTree, type Params } from "../spec.js";
import { pageKeyOf, parseTarget, type ParsedTarget } from "../targets.js";
import { aggValues, hundredOf, linksOf, selectionOf, targetFrom } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

interface Keyed {
  key: string;
  target: ParsedTarget;
}

function targetsOf(p: Params): Keyed[] {
  const obj = p.targets as Record<string, string>;
  return Object.keys(obj)
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => ({ key, target: targetFrom(obj[key], "targets") }));
}

/** Links to the exclude_targets: a target as usual, or with a trailing "*" every URL under that prefix. */
function excludedLinks(p: Params, ctx: EndpointContext): Link[] {
  const out: Link[] = [];
  const sel = selectionOf(p);
  for (const raw of (p.exclude_targets as string[] | undefined) ?? []) {
    const prefix = raw.endsWith("*");
    const text = prefix ? raw.slice(0, -1) : raw;
    // A prefix may be written with or without its scheme ("https://site.com/blog*", "site.com/blog*").
    const key = pageKeyOf(text);
    const t = parseTarget(prefix ? key.split("/")[0] : text);
    if (!t) throw invalidField("exclude_targets", `${JSON.stringify(raw)} is not a domain or an absolute http(s) URL.`);
    if (!prefix) {
      out.push(...linksOf(t, sel, ctx.seed, ctx.nowMs).links);
      continue;
    }
    const host = parseTarget(t.host)!;
    for (const l of linksOf(host, sel, ctx.seed, ctx.nowMs).links) if (l.page_key_to.startsWith(key)) out.push(l);
  }
  return out;
}

/** A resolver over intersection rows: "intersections_count" and "<n>.<field>" read the row of target n. */
function intersectionResolver<R>(
  endpoint: "domain_intersection" | "page_intersection",
  keys: Set<string>,
  count: (r: R) => number,
  inner: (r: R, n: string) => unknown,
  innerResolver: FieldResolver<never>,
): FieldResolver<R> {
  const typeOf = catalogue(filterFields.endpoints[endpoint]);
  const split = (field: string): [string, string] | null => {
    const m = /^(\d+)\.(.+)$/.exec(field);
    return m && keys.has(m[1]) ? [m[1], m[2]] : null;
  };
  return {
    typeOf(field) {
      if (field === "intersections_count") return typeOf(field);
      const s = split(field);
      return s ? typeOf(`<n>.${s[1]}`) : undefined;
    },
    getter(field) {
      if (field === "intersections_count") return count;
      const [n, sub] = split(field)!;
      const get = innerResolver.getter(sub) as (x: unknown) => unknown;
      return (r) => {
        const x = inner(r, n);
        return x == null ? null : get(x);
      };
    },
  };
}

interface DomainRow {
  key: string;
  rank: number;
  byTarget: Map<string, AggRow>;
}

const DOMAIN_ITEM = itemTree("domain_intersection");
const DOMAIN_INNER = subTree(DOMAIN_ITEM, "domain_intersection");

function runDomain(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("domain_intersection", task, ctx.nowMs);
  const targets = targetsOf(p);
  const hundred = hundredOf(p);
  const listLimit = p.internal_list_limit as number;
  const sel = selectionOf(p);
  const linkPredicate = compileFilters(p.backlinks_filters, linkResolver(hundred), "backlinks_filters");
  const inner = aggResolver("referring_domains", "target", "backlinks_domain_intersection", hundred);
  const resolver = intersectionResolver<DomainRow>(
    "domain_intersection", new Set(targets.map((x) => x.key)), (r) => r.byTarget.size, (r, n) => r.byTarget.get(n), inner as FieldResolver<never>,
  );
  const predicate = compileFilters(p.filters, resolver);
  const rules: OrderRule[] = parseOrderBy(p.order_by, resolver) ?? [{ field: "intersections_count", desc: true }];
  const excluded = new Set(excludedLinks(p, ctx).map((l) => l.main_from));

  const rows = new Map<string, DomainRow>();
  const bfKey = `${hundred}|${JSON.stringify(p.backlinks_filters ?? null)}|${JSON.stringify(sel)}`;
  for (const { key, target } of targets) {
    const { graph, links } = linksOf(target, sel, ctx.seed, ctx.nowMs);
    // Per-target rows by referring main domain, memoised on the target's graph (read-only afterwards).
    const aggs = memo(graph, `intersection|${target.kind}|${target.host}|${target.pageKey ?? ""}|${bfKey}`, () => {
      const list = aggregate(linkPredicate ? links.filter(linkPredicate) : links, (l) => l.main_from);
      for (const a of list) a.rank = domainRank(ctx.seed, a.key);
      return list;
    });
    for (const a of aggs) {
      if (excluded.has(a.key)) continue;
      let r = rows.get(a.key);
      if (!r) rows.set(a.key, (r = { key: a.key, rank: a.rank, byTarget: new Map() }));
      r.byTarget.set(key, a);
    }
  }
  let list = [...rows.values()];
  if (p.intersection_mode === "partial") list = list.filter((r) => r.byTarget.size === targets.length);
  if (predicate) list = list.filter(predicate);
  list.sort(comparator(rules, resolver, (a, b) => b.rank - a.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  const offset = p.offset as number;
  const items = list.slice(offset, offset + (p.limit as number)).map((r) => {
    const per: Record<string, unknown> = {};
    for (const { key } of targets) {
      const a = r.byTarget.get(key);
      if (a) per[key] = byTree(DOMAIN_INNER, { type: "backlinks_domain_intersection", target: r.key, ...aggValues(a, listLimit, hundred) });
    }
    return byTree(DOMAIN_ITEM, { domain_intersection: per, summary: { intersections_count: r.byTarget.size } });
  });
  return {
    result: [{ targets: task.targets, total_count: list.length, items_count: items.length, items }],
    rows: items.length,
  };
}

export const domainIntersectionEndpoint: Endpoint = {
  api: "backlinks", fn: "domain_intersection", method: "POST", path: "/v3/backlinks/domain_intersection/live", billable: true, run: runDomain,
};

interface PageRow {
  key: string;
  rank: number;
  byTarget: Map<string, Link[]>;
}

const PAGE_ITEM = itemTree("page_intersection");
const PAGE_INNER = subTree(PAGE_ITEM, "page_intersection");

function runPage(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("page_intersection", task, ctx.nowMs);
  const targets = targetsOf(p);
  const hundred = hundredOf(p);
  const listLimit = p.internal_list_limit as number;
  const sel = selectionOf(p);
  const inner = linkResolver(hundred);
  const resolver = intersectionResolver<PageRow>(
    "page_intersection", new Set(targets.map((x) => x.key)), (r) => r.byTarget.size, (r, n) => r.byTarget.get(n)?.[0], inner as FieldResolver<never>,
  );
  const predicate = compileFilters(p.filters, resolver);
  const rules: OrderRule[] = parseOrderBy(p.order_by, resolver) ?? [{ field: "intersections_count", desc: true }];
  const excluded = new Set(excludedLinks(p, ctx).map((l) => l.url_from));

  const rows = new Map<string, PageRow>();
  for (const { key, target } of targets) {
    for (const l of linksOf(target, sel, ctx.seed, ctx.nowMs).links) {
      if (excluded.has(l.url_from)) continue;
      let r = rows.get(l.url_from);
      if (!r) rows.set(l.url_from, (r = { key: l.url_from, rank: l.page_from_rank, byTarget: new Map() }));
      let arr = r.byTarget.get(key);
      if (!arr) r.byTarget.set(key, (arr = []));
      arr.push(l);
    }
  }
  let list = [...rows.values()];
  if (p.intersection_mode === "partial") list = list.filter((r) => r.byTarget.size === targets.length);
  if (predicate) list = list.filter(predicate);
  list.sort(comparator(rules, resolver, (a, b) => b.rank - a.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  const offset = p.offset as number;
  const items = list.slice(offset, offset + (p.limit as number)).map((r) => {
    const per: Record<string, unknown> = {};
    for (const { key } of targets) {
      const ls = r.byTarget.get(key);
      if (!ls) continue;
      per[key] = ls.map((l) => {
        const v = renderLink(l, 0, hundred);
        v.attributes = l.attributes ? l.attributes.slice(0, listLimit) : null;
        v.domain_from_platform_type = l.domain_from_platform_type ? l.domain_from_platform_type.slice(0, listLimit) : null;
        return byTree(PAGE_INNER, v);
      });
    }
    return byTree(PAGE_ITEM, { page_intersection: per, summary: { intersections_count: r.byTarget.size } });
  });
  return {
    result: [{ targets: task.targets, total_count: list.length, items_count: items.length, items }],
    rows: items.length,
  };
}

export const pageIntersectionEndpoint: Endpoint = {
  api: "backlinks", fn: "page_intersection", method: "POST", path: "/v3/backlinks/page_intersection/live", billable: true, run: runPage,
};

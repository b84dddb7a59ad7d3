// Shared implementation of the list endpoints that aggregate a target's backlinks into rows:
// referring_domains, domain_pages_summary, anchors and referring_networks.
import { comparator, compileFilters, parseOrderBy, type OrderRule } from "../filters.js";
import type { Link } from "../graph.js";
import { aggregate, aggResolver, linkResolver, memo, type AggRow } from "../dataset.js";
import { canonical, type Task } from "../params.js";
import { domainRank } from "../ranks.js";
import { byTree, checkRequest, itemTree, type Params } from "../spec.js";
import { aggValues, hundredOf, linksOf, selectionOf, targetFrom } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

export interface AggregateListConfig {
  fn: "referring_domains" | "domain_pages_summary" | "anchors" | "referring_networks";
  /** Value of each item's `type`. */
  typeName: string;
  /** Name of the item field holding the group key (domain, url, anchor, network_address). */
  keyField: string;
  groupKey: (p: Params) => (l: Link) => string;
  defaultOrder: OrderRule[];
  /** When set, a row's rank is this instead of the highest rank among its links. */
  rowRank?: (key: string, seed: number) => number;
}

export function aggregateListEndpoint(cfg: AggregateListConfig): Endpoint {
  const tree = itemTree(cfg.fn);
  function run(task: Task, ctx: EndpointContext): EndpointOutput {
    const p = checkRequest(cfg.fn, task, ctx.nowMs);
    const t = targetFrom(p.target, "target");
    const sel = selectionOf(p);
    const hundred = hundredOf(p);
    const limit = p.limit as number;
    const offset = p.offset as number;
    const listLimit = p.internal_list_limit as number;
    const linkPredicate = compileFilters(p.backlinks_filters, linkResolver(hundred), "backlinks_filters");
    const resolver = aggResolver(cfg.fn, cfg.keyField, cfg.typeName, hundred);
    const predicate = compileFilters(p.filters, resolver);
    const rules = parseOrderBy(p.order_by, resolver) ?? cfg.defaultOrder;
    const groupKey = cfg.groupKey(p);

    const query = canonical({
      target: [t.kind, t.host, t.pageKey ?? null], sel, hundred, net: p.network_address_type ?? null,
      backlinks_filters: p.backlinks_filters ?? null, filters: p.filters ?? null, rules,
    });
    const { graph, links: selected } = linksOf(t, sel, ctx.seed, ctx.nowMs);
    const rows = memo(graph, `${cfg.fn}|${query}`, (): AggRow[] => {
      const links = linkPredicate ? selected.filter(linkPredicate) : selected;
      let list = aggregate(links, groupKey);
      if (cfg.rowRank) for (const r of list) r.rank = cfg.rowRank(r.key, ctx.seed);
      if (predicate) list = list.filter(predicate);
      return list.sort(comparator(rules, resolver, (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
    });
    const items = rows.slice(offset, offset + limit).map((r) =>
      byTree(tree, { type: cfg.typeName, [cfg.keyField]: r.key, ...aggValues(r, listLimit, hundred) }));
    return {
      result: [{ target: task.target, total_count: rows.length, items_count: items.length, items }],
      rows: items.length,
    };
  }
  return { api: "backlinks", fn: cfg.fn, method: "POST", path: `/v3/backlinks/${cfg.fn}/live`, billable: true, run };
}

export const referringDomainsConfig: AggregateListConfig = {
  fn: "referring_domains",
  typeName: "backlinks_referring_domain",
  keyField: "domain",
  groupKey: () => (l) => l.main_from,
  defaultOrder: [{ field: "rank", desc: true }],
  rowRank: (key, seed) => domainRank(seed, key),
};

// Shared implementation of the list endpoints that aggregate a target's backlinks into rows
// (referring_domains, domain_pages_summary; anchors or referring_networks would be one more config).
import { comparator, compileFilters, parseOrderBy, type OrderRule } from "../filters.js";
import { graphFor, type Link } from "../graph.js";
import { aggregate, aggResolver, linkResolver, memo, renderAgg, selectLinks, type AggRow } from "../dataset.js";
import { canonical, int, rankScale, rejectUnknown, selection, tag, target, type Task } from "../params.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const PARAMS = [
  "target", "limit", "offset", "internal_list_limit", "backlinks_status_type", "filters", "order_by", "backlinks_filters",
  "include_subdomains", "include_indirect_links", "exclude_internal_backlinks", "rank_scale", "tag",
] as const;

export interface AggregateListConfig {
  fn: "referring_domains" | "domain_pages_summary";
  /** Value of each item's `type`. */
  typeName: string;
  /** Name of the item field holding the group key (domain, url). */
  keyField: string;
  groupKey: (l: Link) => string;
  defaultOrder: OrderRule[];
}

export function aggregateListEndpoint(cfg: AggregateListConfig): Endpoint {
  function run(task: Task, ctx: EndpointContext): EndpointOutput {
    rejectUnknown(task, PARAMS);
    tag(task);
    const t = target(task);
    const sel = selection(task);
    const hundred = rankScale(task);
    const limit = int(task, "limit", 100, 1, 1000);
    const offset = int(task, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const listLimit = int(task, "internal_list_limit", 10, 1, 1000);
    const linkPredicate = compileFilters(task.backlinks_filters, linkResolver(hundred), "backlinks_filters");
    const resolver = aggResolver(cfg.fn, cfg.keyField, cfg.typeName, hundred);
    const predicate = compileFilters(task.filters, resolver);
    const rules = parseOrderBy(task.order_by, resolver) ?? cfg.defaultOrder;

    const query = canonical({
      target: [t.kind, t.host, t.pageKey ?? null], sel, hundred,
      backlinks_filters: task.backlinks_filters ?? null, filters: task.filters ?? null, rules,
    });
    const graph = graphFor(t, ctx.seed, ctx.nowMs);
    const rows = memo(graph, `${cfg.fn}|${query}`, (): AggRow[] => {
      let links = selectLinks(graph, t, sel);
      if (linkPredicate) links = links.filter(linkPredicate);
      let list = aggregate(links, cfg.groupKey);
      if (predicate) list = list.filter(predicate);
      return list.sort(comparator(rules, resolver, (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
    });
    const items = rows.slice(offset, offset + limit).map((r) => renderAgg(r, cfg.typeName, cfg.keyField, listLimit, hundred));
    return {
      result: [{ target: task.target, total_count: rows.length, items_count: items.length, items }],
      rows: items.length,
    };
  }
  return { api: "backlinks", fn: cfg.fn, method: "POST", path: `/v3/backlinks/${cfg.fn}/live`, billable: true, run };
}

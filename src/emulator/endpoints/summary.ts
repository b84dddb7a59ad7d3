// POST /v3/backlinks/summary/live: the whole backlink profile of one target as a single object.
// Every figure is the aggregate of exactly the links backlinks/live returns for the same switches,
// so it equals the sums over referring_domains, anchors, referring_networks and domain_pages_summary.
import { compileFilters } from "../filters.js";
import type { Link } from "../graph.js";
import { linkResolver } from "../dataset.js";
import type { Task } from "../params.js";
import { hash32 } from "../rng.js";
import { targetInfo } from "../ranks.js";
import { byTree, checkRequest, resultTree, type Params } from "../spec.js";
import type { ParsedTarget } from "../targets.js";
import { aggValues, hundredOf, linksOf, scaled, selectionOf, targetFrom, targetRank, totalsOf } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const TREE = resultTree("summary");

/** The summary metric set of a target (also used by bulk_pages_summary). */
export function summaryValues(t: ParsedTarget, p: Params, seed: number, nowMs: number): Record<string, unknown> {
  const sel = selectionOf(p);
  const hundred = hundredOf(p);
  const listLimit = (p.internal_list_limit as number | undefined) ?? 10;
  const linkPredicate = compileFilters(p.backlinks_filters, linkResolver(hundred), "backlinks_filters");
  const filter = linkPredicate ? { key: `${hundred}|${JSON.stringify(p.backlinks_filters)}`, test: linkPredicate } : undefined;
  const { links, row } = totalsOf(t, sel, seed, nowMs, filter);
  const internal = linksOf(t, { ...sel, excludeInternal: false }, seed, nowMs).links.filter((l: Link) => l.main_from === t.root);
  const infoHost = t.kind === "page" ? t.pageKey! : t.host;
  return {
    ...aggValues(row, listLimit, hundred),
    rank: scaled(targetRank(t, links, seed), hundred),
    crawled_pages: new Set(links.map((l) => l.url_to)).size,
    info: targetInfo(seed, infoHost),
    internal_links_count: internal.length,
    external_links_count: hash32(`${seed}|ext|${infoHost}`) % 5000,
  };
}

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("summary", task, ctx.nowMs);
  const t = targetFrom(p.target, "target");
  const values = summaryValues(t, p, ctx.seed, ctx.nowMs);
  return { result: [byTree(TREE, { target: task.target, ...values })], rows: 1 };
}

export const summaryEndpoint: Endpoint = {
  api: "backlinks", fn: "summary", method: "POST", path: "/v3/backlinks/summary/live", billable: true, run,
};

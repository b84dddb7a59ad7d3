// POST /v3/backlinks/bulk_new_lost_referring_domains/live: new / lost referring (main) domains since date_from.
//
// Computed from each target's backlinks (all statuses, subdomains and indirect links included,
// internal links excluded), grouping by domain_from and by its main domain:
//   new  = the group's earliest first_seen >= date_from and it still has a live link;
//   lost = every link of the group is lost, the latest lost_date >= date_from and the group
//          was first seen before date_from.
import type { Link } from "../graph.js";
import type { Task } from "../params.js";
import { byTree, checkRequest, itemTree } from "../spec.js";
import { ALL_SELECTION, bulkTargets, linksOf } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";
import { memo } from "../dataset.js";

const TREE = itemTree("bulk_new_lost_referring_domains");

interface GroupState {
  first: number;
  live: boolean;
  lost: number;
}

function countNewLost(links: Link[], keyOf: (l: Link) => string, from: number): [number, number] {
  const groups = new Map<string, GroupState>();
  for (const l of links) {
    const k = keyOf(l);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { first: Infinity, live: false, lost: 0 }));
    if (l.first_seen < g.first) g.first = l.first_seen;
    if (l.lost_date === null) g.live = true;
    else if (l.lost_date > g.lost) g.lost = l.lost_date;
  }
  let added = 0;
  let lost = 0;
  for (const g of groups.values()) {
    if (g.live && g.first >= from) added++;
    if (!g.live && g.lost >= from && g.first < from) lost++;
  }
  return [added, lost];
}

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("bulk_new_lost_referring_domains", task, ctx.nowMs);
  const targets = bulkTargets(p);
  const from = p.date_from as number;
  const items = targets.map((t) => {
    const { graph, links } = linksOf(t, ALL_SELECTION, ctx.seed, ctx.nowMs);
    const [nd, ld, nm, lm] = memo(graph, `bulk_new_lost|${t.kind}|${t.host}|${t.pageKey ?? ""}|${from}`, () =>
      [...countNewLost(links, (l) => l.domain_from, from), ...countNewLost(links, (l) => l.main_from, from)]);
    return byTree(TREE, { target: t.raw, new_referring_domains: nd, lost_referring_domains: ld, new_referring_main_domains: nm, lost_referring_main_domains: lm });
  });
  return { result: [{ items_count: items.length, items }], rows: items.length };
}

export const bulkNewLostReferringDomainsEndpoint: Endpoint = {
  api: "backlinks",
  fn: "bulk_new_lost_referring_domains",
  method: "POST",
  path: "/v3/backlinks/bulk_new_lost_referring_domains/live",
  billable: true,
  run,
};


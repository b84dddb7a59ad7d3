// The bulk endpoints: one item per target in request order, each equal to what the single-target
// endpoints report for that target with their default switches.
import { invalidField } from "../errors.js";
import type { Task } from "../params.js";
import { domainRank, targetSpamScore } from "../ranks.js";
import { byTree, checkRequest, itemTree, monthsBefore, type Params } from "../spec.js";
import type { ParsedTarget } from "../targets.js";
import { ALL_SELECTION, bulkTargets, DEFAULT_SELECTION, hundredOf, linksOf, scaled, targetRank, totalsOf } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";
import { summaryValues } from "./summary.js";

export const MAX_PAGE_DOMAINS = 100;

type ItemFn = (t: ParsedTarget, p: Params, ctx: EndpointContext) => Record<string, unknown>;

function bulkEndpoint(fn: string, item: ItemFn, extra?: (targets: ParsedTarget[]) => void, withTotal = false): Endpoint {
  const tree = itemTree(fn);
  function run(task: Task, ctx: EndpointContext): EndpointOutput {
    const p = checkRequest(fn, task, ctx.nowMs);
    const targets = bulkTargets(p);
    extra?.(targets);
    const items = targets.map((t) => byTree(tree, { target: t.raw, ...item(t, p, ctx) }));
    const result = withTotal
      ? { total_count: items.length, items_count: items.length, items }
      : { items_count: items.length, items };
    return { result: [result], rows: items.length };
  }
  return { api: "backlinks", fn, method: "POST", path: `/v3/backlinks/${fn}/live`, billable: true, run };
}

export const bulkRanksEndpoint = bulkEndpoint("bulk_ranks", (t, p, ctx) => {
  const { links } = linksOf(t, DEFAULT_SELECTION, ctx.seed, ctx.nowMs);
  return { rank: scaled(targetRank(t, links, ctx.seed), hundredOf(p)) };
});

export const bulkBacklinksEndpoint = bulkEndpoint("bulk_backlinks", (t, _p, ctx) => ({
  backlinks: linksOf(t, DEFAULT_SELECTION, ctx.seed, ctx.nowMs).links.length,
}));

export const bulkSpamScoreEndpoint = bulkEndpoint("bulk_spam_score", (t, _p, ctx) => ({
  type: "backlinks_bulk_spam_score",
  spam_score: targetSpamScore(ctx.seed, t.kind === "page" ? t.pageKey! : t.host),
}));

export const bulkReferringDomainsEndpoint = bulkEndpoint("bulk_referring_domains", (t, _p, ctx) => {
  const r = totalsOf(t, DEFAULT_SELECTION, ctx.seed, ctx.nowMs).row;
  return {
    referring_domains: r.referring_domains,
    referring_domains_nofollow: r.referring_domains_nofollow,
    referring_main_domains: r.referring_main_domains,
    referring_main_domains_nofollow: r.referring_main_domains_nofollow,
  };
});

/** new = links first seen on or after date_from; lost = links lost on or after it (all statuses). */
export const bulkNewLostBacklinksEndpoint = bulkEndpoint("bulk_new_lost_backlinks", (t, p, ctx) => {
  const from = (p.date_from as number | undefined) ?? monthsBefore(ctx.nowMs, 1);
  let added = 0;
  let lost = 0;
  for (const l of linksOf(t, ALL_SELECTION, ctx.seed, ctx.nowMs).links) {
    if (l.first_seen >= from) added++;
    if (l.lost_date !== null && l.lost_date >= from) lost++;
  }
  return { new_backlinks: added, lost_backlinks: lost };
});

export const bulkPagesSummaryEndpoint = bulkEndpoint(
  "bulk_pages_summary",
  (t, p, ctx) => ({
    type: "backlinks_bulk_pages_summary",
    url: t.raw,
    main_domain_rank: scaled(domainRank(ctx.seed, t.root), hundredOf(p)),
    ...summaryValues(t, p, ctx.seed, ctx.nowMs),
  }),
  (targets) => {
    const domains = new Set(targets.map((t) => t.root));
    if (domains.size > MAX_PAGE_DOMAINS) {
      throw invalidField("targets", `The targets may come from at most ${MAX_PAGE_DOMAINS} distinct domains, got ${domains.size}.`);
    }
  },
  true,
);

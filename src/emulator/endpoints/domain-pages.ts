// POST /v3/backlinks/domain_pages/live: the target's pages that have backlinks, with crawl data
// (derived from seed + URL) and a page_summary aggregated from exactly those backlinks.
import filterFields from "../../data/backlinks-filter-fields.json" with { type: "json" };
import { catalogue, comparator, compileFilters, parseOrderBy, parseTime, type FieldResolver } from "../filters.js";
import { DAY_MS, formatTime } from "../graph.js";
import { aggregate, linkResolver, memo } from "../dataset.js";
import { canonical, type Task } from "../params.js";
import { hash32 } from "../rng.js";
import { targetInfo } from "../ranks.js";
import { byTree, checkRequest, itemTree, subTree } from "../spec.js";
import { mainDomainOf } from "../targets.js";
import { TOPIC_WORDS } from "../words.js";
import { aggValues, hundredOf, linksOf, selectionOf, targetFrom } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const TREE = itemTree("domain_pages");
const META = subTree(TREE, "meta");
const SUMMARY = subTree(TREE, "page_summary");
const typeOf = catalogue(filterFields.endpoints.domain_pages);

type Row = Record<string, unknown>;

/** Read a dot path of a rendered item; counter-map keys read 0 when absent, times compare as epoch ms. */
const resolver: FieldResolver<Row> = {
  typeOf,
  getter(field) {
    const parts = field.split(".");
    const type = typeOf(field);
    return (row) => {
      let v: unknown = row;
      for (let i = 0; i < parts.length; i++) {
        if (v == null || typeof v !== "object") return i > 0 && type === "num" ? 0 : null;
        v = (v as Record<string, unknown>)[parts[i]];
        if (v === undefined) return type === "num" ? 0 : null;
      }
      if (type === "time" && typeof v === "string") return parseTime(v);
      return v;
    };
  },
};

function crawl(seed: number, url: string, nowMs: number, status: number | null, redirect: string | null) {
  const h = hash32(`${seed}|page|${url}`);
  const fetch = nowMs - (1 + (h % (20 * 86_400))) * 1000;
  const words = 150 + (h % 3000);
  const w = (i: number) => TOPIC_WORDS[(h >>> i) % TOPIC_WORDS.length];
  const title = `${w(0)} ${w(5)} ${w(11)}`.replace(/^./, (c) => c.toUpperCase());
  return {
    first_visited: formatTime(fetch - (30 + (h % 900)) * DAY_MS),
    prev_visited: formatTime(fetch - (1 + ((h >>> 7) % 30)) * DAY_MS),
    fetch_time: formatTime(fetch),
    status_code: status ?? 200,
    location: redirect,
    size: 20_000 + (h % 400_000),
    encoded_size: 5_000 + (h % 90_000),
    content_encoding: "gzip",
    media_type: "text/html",
    meta: {
      title, canonical: url, internal_links_count: 20 + (h % 200), external_links_count: h % 60, images_count: h % 40,
      words_count: words, page_spam_score: h % 7, social_media_tags: { "og:title": title, "og:type": "article" },
      h1: [title], h2: [`${w(3)} ${w(9)}`], h3: [], images_alt: [], powered_by: [], language: "en", charset: "utf-8",
      platform_type: ["news"], technologies: { cdn: "Cloudflare" },
    },
  };
}

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("domain_pages", task, ctx.nowMs);
  const t = targetFrom(p.target, "target", { domainOnly: true });
  const sel = selectionOf(p);
  const hundred = hundredOf(p);
  const listLimit = p.internal_list_limit as number;
  const linkPredicate = compileFilters(p.backlinks_filters, linkResolver(hundred), "backlinks_filters");
  const predicate = compileFilters(p.filters, resolver);
  const rules = parseOrderBy(p.order_by, resolver) ?? [{ field: "page_summary.backlinks", desc: true }];
  const { graph, links: selected } = linksOf(t, sel, ctx.seed, ctx.nowMs);
  const query = canonical({ host: t.host, sel, hundred, bf: p.backlinks_filters ?? null, f: p.filters ?? null, rules });
  const info = targetInfo(ctx.seed, t.host);
  // Rows keep full counter maps for filtering; maps are trimmed when rendered.
  const rows = memo(graph, `domain_pages|${query}`, () => {
    const links = linkPredicate ? selected.filter(linkPredicate) : selected;
    const first = new Map(links.map((l) => [l.url_to, l]));
    let list: { row: Row; agg: ReturnType<typeof aggregate>[number] }[] = aggregate(links, (l) => l.url_to).map((a) => {
      const l = first.get(a.key)!;
      const host = new URL(a.key).hostname;
      const row: Row = {
        type: "backlinks_domain_page", main_domain: mainDomainOf(host), domain: host, tld: mainDomainOf(host).split(".").slice(1).join("."),
        page: a.key, ip: info.ip_address, server: info.server,
        ...crawl(ctx.seed, a.key, ctx.nowMs, l.url_to_status_code, l.url_to_redirect_target),
        page_summary: aggValues(a, 1000, hundred),
      };
      return { row, agg: a };
    });
    if (predicate) list = list.filter((x) => predicate(x.row));
    const cmp = comparator(rules, resolver, (a, b) => ((a.page as string) < (b.page as string) ? -1 : 1));
    return list.sort((a, b) => cmp(a.row, b.row));
  });
  const offset = p.offset as number;
  const items = rows.slice(offset, offset + (p.limit as number)).map(({ row, agg }) =>
    byTree(TREE, { ...row, meta: byTree(META, row.meta as Row), page_summary: byTree(SUMMARY, aggValues(agg, listLimit, hundred)) }));
  return { result: [{ target: task.target, total_count: rows.length, items_count: items.length, items }], rows: items.length };
}

export const domainPagesEndpoint: Endpoint = {
  api: "backlinks", fn: "domain_pages", method: "POST", path: "/v3/backlinks/domain_pages/live", billable: true, run,
};

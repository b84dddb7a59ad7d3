// One agreement identity per endpoint added this round: every figure comes from the same link graph.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { allBacklinks, allItems, result, start } from "./helpers.js";

type Item = Record<string, any>;
const T = "dataforseo.com";
const DAY = 86_400_000;
let emu: Emulator;
let live: Item[];
let all: Item[];
let summary: Item;
beforeAll(async () => {
  emu = await start();
  live = await allBacklinks(emu, { target: T });
  all = await allBacklinks(emu, { target: T, backlinks_status_type: "all" });
  summary = await result(emu, "summary", { target: T, internal_list_limit: 1000 });
});
afterAll(() => emu.close());

const sum = (xs: Item[], f: string) => xs.reduce((a, x) => a + x[f], 0);
const distinct = (xs: Item[], f: (x: Item) => unknown) => new Set(xs.map(f)).size;
const ms = (t: string) => Date.parse(t.replace(" +00:00", "Z").replace(" ", "T"));
const mainOf = (host: string) => host.split(".").slice(-2).join(".");

describe("summary", () => {
  it("equals the backlinks it summarises and what the list endpoints imply", async () => {
    expect(summary.backlinks).toBe(live.length);
    expect(summary.referring_domains).toBe(distinct(live, (l) => l.domain_from));
    expect(summary.referring_pages).toBe(distinct(live, (l) => l.url_from));
    expect(summary.referring_ips).toBe(distinct(live, (l) => l.domain_from_ip));
    expect(summary.broken_backlinks).toBe(live.filter((l) => l.is_broken).length);
    expect(summary.referring_main_domains).toBe((await result(emu, "referring_domains", { target: T, limit: 1 })).total_count);
    expect(summary.crawled_pages).toBe((await result(emu, "domain_pages_summary", { target: T, limit: 1 })).total_count);
    expect(sum(Object.entries(summary.referring_links_types).map(([, v]) => ({ v })), "v")).toBe(live.length);
  });
});

describe("anchors", () => {
  it("one row per anchor text, summing to the backlinks", async () => {
    const rows = await allItems(emu, "anchors", { target: T });
    expect(rows.length).toBe(distinct(live, (l) => l.anchor ?? ""));
    expect(sum(rows, "backlinks")).toBe(summary.backlinks);
    const top = rows[0];
    expect(top.backlinks).toBe(live.filter((l) => (l.anchor ?? "") === top.anchor).length);
  });
});

describe("referring_networks", () => {
  it("IPs and subnets count what summary reports", async () => {
    const ips = await allItems(emu, "referring_networks", { target: T });
    const nets = await allItems(emu, "referring_networks", { target: T, network_address_type: "subnet" });
    expect(ips.length).toBe(summary.referring_ips);
    expect(nets.length).toBe(summary.referring_subnets);
    expect(sum(ips, "backlinks")).toBe(summary.backlinks);
    expect(sum(nets, "backlinks")).toBe(summary.backlinks);
    expect(nets[0].network_address).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
  });
});

describe("domain_pages", () => {
  it("one row per linked page, its page_summary equal to domain_pages_summary", async () => {
    const pages = await allItems(emu, "domain_pages", { target: T });
    const sums = await allItems(emu, "domain_pages_summary", { target: T });
    expect(pages.length).toBe(sums.length);
    const byUrl = new Map(sums.map((s) => [s.url, s]));
    for (const p of pages) expect(p.page_summary.backlinks).toBe(byUrl.get(p.page).backlinks);
    const filtered = await allItems(emu, "domain_pages", { target: T, filters: ["page_summary.backlinks", ">", 5], order_by: ["page_summary.backlinks,asc"] });
    expect(filtered.length).toBe(sums.filter((s) => s.backlinks > 5).length);
    expect(filtered[0].page_summary.backlinks).toBe(Math.min(...filtered.map((p) => p.page_summary.backlinks)));
  });
});

describe("history and time series", () => {
  const aliveAt = (t: number) => all.filter((l) => ms(l.first_seen) <= t && (!l.is_lost || ms(l.last_seen) > t));

  it("history: each month's figures are the links alive on its first day", async () => {
    const h = await result(emu, "history", { target: T, date_from: "2025-01-01" });
    expect(h.items_count).toBe(20);
    for (const item of h.items) {
      const at = ms(item.date) + DAY - 1;
      const alive = aliveAt(at);
      expect(item.backlinks).toBe(alive.length);
      expect(item.referring_domains).toBe(distinct(alive, (l) => l.domain_from));
      const start = ms(item.date);
      const end = Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth() + 1, 1);
      expect(item.new_backlinks).toBe(all.filter((l) => ms(l.first_seen) >= start && ms(l.first_seen) < end).length);
    }
  });

  it("timeseries_summary: today's day equals summary; months are dated at their last day", async () => {
    const days = await result(emu, "timeseries_summary", { target: T, date_from: "2026-07-20", group_range: "day" });
    const today = days.items.at(-1);
    expect(today.date).toBe("2026-08-01 00:00:00 +00:00");
    for (const f of ["backlinks", "referring_domains", "referring_main_domains", "referring_pages", "referring_ips", "referring_subnets"]) {
      expect(today[f]).toBe(summary[f]);
    }
    expect(today.rank).toBe(summary.rank);
    const months = await result(emu, "timeseries_summary", { target: T, date_from: "2026-03-23", date_to: "2026-05-13" });
    expect(months.items.map((i: Item) => i.date.slice(0, 10))).toEqual(["2026-03-31", "2026-04-30", "2026-05-31"]);
    const weeks = await result(emu, "timeseries_summary", { target: T, date_from: "2026-07-01", date_to: "2026-07-14", group_range: "week" });
    expect(weeks.items.map((i: Item) => i.date.slice(0, 10))).toEqual(["2026-07-05", "2026-07-12", "2026-07-19"]);
    expect(weeks.items[0].backlinks).toBe(aliveAt(Date.UTC(2026, 6, 6) - 1).length);
  });

  it("timeseries_new_lost_summary: daily sums equal bulk_new_lost_backlinks and the links' dates", async () => {
    const from = "2026-07-02";
    const ts = await result(emu, "timeseries_new_lost_summary", { target: T, date_from: from, group_range: "day" });
    const bulk = (await result(emu, "bulk_new_lost_backlinks", { targets: [T], date_from: from })).items[0];
    expect(sum(ts.items, "new_backlinks")).toBe(bulk.new_backlinks);
    expect(sum(ts.items, "lost_backlinks")).toBe(bulk.lost_backlinks);
    const f = Date.parse(`${from}T00:00:00Z`);
    expect(bulk.new_backlinks).toBe(all.filter((l) => ms(l.first_seen) >= f).length);
    expect(bulk.lost_backlinks).toBe(all.filter((l) => l.is_lost && ms(l.last_seen) >= f).length);
    const rows = await allItems(emu, "referring_domains", { target: T, backlinks_status_type: "all" });
    expect(sum(ts.items, "new_referring_main_domains")).toBe(rows.filter((r) => ms(r.first_seen) >= f).length);
    expect(sum(ts.items, "lost_referring_main_domains")).toBe(rows.filter((r) => r.lost_date !== null && ms(r.lost_date) >= f).length);
  });
});

describe("bulk endpoints", () => {
  const targets = [T, "https://ahrefs.com/blog/", "backlinko.com"];

  it("equal the single-target figures, one item per target in request order", async () => {
    const ranks = (await result(emu, "bulk_ranks", { targets })).items;
    const links = (await result(emu, "bulk_backlinks", { targets })).items;
    const rds = (await result(emu, "bulk_referring_domains", { targets })).items;
    const spam = (await result(emu, "bulk_spam_score", { targets })).items;
    const pages = await result(emu, "bulk_pages_summary", { targets });
    for (const list of [ranks, links, rds, spam]) expect(list.map((i: Item) => i.target)).toEqual(targets);
    expect(pages.items.map((i: Item) => i.url)).toEqual(targets);
    for (let i = 0; i < targets.length; i++) {
      const s = await result(emu, "summary", { target: targets[i] });
      expect(ranks[i].rank).toBe(s.rank);
      expect(links[i].backlinks).toBe(s.backlinks);
      expect(spam[i].spam_score).toBe(s.info.target_spam_score);
      for (const f of ["referring_domains", "referring_domains_nofollow", "referring_main_domains", "referring_main_domains_nofollow"]) expect(rds[i][f]).toBe(s[f]);
      expect(pages.items[i].backlinks).toBe(s.backlinks);
      expect(pages.items[i].rank).toBe(s.rank);
    }
    expect(pages.items[1].main_domain_rank).toBe((await result(emu, "bulk_ranks", { targets: ["ahrefs.com"] })).items[0].rank);
  });
});

describe("competitors", () => {
  it("intersections are the referring main domains both targets share", async () => {
    const r = await result(emu, "competitors", { target: T });
    expect(r.items.length).toBeGreaterThan(0);
    const mine = new Set((await allItems(emu, "referring_domains", { target: T })).map((x) => x.domain));
    for (const c of r.items.slice(0, 3)) {
      const theirs = (await allItems(emu, "referring_domains", { target: c.target })).map((x) => x.domain);
      expect(c.intersections).toBe(theirs.filter((d) => mine.has(d)).length);
      expect(c.rank).toBe((await result(emu, "bulk_ranks", { targets: [c.target] })).items[0].rank);
    }
    const counts = r.items.map((i: Item) => i.intersections);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });
});

describe("domain_intersection", () => {
  const targets = { "1": "cnn.com", "2": "bbc.com", "3": "ahrefs.com" };

  it("a link-gap query lists referrers of the competitors, never of the excluded site, ranked", async () => {
    const excludedRows = await allItems(emu, "referring_domains", { target: "yelp.com" });
    const excluded = new Set(excludedRows.map((r) => r.domain));
    const r = await result(emu, "domain_intersection", {
      targets, exclude_targets: ["yelp.com"], order_by: ["intersections_count,desc", "1.rank,desc"], limit: 200,
    });
    expect(r.total_count).toBeGreaterThan(r.items_count - 1);
    const counts = r.items.map((i: Item) => i.summary.intersections_count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts[0]).toBe(3);
    const cnn = new Map((await allItems(emu, "referring_domains", { target: "cnn.com" })).map((x) => [x.domain, x]));
    for (const item of r.items) {
      const keys = Object.keys(item.domain_intersection);
      expect(keys.length).toBe(item.summary.intersections_count);
      const domain = item.domain_intersection[keys[0]].target;
      expect(excluded.has(domain)).toBe(false);
      for (const k of keys) expect(item.domain_intersection[k].target).toBe(domain);
      // one rank everywhere: the same in every target's object and in referring_domains
      expect(new Set(keys.map((k) => item.domain_intersection[k].rank)).size).toBe(1);
      if (item.domain_intersection["1"]) {
        expect(item.domain_intersection["1"].backlinks).toBe(cnn.get(domain).backlinks);
        expect(item.domain_intersection["1"].rank).toBe(cnn.get(domain).rank);
      }
    }
  });

  it("partial keeps only referrers of every target; filters read <n>. paths", async () => {
    const r = await result(emu, "domain_intersection", { targets, intersection_mode: "partial", limit: 50 });
    for (const item of r.items) expect(item.summary.intersections_count).toBe(3);
    const f = await result(emu, "domain_intersection", { targets, filters: ["2.backlinks", ">", 3], limit: 50 });
    for (const item of f.items) expect(item.domain_intersection["2"].backlinks).toBeGreaterThan(3);
  });

  it("a trailing * excludes every referrer of URLs under the prefix", async () => {
    const blog = await allItems(emu, "referring_domains", { target: "https://ahrefs.com/blog/" });
    const everything = await allItems(emu, "domain_intersection", { targets: { "1": "cnn.com" } });
    for (const prefix of ["https://ahrefs.com/blog*", "ahrefs.com/blog*"]) {
      const r = await allItems(emu, "domain_intersection", { targets: { "1": "cnn.com" }, exclude_targets: [prefix] });
      const left = new Set(r.map((i) => i.domain_intersection["1"].target));
      for (const b of blog) expect(left.has(b.domain)).toBe(false);
      expect(r.length).toBeLessThan(everything.length);
    }
  });
});

describe("page_intersection", () => {
  it("each item is one referring page with its links to each target", async () => {
    const r = await result(emu, "page_intersection", { targets: { "1": "cnn.com", "2": "bbc.com" }, limit: 100 });
    expect(r.items.length).toBeGreaterThan(0);
    for (const item of r.items) {
      const keys = Object.keys(item.page_intersection);
      expect(keys.length).toBe(item.summary.intersections_count);
      const pages = new Set(keys.flatMap((k) => item.page_intersection[k].map((l: Item) => l.url_from)));
      expect(pages.size).toBe(1);
      for (const l of item.page_intersection["1"] ?? []) expect(mainOf(l.domain_to)).toBe("cnn.com");
    }
  });
});

describe("one rank per domain", () => {
  it("a referring domain has the same rank as domain_from_rank, in referring_domains, bulk_ranks and its own summary", async () => {
    const rd = (await result(emu, "referring_domains", { target: "cnn.com", limit: 5 })).items;
    const links = await allBacklinks(emu, { target: "cnn.com" });
    for (const row of rd) {
      const from = links.filter((l) => mainOf(l.domain_from) === row.domain);
      expect(new Set(from.map((l) => l.domain_from_rank))).toEqual(new Set([row.rank]));
      expect((await result(emu, "bulk_ranks", { targets: [row.domain] })).items[0].rank).toBe(row.rank);
      expect((await result(emu, "summary", { target: row.domain })).rank).toBe(row.rank);
    }
  });
});

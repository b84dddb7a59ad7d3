// referring_domains, domain_pages_summary and bulk_new_lost_referring_domains agree with the backlinks they come from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { allBacklinks, allItems, result, start, task } from "./helpers.js";

type Item = Record<string, any>;
let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const sum = (items: Item[], f: string) => items.reduce((a, i) => a + i[f], 0);

describe("referring_domains", () => {
  it("sums to the backlinks total for forbes.com, for each status type", async () => {
    for (const status of ["live", "lost"]) {
      const total = (await result(emu, "backlinks", { target: "forbes.com", backlinks_status_type: status, limit: 1 })).total_count;
      const rows = await allItems(emu, "referring_domains", { target: "forbes.com", backlinks_status_type: status, internal_list_limit: 1 });
      const head = await result(emu, "referring_domains", { target: "forbes.com", backlinks_status_type: status, limit: 1 });
      expect(rows.length).toBe(head.total_count);
      expect(sum(rows, "backlinks")).toBe(total);
      expect(new Set(rows.map((r) => r.domain)).size).toBe(rows.length);
    }
  });

  it("computes every metric of a row from its backlinks", async () => {
    const links = await allBacklinks(emu, { target: "dataforseo.com", backlinks_status_type: "all" });
    const rows = await allItems(emu, "referring_domains", { target: "dataforseo.com", backlinks_status_type: "all", internal_list_limit: 1000 });
    const big = [...rows].sort((a, b) => b.referring_domains - a.referring_domains || b.backlinks - a.backlinks)[0];
    expect(big.backlinks).toBeGreaterThan(1);
    const mine = links.filter((l) => l.domain_from === big.domain || l.domain_from.endsWith(`.${big.domain}`));
    expect(big.backlinks).toBe(mine.length);
    expect(big.referring_domains).toBe(new Set(mine.map((l) => l.domain_from)).size);
    expect(big.referring_pages).toBe(new Set(mine.map((l) => l.url_from)).size);
    expect(big.referring_pages_nofollow).toBe(new Set(mine.filter((l) => !l.dofollow).map((l) => l.url_from)).size);
    expect(big.referring_ips).toBe(new Set(mine.map((l) => l.domain_from_ip)).size);
    expect(big.broken_backlinks).toBe(mine.filter((l) => l.is_broken).length);
    // a referring domain reports its own rank, the domain_from_rank of every one of its links
    expect(new Set(mine.map((l) => l.domain_from_rank))).toEqual(new Set([big.rank]));
    expect(big.first_seen).toBe(mine.map((l) => l.first_seen).sort()[0]);
    expect(big.backlinks_spam_score).toBe(Math.round(sum(mine, "backlink_spam_score") / mine.length));
    const types: Record<string, number> = {};
    for (const l of mine) types[l.item_type] = (types[l.item_type] ?? 0) + 1;
    expect(big.referring_links_types).toEqual(types);
    expect(sum(Object.entries(big.referring_links_tld).map(([, v]) => ({ v })), "v")).toBe(mine.length);
    // lost_date is set exactly when every link of the domain is lost
    for (const r of rows) {
      const ls = links.filter((l) => l.domain_from === r.domain || l.domain_from.endsWith(`.${r.domain}`));
      if (ls.every((l) => l.is_lost)) expect(r.lost_date).toBe(ls.map((l) => l.last_seen).sort().at(-1));
      else expect(r.lost_date).toBeNull();
    }
  });

  it("internal_list_limit trims every counter map", async () => {
    const wide = await result(emu, "referring_domains", { target: "forbes.com", limit: 50, internal_list_limit: 1000 });
    const narrow = await result(emu, "referring_domains", { target: "forbes.com", limit: 50, internal_list_limit: 1 });
    const maps = ["referring_links_tld", "referring_links_types", "referring_links_attributes", "referring_links_platform_types", "referring_links_semantic_locations", "referring_links_countries"];
    let trimmed = false;
    narrow.items.forEach((row: Item, i: number) => {
      for (const m of maps) {
        if (row[m] === null) continue;
        expect(Object.keys(row[m]).length).toBe(1);
        if (Object.keys(wide.items[i][m]).length > 1) trimmed = true;
        const [k, v] = Object.entries(row[m])[0];
        expect(v).toBe(Math.max(...(Object.values(wide.items[i][m]) as number[])));
        expect(wide.items[i][m][k]).toBe(v);
      }
    });
    expect(trimmed).toBe(true);
    expect((await task(emu, "referring_domains", { target: "forbes.com", internal_list_limit: 1001 })).status_code).toBe(40501);
  });

  it("backlinks_filters filter the links before aggregation", async () => {
    const dofollow = (await result(emu, "backlinks", { target: "cnn.com", filters: ["dofollow", "=", true], limit: 1 })).total_count;
    const rows = await allItems(emu, "referring_domains", { target: "cnn.com", backlinks_filters: ["dofollow", "=", true], internal_list_limit: 1 });
    expect(sum(rows, "backlinks")).toBe(dofollow);
    expect(rows.every((r) => r.referring_pages_nofollow === 0)).toBe(true);
    const bad = await task(emu, "referring_domains", { target: "cnn.com", backlinks_filters: ["domain", "=", "x.com"] });
    expect(bad.status_message).toBe("Invalid Field: 'domain'.");
  });

  it("filters and orders rows, including counter-map paths", async () => {
    const all = await allItems(emu, "referring_domains", { target: "dataforseo.com", internal_list_limit: 1000 });
    const expected = all.filter((r) => (r.referring_links_tld?.com ?? 0) >= 2).sort((a, b) => b.backlinks - a.backlinks || (a.domain < b.domain ? -1 : 1));
    expect(expected.length).toBeGreaterThan(0);
    const got = await allItems(emu, "referring_domains", {
      target: "dataforseo.com", internal_list_limit: 1000, filters: ["referring_links_tld.com", ">=", 2], order_by: ["backlinks,desc"],
    });
    expect(got).toEqual(expected);
    const ilike = await result(emu, "referring_domains", { target: "dataforseo.com", filters: ["domain", "ilike", "%.ORG"], limit: 1000 });
    expect(ilike.items.length).toBeGreaterThan(0);
    expect(ilike.items.every((r: Item) => r.domain.endsWith(".org"))).toBe(true);
    expect((await task(emu, "referring_domains", { target: "dataforseo.com", filters: ["url", "=", "x"] })).status_message).toBe("Invalid Field: 'url'.");
    expect((await task(emu, "referring_domains", { target: "dataforseo.com", mode: "as_is" })).status_message).toBe("Invalid Field: 'mode'.");
  });

  it("default order is rank descending, and rank_scale applies", async () => {
    const r = await result(emu, "referring_domains", { target: "bbc.com", limit: 200 });
    const ranks = r.items.map((i: Item) => i.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const h = await result(emu, "referring_domains", { target: "bbc.com", limit: 200, rank_scale: "one_hundred" });
    expect(Math.max(...h.items.map((i: Item) => i.rank))).toBeLessThanOrEqual(100);
    const hs = h.items.map((i: Item) => i.rank);
    expect(hs).toEqual([...hs].sort((a, b) => b - a));
    // same rows, ranks mapped with the documented 0–100 conversion
    const thousand = new Map(r.items.map((i: Item) => [i.domain, i.rank]));
    let compared = 0;
    for (const i of h.items) {
      const k = thousand.get(i.domain) as number | undefined;
      if (k === undefined) continue;
      compared++;
      expect(i.rank).toBe(Math.round(Math.sin(k / 636.62) * 100));
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe("domain_pages_summary", () => {
  it("pages' backlinks sum to the backlinks total for forbes.com", async () => {
    const total = (await result(emu, "backlinks", { target: "forbes.com", limit: 1 })).total_count;
    const pages = await allItems(emu, "domain_pages_summary", { target: "forbes.com", internal_list_limit: 1 });
    expect(sum(pages, "backlinks")).toBe(total);
    expect(new Set(pages.map((p) => p.url)).size).toBe(pages.length);
    expect(pages[0].type).toBe("backlinks_page_summary");
    const counts = pages.map((p) => p.backlinks);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("a page target gives one row for that page, equal to its backlinks", async () => {
    const r = await result(emu, "domain_pages_summary", { target: "https://www.apple.com/iphone/" });
    const links = await result(emu, "backlinks", { target: "https://www.apple.com/iphone/", limit: 1 });
    expect(r.total_count).toBe(1);
    expect(r.items[0].url).toBe("https://www.apple.com/iphone/");
    expect(r.items[0].backlinks).toBe(links.total_count);
  });

  it("agrees per page with the backlinks and honours switches and filters", async () => {
    const links = await allBacklinks(emu, { target: "dataforseo.com", include_indirect_links: false });
    const pages = await allItems(emu, "domain_pages_summary", { target: "dataforseo.com", include_indirect_links: false, filters: ["backlinks", ">", 3] });
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages.slice(0, 20)) {
      const mine = links.filter((l) => l.url_to === p.url);
      expect(p.backlinks).toBe(mine.length);
      expect(p.referring_domains_nofollow).toBe(new Set(mine.filter((l) => !l.dofollow).map((l) => l.domain_from)).size);
    }
    expect(pages.every((p) => p.backlinks > 3)).toBe(true);
  });
});

describe("bulk_new_lost_referring_domains", () => {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  it("equals what the backlinks and referring_domains imply", async () => {
    const targets = ["dataforseo.com", "https://ahrefs.com/blog/"];
    for (const date of [day(Date.UTC(2026, 6, 1)), day(Date.UTC(2026, 2, 15))]) {
      const r = await result(emu, "bulk_new_lost_referring_domains", { targets, date_from: date });
      expect(r.items_count).toBe(2);
      for (const [idx, target] of targets.entries()) {
        const item = r.items[idx];
        expect(item.target).toBe(target);
        const from = `${date} 00:00:00 +00:00`;
        // per referring host, from the backlinks
        const links = await allBacklinks(emu, { target, backlinks_status_type: "all" });
        const hosts = new Map<string, Item[]>();
        for (const l of links) hosts.set(l.domain_from, [...(hosts.get(l.domain_from) ?? []), l]);
        let added = 0;
        let lost = 0;
        for (const ls of hosts.values()) {
          const first = ls.map((l) => l.first_seen).sort()[0];
          const live = ls.some((l) => !l.is_lost);
          const lastLost = ls.filter((l) => l.is_lost).map((l) => l.last_seen).sort().at(-1);
          if (live && first >= from) added++;
          if (!live && lastLost! >= from && first < from) lost++;
        }
        expect(item.new_referring_domains).toBe(added);
        expect(item.lost_referring_domains).toBe(lost);
        // per main domain, from referring_domains rows (all statuses)
        const rows = await allItems(emu, "referring_domains", { target, backlinks_status_type: "all", internal_list_limit: 1 });
        expect(item.new_referring_main_domains).toBe(rows.filter((x) => x.lost_date === null && x.first_seen >= from).length);
        expect(item.lost_referring_main_domains).toBe(rows.filter((x) => x.lost_date !== null && x.lost_date >= from && x.first_seen < from).length);
      }
    }
  });

  it("shows new and lost domains within the last month for the documented targets", async () => {
    const targets = ["forbes.com", "cnn.com", "bbc.com", "yelp.com", "https://www.apple.com/iphone/", "https://ahrefs.com/blog/", "ibm.com", "https://variety.com/", "https://stackoverflow.com/", "www.trustpilot.com"];
    const t = await task(emu, "bulk_new_lost_referring_domains", { targets });
    expect(t.status_code).toBe(20000);
    expect(t.cost).toBe(0.02436);
    for (const item of t.result[0].items) {
      expect(item.new_referring_domains).toBeGreaterThan(0);
      expect(item.lost_referring_domains).toBeGreaterThan(0);
      expect(item.new_referring_main_domains).toBeLessThanOrEqual(item.new_referring_domains);
    }
    expect(t.result[0].items.map((i: Item) => i.target)).toEqual(targets);
  });

  it("validates date_from and targets", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ targets: ["forbes.com"], date_from: "2025-07-31" }, "date_from"],
      [{ targets: ["forbes.com"], date_from: "2026-08-02" }, "date_from"],
      [{ targets: ["forbes.com"], date_from: "01/07/2026" }, "date_from"],
      [{ targets: ["forbes.com"], date_from: "2026-02-30" }, "date_from"],
      [{ targets: [] }, "targets"],
      [{ targets: "forbes.com" }, "targets"],
      [{ targets: ["forbes.com", "not a target"] }, "targets"],
      [{ targets: Array.from({ length: 1001 }, (_, i) => `s${i}.com`) }, "targets"],
      [{ targets: ["forbes.com"], limit: 10 }, "limit"],
    ];
    for (const [params, field] of cases) {
      const t = await task(emu, "bulk_new_lost_referring_domains", params);
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toMatch(new RegExp(`^Invalid Field: '${field}'\\.`));
      expect(t.cost).toBe(0);
    }
    expect((await task(emu, "bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: "2025-08-01" })).status_code).toBe(20000);
    expect((await task(emu, "bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: "2026-08-01" })).status_code).toBe(20000);
  });
});

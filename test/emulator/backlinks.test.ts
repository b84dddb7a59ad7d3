// backlinks/live over real HTTP: every parameter, grouping modes, paging by offset and token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { allBacklinks, result, start, task } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const keyOf = (item: Record<string, unknown>) => JSON.stringify(item);
const BASE = { target: "dataforseo.com" };

describe("backlinks/live", () => {
  it("returns the documented result and item shape with defaults", async () => {
    const r = await result(emu, "backlinks", { target: "forbes.com" });
    expect(r.target).toBe("forbes.com");
    expect(r.mode).toBe("as_is");
    expect(r.custom_mode).toBeNull();
    expect(r.items_count).toBe(100);
    expect(r.total_count).toBeGreaterThan(50_000);
    expect(typeof r.search_after_token).toBe("string");
    const fields = [
      "type", "domain_from", "url_from", "url_from_https", "domain_to", "url_to", "url_to_https", "tld_from", "is_new", "is_lost",
      "backlink_spam_score", "rank", "page_from_rank", "domain_from_rank", "domain_from_platform_type", "domain_from_is_ip",
      "domain_from_ip", "domain_from_country", "page_from_external_links", "page_from_internal_links", "page_from_size",
      "page_from_encoding", "page_from_language", "page_from_title", "page_from_status_code", "first_seen", "prev_seen",
      "last_seen", "item_type", "attributes", "dofollow", "original", "alt", "image_url", "anchor", "text_pre", "text_post",
      "semantic_location", "links_count", "group_count", "is_broken", "url_to_status_code", "url_to_spam_score",
      "url_to_redirect_target", "ranked_keywords_info", "is_indirect_link", "indirect_link_path",
    ];
    for (const item of r.items) {
      expect(Object.keys(item)).toEqual(fields);
      expect(item.type).toBe("backlink");
      expect(item.is_lost).toBe(false);
      expect(item.first_seen).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$/);
      expect(item.domain_to === "forbes.com" || item.domain_to.endsWith(".forbes.com")).toBe(true);
    }
    // default order: rank descending
    const ranks = r.items.map((i: { rank: number }) => i.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it("has realistic variety across the data", async () => {
    const items = await allBacklinks(emu, { ...BASE, backlinks_status_type: "all" });
    const types = new Set(items.map((i) => i.item_type));
    for (const t of ["anchor", "image", "redirect", "canonical"]) expect(types.has(t)).toBe(true);
    expect(items.some((i) => i.dofollow)).toBe(true);
    expect(items.some((i) => !i.dofollow && i.attributes?.length > 0)).toBe(true);
    expect(items.some((i) => i.is_indirect_link && Array.isArray(i.indirect_link_path) && i.indirect_link_path[0].url)).toBe(true);
    expect(items.some((i) => i.is_broken && i.url_to_status_code >= 400)).toBe(true);
    expect(items.some((i) => i.item_type === "image" && typeof i.image_url === "string")).toBe(true);
    expect(items.some((i) => i.is_lost)).toBe(true);
    expect(new Set(items.map((i) => i.domain_from_country)).size).toBeGreaterThan(3);
    expect(new Set(items.map((i) => i.tld_from)).size).toBeGreaterThan(3);
    // first_seen spread over years, live links seen in the last weeks
    const years = new Set(items.map((i) => i.first_seen.slice(0, 4)));
    expect(years.size).toBeGreaterThan(3);
    for (const i of items.filter((x) => !x.is_lost)) expect(i.last_seen >= "2026-07-01").toBe(true);
  });

  it("limit and offset page exactly", async () => {
    const big = await result(emu, "backlinks", { ...BASE, limit: 30 });
    const a = await result(emu, "backlinks", { ...BASE, limit: 10 });
    const b = await result(emu, "backlinks", { ...BASE, limit: 10, offset: 10 });
    const c = await result(emu, "backlinks", { ...BASE, limit: 10, offset: 20 });
    expect([...a.items, ...b.items, ...c.items]).toEqual(big.items);
    expect(a.items_count).toBe(10);
  });

  it("rejects limit and offset out of range", async () => {
    for (const [field, value] of [["limit", 0], ["limit", 1001], ["limit", 2.5], ["offset", 20_001], ["offset", -1], ["limit", "10"]] as const) {
      const t = await task(emu, "backlinks", { ...BASE, [field]: value });
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toContain(`Invalid Field: '${field}'.`);
      expect(t.result).toBeNull();
      expect(t.cost).toBe(0);
    }
    const ok = await task(emu, "backlinks", { ...BASE, offset: 20_000, limit: 1 });
    expect(ok.status_code).toBe(20000);
  });

  it("backlinks_status_type selects live, lost or all", async () => {
    const live = await result(emu, "backlinks", { ...BASE, limit: 1000 });
    const lost = await result(emu, "backlinks", { ...BASE, limit: 1000, backlinks_status_type: "lost" });
    const all = await result(emu, "backlinks", { ...BASE, limit: 1, backlinks_status_type: "all" });
    expect(lost.total_count).toBeGreaterThan(0);
    expect(live.total_count + lost.total_count).toBe(all.total_count);
    expect(lost.items.every((i: { is_lost: boolean }) => i.is_lost)).toBe(true);
    expect(live.items.every((i: { is_lost: boolean }) => !i.is_lost)).toBe(true);
    expect((await task(emu, "backlinks", { ...BASE, backlinks_status_type: "dead" })).status_code).toBe(40501);
  });

  it("include_subdomains=false keeps only the host itself (and its www)", async () => {
    const withSubs = await allBacklinks(emu, { ...BASE });
    const without = await allBacklinks(emu, { ...BASE, include_subdomains: false });
    const hosts = new Set(withSubs.map((i) => i.domain_to));
    expect(hosts.size).toBeGreaterThan(1);
    expect(without.length).toBeLessThan(withSubs.length);
    expect(without.every((i) => i.domain_to === "dataforseo.com" || i.domain_to === "www.dataforseo.com")).toBe(true);
    expect(without.length).toBe(withSubs.filter((i) => i.domain_to === "dataforseo.com" || i.domain_to === "www.dataforseo.com").length);
  });

  it("include_indirect_links=false drops indirect links", async () => {
    const all = await allBacklinks(emu, BASE);
    const direct = await allBacklinks(emu, { ...BASE, include_indirect_links: false });
    const indirect = all.filter((i) => i.is_indirect_link);
    expect(indirect.length).toBeGreaterThan(0);
    expect(direct.length).toBe(all.length - indirect.length);
    expect(direct.some((i) => i.is_indirect_link)).toBe(false);
  });

  it("exclude_internal_backlinks=false adds links from the target's own subdomains", async () => {
    const external = await result(emu, "backlinks", { ...BASE, limit: 1 });
    const internal = await allBacklinks(emu, { ...BASE, exclude_internal_backlinks: false });
    const own = internal.filter((i) => i.domain_from.endsWith(".dataforseo.com"));
    expect(own.length).toBeGreaterThan(0);
    expect(internal.length).toBe(external.total_count + own.length);
  });

  it("rank_scale one_hundred rescales every rank field monotonically", async () => {
    const thousand = await result(emu, "backlinks", { ...BASE, limit: 200 });
    const hundred = await result(emu, "backlinks", { ...BASE, limit: 200, rank_scale: "one_hundred" });
    expect(hundred.total_count).toBe(thousand.total_count);
    const hs = hundred.items.map((i: { rank: number }) => i.rank);
    expect(Math.max(...hs)).toBeLessThanOrEqual(100);
    expect(Math.max(...thousand.items.map((i: { rank: number }) => i.rank))).toBeGreaterThan(100);
    for (const i of hundred.items) for (const f of ["rank", "page_from_rank", "domain_from_rank"]) expect(i[f]).toBeLessThanOrEqual(100);
    expect(hs).toEqual([...hs].sort((a, b) => b - a));
    expect((await task(emu, "backlinks", { ...BASE, rank_scale: "ten" })).status_code).toBe(40501);
  });

  it("order_by sorts by up to three rules and rejects more", async () => {
    const r = await result(emu, "backlinks", { ...BASE, limit: 1000, order_by: ["domain_from,asc", "first_seen,desc"] });
    for (let i = 1; i < r.items.length; i++) {
      const [p, c] = [r.items[i - 1], r.items[i]];
      expect(p.domain_from <= c.domain_from).toBe(true);
      if (p.domain_from === c.domain_from) expect(p.first_seen >= c.first_seen).toBe(true);
    }
    const nested = await result(emu, "backlinks", { ...BASE, limit: 50, order_by: ["ranked_keywords_info.page_from_keywords_count_top_100,desc"] });
    const kws = nested.items.map((i: { ranked_keywords_info: { page_from_keywords_count_top_100: number } }) => i.ranked_keywords_info.page_from_keywords_count_top_100);
    expect(kws).toEqual([...kws].sort((a, b) => b - a));
    const four = await task(emu, "backlinks", { ...BASE, order_by: ["rank,desc", "anchor,asc", "url_from,asc", "first_seen,asc"] });
    expect(four.status_code).toBe(40501);
    expect((await task(emu, "backlinks", { ...BASE, order_by: ["nope,desc"] })).status_message).toBe("Invalid Field: 'nope'.");
    expect((await task(emu, "backlinks", { ...BASE, order_by: ["rank,up"] })).status_code).toBe(40501);
    expect((await task(emu, "backlinks", { ...BASE, order_by: ["attributes,asc"] })).status_code).toBe(40501);
  });

  it("mode one_per_domain and one_per_anchor group with group_count", async () => {
    const all = await allBacklinks(emu, BASE);
    const perDomain = await allBacklinks(emu, { ...BASE, mode: "one_per_domain" });
    const domains = new Map<string, number>();
    for (const i of all) domains.set(i.domain_from, (domains.get(i.domain_from) ?? 0) + 1);
    expect(perDomain.length).toBe(domains.size);
    expect(new Set(perDomain.map((i) => i.domain_from)).size).toBe(domains.size);
    for (const i of perDomain) expect(i.group_count).toBe(domains.get(i.domain_from));
    const r = await result(emu, "backlinks", { ...BASE, mode: "one_per_anchor", limit: 1000 });
    expect(r.mode).toBe("one_per_anchor");
    expect(new Set(r.items.map((i: { anchor: string | null }) => i.anchor)).size).toBe(r.items.length);
    expect(all.every((i) => i.group_count === 0)).toBe(true);
    expect((await task(emu, "backlinks", { ...BASE, mode: "one_per_page" })).status_code).toBe(40501);
  });

  it("custom_mode returns at most N backlinks per value and overrides mode", async () => {
    const r = await result(emu, "backlinks", { ...BASE, limit: 1000, mode: "one_per_domain", custom_mode: { field: "item_type", value: 3 } });
    expect(r.mode).toBeNull();
    expect(r.custom_mode).toEqual({ field: "item_type", value: 3 });
    const counts = new Map<string, number>();
    for (const i of r.items) counts.set(i.item_type, (counts.get(i.item_type) ?? 0) + 1);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(3);
    expect(counts.get("anchor")).toBe(3);
    expect(r.total_count).toBe(r.items.length);
    for (const bad of [{ field: "rank", value: 3 }, { field: "anchor", value: 0 }, { field: "anchor", value: 1001 }, "anchor", { field: "anchor", value: 2, extra: 1 }]) {
      const t = await task(emu, "backlinks", { ...BASE, custom_mode: bad });
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toMatch(/^Invalid Field: 'custom_mode/);
    }
  });

  it("echoes the request, including tag, in data", async () => {
    const t = await task(emu, "backlinks", { ...BASE, limit: 3, tag: "my-tag" });
    expect(t.data).toEqual({ api: "backlinks", function: "backlinks", target: "dataforseo.com", limit: 3, tag: "my-tag" });
    expect(t.path).toEqual(["v3", "backlinks", "backlinks", "live"]);
    expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const long = await task(emu, "backlinks", { ...BASE, tag: "x".repeat(256) });
    expect(long.status_message).toMatch(/^Invalid Field: 'tag'\./);
  });

  it("rejects unknown parameters, a missing or malformed target, and non-boolean switches", async () => {
    expect((await task(emu, "backlinks", { ...BASE, foo: 1 })).status_message).toBe("Invalid Field: 'foo'.");
    expect((await task(emu, "backlinks", { ...BASE, internal_list_limit: 5 })).status_message).toBe("Invalid Field: 'internal_list_limit'.");
    for (const target of [undefined, "", "not a domain", "ftp://x.com/", "https://", 42]) {
      const t = await task(emu, "backlinks", { target });
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toMatch(/^Invalid Field: 'target'\./);
    }
    expect((await task(emu, "backlinks", { ...BASE, include_subdomains: "yes" })).status_code).toBe(40501);
  });

  it("serves page targets: only links to that page (scheme-insensitive)", async () => {
    const r = await result(emu, "backlinks", { target: "https://www.apple.com/iphone/", limit: 1000 });
    expect(r.total_count).toBeGreaterThan(100);
    for (const i of r.items) expect(i.url_to.replace(/^https?:\/\//, "")).toBe("www.apple.com/iphone/");
    const http = await result(emu, "backlinks", { target: "http://www.apple.com/iphone/", limit: 1 });
    expect(http.total_count).toBe(r.total_count);
    const blog = await result(emu, "backlinks", { target: "https://ahrefs.com/blog/", limit: 5 });
    expect(blog.total_count).toBeGreaterThan(100);
  });

  it("serves any valid target with a small deterministic graph, some empty", async () => {
    const counts: number[] = [];
    for (let i = 0; i < 30; i++) counts.push((await result(emu, "backlinks", { target: `site${i}.example`, limit: 1 })).total_count);
    expect(counts.some((c) => c === 0)).toBe(true);
    expect(counts.some((c) => c > 0)).toBe(true);
    expect(Math.max(...counts)).toBeLessThan(2000);
    const page = await result(emu, "backlinks", { target: "https://site1.example/some/page", limit: 1000 });
    for (const i of page.items) expect(i.url_to).toBe("https://site1.example/some/page");
  });
});

describe("search_after_token", () => {
  it("pages all forbes.com backlinks with no duplicates or gaps, matching the offset order", async () => {
    const params = { target: "forbes.com" };
    const seen = new Set<string>();
    const paged: Record<string, unknown>[] = [];
    let token: string | undefined;
    let total = 0;
    for (;;) {
      const r = await result(emu, "backlinks", { ...params, limit: 1000, ...(token ? { search_after_token: token } : {}) });
      total = r.total_count;
      for (const i of r.items) {
        const k = keyOf(i);
        expect(seen.has(k)).toBe(false);
        seen.add(k);
        paged.push(i);
      }
      if (!r.search_after_token) break;
      expect(r.search_after_token).not.toBe(token);
      token = r.search_after_token;
    }
    expect(paged.length).toBe(total);
    expect(paged.length).toBeGreaterThan(50_000);
    // The first 21,000 rows equal what offset paging returns.
    for (const offset of [0, 7000, 14_000, 20_000]) {
      const r = await result(emu, "backlinks", { ...params, limit: 1000, offset });
      expect(r.items.map(keyOf)).toEqual(paged.slice(offset, offset + 1000).map(keyOf));
    }
    // The order is the full default order: rank descending all the way down.
    for (let i = 1; i < paged.length; i++) expect((paged[i - 1].rank as number) >= (paged[i].rank as number)).toBe(true);
  });

  it("continues a filtered, ordered, grouped query and rejects changed parameters", async () => {
    const params = { target: "cnn.com", filters: ["dofollow", "=", true], order_by: ["first_seen,asc"], mode: "one_per_domain", limit: 500 };
    const all = await allBacklinks(emu, { ...params, limit: undefined });
    const first = await result(emu, "backlinks", params);
    const second = await result(emu, "backlinks", { ...params, search_after_token: first.search_after_token });
    expect([...first.items, ...second.items].map(keyOf)).toEqual(all.slice(0, 1000).map(keyOf));
    for (const change of [{ limit: 400 }, { target: "bbc.com" }, { order_by: ["first_seen,desc"] }, { filters: ["dofollow", "=", false] }, { offset: 1 }, { mode: "as_is" }]) {
      const t = await task(emu, "backlinks", { ...params, ...change, search_after_token: first.search_after_token });
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toBe("Invalid Field: 'search_after_token'.");
    }
    for (const junk of ["garbage", "eyJ2IjoxfQ", 5]) {
      const t = await task(emu, "backlinks", { ...params, search_after_token: junk });
      expect(t.status_message).toBe("Invalid Field: 'search_after_token'.");
    }
  });

  it("returns a null token on the last page", async () => {
    const r = await result(emu, "backlinks", { ...BASE, limit: 1000, offset: 20_000 });
    expect(r.items_count).toBe(0);
    expect(r.search_after_token).toBeNull();
  });
});

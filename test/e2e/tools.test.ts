// The built server over stdio against the emulator: every tool, parameters on the wire, paging,
// the output budget, validation before spending, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, parseTable, nextToken, type Harness } from "./harness.js";

function isoDaysAgo(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

describe("tools end to end", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("backlinks_backlinks runs the documented example and sends exactly its parameters", async () => {
    const res = await h.call("backlinks_backlinks", {
      target: "forbes.com",
      limit: 5,
      mode: "as_is",
      filters: ["dofollow", "=", true],
    });
    expect(res.isError).toBeFalsy();
    const text = textOf(res);
    const t = parseTable(text);
    expect(t.header).toMatch(/^# backlinks_backlinks forbes\.com \| total_count \d+ \| rows 1-5 \| cost \$0\.\d{4,}/);
    expect(t.columns).toEqual(["url_from", "anchor", "dofollow", "domain_from_rank", "first_seen"]);
    expect(t.rows).toHaveLength(5);
    for (const row of t.rows) expect(row[2]).toBe("y");
    expect(t.footer).toMatch(/backlinks_next_page \{"search_after_token":"bl_[A-Za-z0-9_-]{12}"\}$/);
    // The first paid call also reads user_data prices once (free): count the paid request only.
    expect(h.proxy.tasks("/v3/backlinks/backlinks/live")).toHaveLength(1);
    const sent = h.proxy.tasks("/v3/backlinks/backlinks/live").at(-1);
    expect(sent).toEqual({ target: "forbes.com", limit: 5, mode: "as_is", filters: ["dofollow", "=", true] });
    const sc = res.structuredContent as Record<string, unknown>;
    expect(sc.rows_shown).toBe(5);
    expect(typeof sc.cost_usd).toBe("number");
    expect(sc.next).toBe(nextToken(text));
  });

  it("every documented backlinks parameter reaches the wire unchanged", async () => {
    const args = {
      target: "https://ahrefs.com/blog/",
      mode: "one_per_domain",
      custom_mode: { field: "tld_from", value: 2 },
      filters: [["dofollow", "=", true], "and", ["domain_from_rank", ">", 10]],
      order_by: ["domain_from_rank,desc", "first_seen,asc"],
      offset: 3,
      limit: 7,
      backlinks_status_type: "all",
      include_subdomains: false,
      include_indirect_links: false,
      exclude_internal_backlinks: false,
      rank_scale: "one_hundred",
      tag: "audit-42",
    };
    const res = await h.call("backlinks_backlinks", { ...args, internal_list_limit: 3, format: "json", fields: ["url_from", "rank"] });
    expect(res.isError).toBeFalsy();
    expect(h.proxy.tasks("/v3/backlinks/backlinks/live").at(-1)).toEqual(args);
  });

  it("referring_domains and domain_pages_summary send every parameter, including backlinks_filters", async () => {
    const args = {
      target: "backlinko.com",
      exclude_internal_backlinks: true,
      backlinks_filters: ["dofollow", "=", true],
      filters: ["backlinks", ">", 1],
      order_by: ["rank,desc"],
      limit: 5,
      offset: 1,
      internal_list_limit: 4,
      backlinks_status_type: "live",
      include_subdomains: true,
      include_indirect_links: true,
      rank_scale: "one_thousand",
      tag: "t",
    };
    const rd = await h.call("backlinks_referring_domains", args);
    expect(rd.isError).toBeFalsy();
    expect(h.proxy.tasks("/referring_domains/live").at(-1)).toEqual(args);
    expect(parseTable(textOf(rd)).columns[0]).toBe("domain");

    const dps = await h.call("backlinks_domain_pages_summary", { ...args, target: "forbes.com", filters: ["backlinks", ">", 0] });
    expect(dps.isError).toBeFalsy();
    expect(h.proxy.tasks("/domain_pages_summary/live").at(-1)).toEqual({ ...args, target: "forbes.com", filters: ["backlinks", ">", 0] });
    expect(parseTable(textOf(dps)).columns[0]).toBe("url");
  });

  it("domain_pages_summary runs the documented example", async () => {
    const res = await h.call("backlinks_domain_pages_summary", { target: "forbes.com", limit: 4, order_by: ["backlinks,desc"] });
    expect(res.isError).toBeFalsy();
    const t = parseTable(textOf(res));
    expect(t.rows).toHaveLength(4);
    const backlinks = t.rows.map((r) => Number(r[t.columns.indexOf("backlinks")]));
    expect([...backlinks].sort((a, b) => b - a)).toEqual(backlinks);
  });

  it("bulk_new_lost_referring_domains sends date_from and returns one row per target", async () => {
    const targets = ["forbes.com", "cnn.com", "bbc.com", "yelp.com", "https://www.apple.com/iphone/", "https://ahrefs.com/blog/", "ibm.com", "www.trustpilot.com"];
    const dateFrom = isoDaysAgo(40);
    const res = await h.call("backlinks_bulk_new_lost_referring_domains", { targets, date_from: dateFrom });
    expect(res.isError).toBeFalsy();
    expect(h.proxy.tasks("/bulk_new_lost_referring_domains/live").at(-1)).toEqual({ targets, date_from: dateFrom });
    const t = parseTable(textOf(res));
    expect(t.rows.map((r) => r[0])).toEqual(targets);
    expect(t.footer).toBe("# end of results");
  });

  it("offset paging repeats the original parameters exactly and advances the offset", async () => {
    const args = { target: "forbes.com", limit: 20, filters: ["backlinks", ">", 1], order_by: ["backlinks,desc"] };
    const first = await h.call("backlinks_referring_domains", args);
    const token = nextToken(textOf(first));
    expect(token).toBeDefined();
    const second = await h.call("backlinks_next_page", { search_after_token: token! });
    expect(second.isError).toBeFalsy();
    const sent = h.proxy.tasks("/referring_domains/live").slice(-2);
    expect(sent[0]).toEqual(args);
    expect(sent[1]).toEqual({ ...args, offset: 20 });
    expect(parseTable(textOf(second)).header).toMatch(/rows 21-40/);
    const a = parseTable(textOf(first)).rows.map((r) => r[0]);
    const b = parseTable(textOf(second)).rows.map((r) => r[0]);
    expect(new Set([...a, ...b]).size).toBe(40);
  });

  it("rejects bad input with isError and sends nothing", async () => {
    const before = h.proxy.requests.length;
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ["backlinks_backlinks", { target: "forbes.com", filters: ["rnak", ">", 5] }, /did you mean 'rank'/],
      ["backlinks_backlinks", { target: "forbes.com", filters: ["anchor", "contains", "seo"] }, /like/],
      ["backlinks_backlinks", { target: "forbes.com", offset: 20001 }, /search_after_token|backlinks_next_page/],
      ["backlinks_backlinks", { target: "forbes.com", limit: 0 }, /limit/],
      ["backlinks_backlinks", { target: "forbes.com", limit: 1001 }, /limit/],
      ["backlinks_backlinks", { target: "forbes.com", mode: "all" }, /mode/],
      ["backlinks_backlinks", { target: "forbes.com", order_by: ["rank,desc", "anchor,asc", "first_seen,asc", "dofollow,asc"] }, /order_by/],
      ["backlinks_backlinks", { target: "forbes.com", order_by: ["rank,sideways"] }, /asc|desc/],
      ["backlinks_backlinks", { target: "forbes.com", fields: ["url_form"] }, /url_from/],
      ["backlinks_backlinks", { target: "forbes.com", custom_mode: { field: "anchor", value: 0 } }, /value/],
      ["backlinks_backlinks", { target: "forbes.com", tag: "x".repeat(256) }, /tag/],
      ["backlinks_referring_domains", { target: "forbes.com", backlinks_filters: ["domain", "=", "x"] }, /backlinks_filters/],
      ["backlinks_referring_domains", { target: "forbes.com", internal_list_limit: 1001 }, /internal_list_limit/],
      ["backlinks_bulk_new_lost_referring_domains", { targets: [] }, /targets/],
      ["backlinks_bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: isoDaysAgo(400) }, /one year/],
      ["backlinks_bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: isoDaysAgo(-2) }, /future/],
      ["backlinks_bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: "2024-13-01" }, /date/],
      ["backlinks_backlinks", { target: "forbes.com", filters: Array.from({ length: 9 }, () => ["rank", ">", 1]).flatMap((c, i) => (i ? ["and", c] : [c])) }, /8/],
      ["backlinks_backlinks", { target: "forbes.com", unknown_param: 1 }, /unknown_param|Unrecognized/i],
    ];
    for (const [tool, args, pattern] of bad) {
      const res = await h.call(tool, args);
      expect(res.isError, `${tool} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
      expect(textOf(res)).toMatch(pattern);
    }
    expect(h.proxy.requests.length).toBe(before);
  });

  it("accepts DataForSEO's raw search_after_token for a page this server fetched", async () => {
    const first = await h.call("backlinks_backlinks", { target: "cnn.com", limit: 5 });
    const viaHandle = await h.call("backlinks_next_page", { search_after_token: nextToken(textOf(first))! });
    const raw = h.proxy.tasks("/backlinks/backlinks/live").at(-1)!.search_after_token as string;
    expect(raw.startsWith("bl_")).toBe(false);
    const viaRaw = await h.call("backlinks_next_page", { search_after_token: raw });
    expect(viaRaw.isError).toBeFalsy();
    expect(parseTable(textOf(viaRaw)).rows).toEqual(parseTable(textOf(viaHandle)).rows);
  });

  it("an unknown cursor is a clear error", async () => {
    const res = await h.call("backlinks_next_page", { search_after_token: "bl_doesnotexist" });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/Unknown paging cursor 'bl_doesnotexist'[\s\S]*repeating the original tool call/);
  });

  it("json format returns structuredContent with trimmed items and the same JSON as text", async () => {
    const res = await h.call("backlinks_referring_domains", { target: "forbes.com", limit: 3, internal_list_limit: 2, format: "json" });
    expect(res.isError).toBeFalsy();
    const sc = res.structuredContent as { items: Record<string, unknown>[] };
    expect(JSON.parse(textOf(res))).toEqual(sc);
    expect(sc.items).toHaveLength(3);
    for (const item of sc.items) {
      const tld = item.referring_links_tld as Record<string, number> | null;
      if (tld) expect(Object.keys(tld).length).toBeLessThanOrEqual(2);
    }
  });
});

describe("output budget and paging without paying twice", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_OUTPUT_MAX_CHARS: "6000" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("cuts at the budget, holds the rest, and serves it without a new request", async () => {
    const first = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 100, fields: ["url_from", "url_to", "anchor", "first_seen"] });
    const text = textOf(first);
    expect(text.length).toBeLessThanOrEqual(6000);
    const t = parseTable(text);
    expect(t.rows.length).toBeGreaterThan(0);
    expect(t.rows.length).toBeLessThan(100);
    expect(t.footer).toMatch(/held \(already paid\)/);
    const requests = h.proxy.requests.length;
    const seen = t.rows.map((r) => `${r[0]} ${r[1]}`);
    let token = nextToken(text);
    while (seen.length < 100) {
      const res = await h.call("backlinks_next_page", { search_after_token: token! });
      const page = parseTable(textOf(res));
      expect(textOf(res).length).toBeLessThanOrEqual(6000);
      expect(page.header).toMatch(/cost \$0\.0000 /);
      seen.push(...page.rows.map((r) => `${r[0]} ${r[1]}`));
      token = nextToken(textOf(res));
    }
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    expect(h.proxy.requests.length).toBe(requests);
    // The next call after the held rows goes upstream with DataForSEO's token.
    await h.call("backlinks_next_page", { search_after_token: token! });
    expect(h.proxy.requests.length).toBe(requests + 1);
    expect(typeof h.proxy.tasks("/backlinks/backlinks/live").at(-1)!.search_after_token).toBe("string");
  });
});

describe("deep paging", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_OUTPUT_MAX_CHARS: "2000000", DATAFORSEO_OUTPUT_MAX_TOKENS: "1000000" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("pages past 20,000 backlinks with zero duplicates and search_after_token on the wire", async () => {
    const fields = ["url_from", "url_to", "item_type", "anchor"];
    const seen = new Set<string>();
    let res = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1000, fields });
    let pages = 1;
    let total = 0;
    for (;;) {
      expect(res.isError).toBeFalsy();
      const t = parseTable(textOf(res));
      total = Number(/total_count (\d+)/.exec(t.header)![1]);
      for (const r of t.rows) seen.add(r.join("\t"));
      const token = nextToken(textOf(res));
      if (!token || seen.size >= 22_000) break;
      res = await h.call("backlinks_next_page", { search_after_token: token });
      pages++;
    }
    expect(total).toBeGreaterThan(50_000);
    expect(seen.size).toBe(pages * 1000);
    const sent = h.proxy.tasks("/backlinks/backlinks/live");
    expect(sent).toHaveLength(pages);
    for (const task of sent.slice(1)) {
      expect(task).toMatchObject({ target: "forbes.com", limit: 1000 });
      expect(typeof task.search_after_token).toBe("string");
      expect(task.offset).toBeUndefined();
    }
  }, 120_000);
});

describe("a cursor that is gone", () => {
  it("says it expired, how many paid rows it held and what fetching them again costs", async () => {
    const h = await startHarness({ env: { DATAFORSEO_CURSOR_TTL_SECONDS: "1", DATAFORSEO_OUTPUT_MAX_CHARS: "5000" } });
    try {
      const first = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 300 });
      const text = textOf(first);
      const held = Number(/the other (\d+) are held/.exec(text)![1]);
      expect(held).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1500));
      const later = await h.call("backlinks_next_page", { search_after_token: nextToken(text)! });
      expect(later.isError).toBe(true);
      expect(textOf(later)).toMatch(new RegExp(`expired[\\s\\S]*held ${held} rows already paid for[\\s\\S]*bills them again \\(about \\$0\\.\\d+\\)`));
    } finally {
      await h.close();
    }
  });
});

describe("without credentials", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ noCredentials: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it("starts, lists its tools, and every call says how to set the credentials", async () => {
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeGreaterThan(2);
    for (const tool of tools.filter((t) => t.name !== "backlinks_usage" && t.name !== "backlinks_next_page")) {
      const args = tool.inputSchema.required?.includes("targets") ? { targets: ["forbes.com", "cnn.com"] } : { target: "forbes.com" };
      const res = await h.call(tool.name, args);
      expect(res.isError, tool.name).toBe(true);
      expect(textOf(res), tool.name).toMatch(/DATAFORSEO_LOGIN[\s\S]*DATAFORSEO_PASSWORD[\s\S]*--demo/);
    }
    const usage = await h.call("backlinks_usage", {});
    expect(usage.isError).toBeFalsy();
    expect(textOf(usage)).toMatch(/no credentials set/);
    expect(h.proxy.requests).toHaveLength(0);
  });
});

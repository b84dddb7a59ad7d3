// Cost in every reply, the cache, the budget cap and backlinks_usage, through the built server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { startHarness, textOf, type Harness } from "./harness.js";

const PER_REQUEST = 0.024;
const PER_ROW = 0.000036;

function costOf(text: string): { cost: number; total: number } {
  const m = /cost \$(\d+\.\d+) \| session total \$(\d+\.\d+)/.exec(text);
  if (!m) throw new Error(`no cost in: ${text.slice(0, 200)}`);
  return { cost: Number(m[1]), total: Number(m[2]) };
}

const monthAgo = () => new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);

describe("cost and cache", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("every successful reply of every tool states its cost and the running total", async () => {
    let expectedTotal = 0;
    const calls: [string, Record<string, unknown>][] = [
      ["backlinks_backlinks", { target: "yelp.com", limit: 7 }],
      ["backlinks_referring_domains", { target: "yelp.com", limit: 5 }],
      ["backlinks_domain_pages_summary", { target: "yelp.com", limit: 3 }],
      ["backlinks_bulk_new_lost_referring_domains", { targets: ["yelp.com", "cnn.com"], date_from: monthAgo() }],
    ];
    for (const [tool, args] of calls) {
      const res = await h.call(tool, args);
      expect(res.isError, textOf(res)).toBeFalsy();
      const sc = res.structuredContent as { rows_shown: number; cost_usd: number; total_cost_usd: number };
      const { cost, total } = costOf(textOf(res));
      // What DataForSEO (here the emulator) billed: per request + per returned row.
      const billed = PER_REQUEST + PER_ROW * sc.rows_shown;
      expect(sc.cost_usd).toBeCloseTo(billed, 9);
      expect(cost).toBeCloseTo(billed, 6);
      expectedTotal += sc.cost_usd;
      expect(sc.total_cost_usd).toBeCloseTo(expectedTotal, 9);
      expect(total).toBeCloseTo(expectedTotal, 6);
      expect(res._meta).toMatchObject({ cost_usd: sc.cost_usd, total_cost_usd: sc.total_cost_usd });
    }
    // json format carries the same figures
    const json = await h.call("backlinks_backlinks", { target: "cnn.com", limit: 2, format: "json" });
    const sc = json.structuredContent as { cost_usd: number };
    expect(sc.cost_usd).toBeCloseTo(PER_REQUEST + 2 * PER_ROW, 9);
  });

  it("shows small costs without rounding them away", async () => {
    const res = await h.call("backlinks_backlinks", { target: "bbc.com", limit: 1 });
    expect(textOf(res)).toMatch(/cost \$0\.024036 \|/);
  });

  it("a second identical call sends nothing and says it came from the cache", async () => {
    const args = { target: "ibm.com", limit: 9, filters: ["dofollow", "=", true] };
    const first = await h.call("backlinks_backlinks", args);
    const requests = h.proxy.requests.length;
    const second = await h.call("backlinks_backlinks", { filters: ["dofollow", "=", true], limit: 9, target: "ibm.com", tag: "other" });
    expect(h.proxy.requests.length).toBe(requests);
    expect(textOf(second)).toMatch(/cost \$0\.0000 .*from cache \(\d+ s old, not billed again\)/);
    expect((second.structuredContent as { source: string }).source).toBe("cache");
    // Same table; only the header (cost, cache age) and the cursor handle differ.
    const body = (t: string) => t.split("\n").slice(1, -1);
    expect(body(textOf(second))).toEqual(body(textOf(first)));
  });

  it("backlinks_usage reports figures that match the ledger", async () => {
    const res = await h.call("backlinks_usage", {});
    expect(res.isError).toBeFalsy();
    const text = textOf(res);
    const field = (name: string) => new RegExp(`^${name}\\t(.+)$`, "m").exec(text)?.[1];
    const upstream = h.proxy.requests.filter((r) => r.method === "POST").length;
    const calls = /^(\d+) \(sent (\d+), from cache or held rows (\d+), refused (\d+), failed (\d+)\)$/.exec(field("process_calls")!)!;
    expect(Number(calls[2])).toBe(upstream);
    expect(Number(calls[3])).toBeGreaterThanOrEqual(1);
    // Every call is counted, this one included.
    expect(Number(calls[1])).toBe(h.outputs.length);
    const spent = h.outputs
      .map((o) => JSON.parse(o) as { structuredContent?: { cost_usd?: number; source?: string } })
      .reduce((sum, r) => sum + (r.structuredContent?.cost_usd ?? 0), 0);
    expect(Number(field("process_billed_usd")!.replace("$", ""))).toBeCloseTo(spent, 6);
    expect(field("process_possibly_billed_usd")).toMatch(/^\$0\.0000 /);
    expect(field("account_balance_usd")).toBeDefined();
    expect(field("process_cap_usd")).toMatch(/none/);
    expect(Number(field("today_billed_usd")!.replace("$", ""))).toBeCloseTo(spent, 6);
  });
});

describe("cache off", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_CACHE_TTL_SECONDS: "0" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("TTL 0 sends every call", async () => {
    for (let i = 0; i < 3; i++) await h.call("backlinks_backlinks", { target: "cnn.com", limit: 3 });
    expect(h.proxy.tasks("/backlinks/backlinks/live")).toHaveLength(3);
  });
});

describe("budget cap", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_MAX_COST_USD: "0.1", DATAFORSEO_CACHE_TTL_SECONDS: "0" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses the call that would pass the cap and sends nothing", async () => {
    // worst case of limit 1000: 0.024 + 0.036 = 0.06; two would pass 0.1
    const first = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1000, fields: ["url_from"] });
    expect(first.isError).toBeFalsy();
    const requests = h.proxy.requests.length;
    const refused = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1000, offset: 1000, fields: ["url_from"] });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/DATAFORSEO_MAX_COST_USD/);
    expect(textOf(refused)).toMatch(/\$0\.06/);
    expect(h.proxy.requests.length).toBe(requests);
    // a small call still fits
    const small = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 10 });
    expect(small.isError).toBeFalsy();
  });

  it("random calls never spend past the cap", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 30, maxLength: 30 }), async (limits) => {
        for (const limit of limits) await h.call("backlinks_referring_domains", { target: "cnn.com", limit });
        const usage = textOf(await h.call("backlinks_usage", {}));
        const spent = Number(/^process_billed_usd\t\$(\S+)$/m.exec(usage)![1]);
        expect(spent).toBeLessThanOrEqual(0.1 + 1e-9);
      }),
      { numRuns: 3 },
    );
  });
});

// The spend protocol against a billing loopback upstream: caps hold when the upstream bills more
// than the table, when outcomes are unknown, and when costs are absurd.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DataForSeoClient } from "../../src/dataforseo/client.js";
import { Budget, type CapDecision, type Settlement, type SpendCap } from "../../src/spend/budget.js";
import { delivered, spendCall, type SpendContext, type SpendResult } from "../../src/spend/call.js";
import { Ledger } from "../../src/spend/ledger.js";
import { CURRENT_PRICES, PriceBook } from "../../src/spend/pricing.js";
import { okEnvelope, startStub, type Stub } from "../dataforseo/stub.js";
import { BillingUpstream } from "./upstream.js";

const PATH = "/v3/backlinks/backlinks/live";
const TOOL = "backlinks_backlinks";
const TABLE_100 = CURRENT_PRICES.perRequestUsd + CURRENT_PRICES.perRowUsd * 100; // 0.0276

let upstream: BillingUpstream;
const clients: DataForSeoClient[] = [];

beforeAll(async () => {
  upstream = await new BillingUpstream().start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close(0)));
  upstream.factor = 1;
  upstream.flatUsd = undefined;
  upstream.fault = () => "ok";
  upstream.requests = 0;
  upstream.billedTasks = 0;
  upstream.billedNanos = 0;
});

function setup(capUsd: number | undefined, clientOptions = {}) {
  const ledger = new Ledger();
  const prices = new PriceBook();
  const budget = new Budget(capUsd, ledger);
  const ctx: SpendContext = { prices, ledger, caps: [budget] };
  const client = upstream.client({ maxConcurrency: 30, timeoutMs: 2000, ...clientOptions });
  clients.push(client);
  const call = (limit: number): Promise<SpendResult<unknown>> =>
    spendCall(ctx, { tool: TOOL, fn: "backlinks", rows: limit }, async () => delivered(await client.post(PATH, { target: "example.com", limit })));
  return { ledger, prices, budget, ctx, client, call };
}

describe("an upstream that bills more than the table", () => {
  it("prices ×2: 200 concurrent calls under a $0.50 cap pass it by at most one call's underestimate", async () => {
    upstream.factor = 2;
    const { ledger, call } = setup(0.5);
    const results = await Promise.all(Array.from({ length: 200 }, () => call(100)));
    const paid = results.filter((r) => r.status === "paid").length;
    // Before: $0.99. One probe call at the table price learns ×2; the rest reserve $0.0552.
    expect(upstream.billedUsd).toBeLessThanOrEqual(0.5 + TABLE_100);
    expect(upstream.billedUsd).toBeGreaterThan(0.4);
    expect(ledger.spentNanos).toBe(upstream.billedNanos);
    expect(paid).toBe(upstream.billedTasks);
    expect(ledger.totals().refusedCalls).toBe(200 - paid);
    expect(ledger.totals().refusalsByKind).toEqual({ budget: 200 - paid });
  });

  it("$0.10 a call: 200 concurrent calls under a $0.50 cap stay within one call's underestimate", async () => {
    upstream.flatUsd = 0.1;
    const { ledger, prices, call } = setup(0.5);
    await Promise.all(Array.from({ length: 200 }, () => call(100)));
    // Before: $1.80.
    expect(upstream.billedUsd).toBeLessThanOrEqual(0.5 + (0.1 - TABLE_100) + 1e-9);
    expect(ledger.spentNanos).toBe(upstream.billedNanos);
    // Every later estimate covers the flat price, even for fewer rows.
    expect(prices.estimate("backlinks", 0)).toBeGreaterThanOrEqual(0.1);
  });

  it("a price seen once is reserved from then on", async () => {
    const { prices, call } = setup(undefined);
    upstream.factor = 3;
    const first = await call(10);
    expect(first.status).toBe("paid");
    const next = await call(1000);
    expect(next.status === "paid" && next.costUsd).toBeLessThanOrEqual(next.estimateUsd);
    expect(prices.estimate("backlinks", 1000)).toBeGreaterThanOrEqual(upstream.priceNanos(1000) / 1e9);
  });
});

describe("outcomes that hide whether the call was billed", () => {
  it("timeouts after sending count as possibly billed: 40 calls under $0.10 let at most 4 through", async () => {
    upstream.fault = () => "hang";
    const { ledger, client, call } = setup(0.1, { timeoutMs: 150 });
    // Load undici first so the timeouts measure the answer, not the start-up.
    upstream.fault = (n) => (n === 0 ? "ok" : "hang");
    await client.post(PATH, { target: "warm.example", limit: 0 });
    const before = upstream.billedNanos;
    const results = await Promise.all(Array.from({ length: 40 }, () => call(0)));
    const sent = upstream.billedTasks - 1;
    expect(sent).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.status === "failed")).toHaveLength(sent);
    expect(ledger.spentNanos).toBe(0);
    expect(ledger.possiblyBilledNanos).toBeGreaterThanOrEqual(upstream.billedNanos - before);
    expect(ledger.committedUsd).toBeLessThanOrEqual(0.1);
    expect(ledger.totals().failuresByKind).toEqual({ timeout: sent });
  });

  it.each(["reset", "gateway"] as const)("a %s after sending: one request, possibly billed at the estimate", async (fault) => {
    upstream.fault = () => fault;
    const { ledger, call } = setup(1);
    const result = await call(100);
    expect(result.status).toBe("failed");
    expect(upstream.requests).toBe(1); // before: 4 requests, $0 in the ledger
    expect(ledger.possiblyBilledNanos).toBe(Math.round(TABLE_100 * 1e9));
    expect(ledger.committedNanos).toBeGreaterThanOrEqual(upstream.billedNanos);
    if (result.status === "failed") {
      expect(result.error.billing).toBe("unknown");
      expect(result.possiblyBilledUsd).toBe(result.estimateUsd);
      expect(result.charge).toBeDefined();
    }
  });

  it("1e308 costs never reach the totals: they stay finite and count the estimates", async () => {
    upstream.flatUsd = 1e308;
    const { ledger, call } = setup(undefined);
    const a = await call(100);
    const b = await call(100);
    expect(a.status).toBe("failed");
    expect(b.status).toBe("failed");
    if (a.status === "failed") expect(a.error.kind).toBe("bad_response");
    expect(ledger.spentUsd).toBe(0);
    expect(Number.isFinite(ledger.committedUsd)).toBe(true);
    expect(ledger.possiblyBilledNanos).toBe(2 * Math.round(TABLE_100 * 1e9));
    expect(ledger.totals().failuresByKind).toEqual({ bad_response: 2 });
  });
});

describe("a price rise learned after an unknown outcome", () => {
  it("raises the possibly billed amount of a call that failed while the price was rising", async () => {
    const { ledger, call } = setup(undefined);
    expect((await call(100)).status).toBe("paid"); // confirms the table price
    upstream.factor = 3;
    upstream.fault = (n) => (n === 1 ? "reset" : "ok");
    const lost = await call(100); // billed at ×3 upstream; only the old estimate is known yet
    expect(lost.status).toBe("failed");
    expect(ledger.committedNanos).toBeLessThan(upstream.billedNanos);
    expect((await call(100)).status).toBe("paid"); // learns ×3
    expect(ledger.possiblyBilledNanos).toBeGreaterThanOrEqual(upstream.priceNanos(100));
    expect(ledger.committedNanos).toBeGreaterThanOrEqual(upstream.billedNanos);
  });

  it("leaves alone a call that failed before a later call confirmed the old price", async () => {
    const { ledger, call } = setup(undefined);
    upstream.fault = (n) => (n === 0 ? "reset" : "ok");
    expect((await call(100)).status).toBe("failed"); // ran at the old price
    expect((await call(100)).status).toBe("paid"); // sent after it failed, at the old price
    upstream.factor = 3;
    expect((await call(100)).status).toBe("paid");
    expect(ledger.possiblyBilledNanos).toBe(Math.round(TABLE_100 * 1e9));
    expect(ledger.committedNanos).toBeGreaterThanOrEqual(upstream.billedNanos);
  });
});

describe("a 3xx whose body looks like a result", () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(async () => {
    await stub.close();
  });

  it("is not accepted or billed at its stated cost; it counts as possibly billed", async () => {
    stub.fallback = { status: 302, body: okEnvelope({ cost: 0.02 }), headers: { location: "http://127.0.0.1:1/" } };
    const ledger = new Ledger();
    const ctx: SpendContext = { prices: new PriceBook(), ledger, caps: [new Budget(1, ledger)] };
    const client = new (await import("../../src/dataforseo/client.js")).DataForSeoClient({ baseUrl: stub.url, login: "a", password: "b" });
    clients.push(client);
    const r = await spendCall(ctx, { tool: TOOL, fn: "summary", rows: 1 }, async () => delivered(await client.post("/v3/backlinks/summary/live", { target: "a.com" })));
    expect(r.status).toBe("failed");
    expect(ledger.spentUsd).toBe(0);
    expect(ledger.possiblyBilledUsd).toBe(r.estimateUsd);
    expect(stub.seen).toHaveLength(1);
  });
});

describe("caps", () => {
  it("a refusal carries the amounts and nothing is sent", async () => {
    const { ledger, call } = setup(0.01);
    const r = await call(100);
    expect(r.status).toBe("refused");
    if (r.status === "refused") {
      expect(r.refusal).toMatchObject({ cap: "budget", capUsd: 0.01, committedUsd: 0, estimateUsd: TABLE_100, remainingUsd: 0.01 });
      expect(r.refusal.message).toMatch(/nothing was sent/);
    }
    expect(upstream.requests).toBe(0);
    expect(ledger.totals().refusedCalls).toBe(1);
  });

  it("every cap is asked in order; an async one that refuses releases the earlier holds", async () => {
    const settled: Array<[string, Settlement]> = [];
    const asyncCap = (name: string, allow: boolean): SpendCap => ({
      name,
      async reserve(estimateUsd): Promise<CapDecision> {
        await new Promise((r) => setImmediate(r));
        if (!allow) {
          return {
            ok: false,
            refusal: { cap: name, message: `${name} cap reached`, capUsd: 0, committedUsd: 0, reservedUsd: 0, estimateUsd, remainingUsd: 0 },
          };
        }
        return { ok: true, settle: (s) => settled.push([name, s]) };
      },
    });
    const ledger = new Ledger();
    const budget = new Budget(1, ledger);
    const client = upstream.client();
    clients.push(client);
    const send = async () => delivered(await client.post(PATH, { target: "a.com", limit: 10 }));
    const refused = await spendCall({ prices: new PriceBook(), ledger, caps: [budget, asyncCap("daily", true), asyncCap("monthly", false)] }, { tool: TOOL, fn: "backlinks", rows: 10 }, send);
    expect(refused.status).toBe("refused");
    expect(refused.status === "refused" && refused.refusal.cap).toBe("monthly");
    expect(settled).toEqual([["daily", { billedUsd: 0, possiblyBilledUsd: 0 }]]);
    expect(budget.reservedUsd).toBe(0);
    expect(upstream.requests).toBe(0);
    expect(ledger.totals().refusalsByKind).toEqual({ monthly: 1 });

    settled.length = 0;
    const paid = await spendCall({ prices: new PriceBook(), ledger, caps: [budget, asyncCap("daily", true)] }, { tool: TOOL, fn: "backlinks", rows: 10 }, send);
    expect(paid.status).toBe("paid");
    expect(settled).toEqual([["daily", { billedUsd: upstream.priceNanos(10) / 1e9, possiblyBilledUsd: 0 }]]);
    expect(budget.reservedUsd).toBe(0);
  });

  it("possibly billed amounts count against the cap", () => {
    const ledger = new Ledger();
    const budget = new Budget(0.1, ledger);
    ledger.possiblyBilled({ tool: TOOL, estimateUsd: 0.08 });
    expect(budget.check(0.03).ok).toBe(false);
    expect(budget.check(0.02).ok).toBe(true);
    expect(budget.check(0.03).message).toMatch(/possibly billed/);
  });
});

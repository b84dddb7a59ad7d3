// 1,000 paid calls, 30 at a time, under a cap, against an upstream that triples its prices
// mid-run and hangs, resets, fails behind a gateway or answers "busy" at random. Whatever
// happens, the ledger must bracket the upstream's own billing record, and spend may pass the
// cap only by the underestimates of calls that were out while the price rose.
import { afterAll, describe, expect, it } from "vitest";
import { Budget } from "../../src/spend/budget.js";
import { delivered, spendCall, type SpendContext } from "../../src/spend/call.js";
import { Ledger } from "../../src/spend/ledger.js";
import { CURRENT_PRICES, PriceBook } from "../../src/spend/pricing.js";
import { BillingUpstream, type Fault } from "./upstream.js";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CALLS = 1000;
const CONCURRENCY = 30;
const CAP_USD = 20;
const RISE_AT_REQUEST = 150;
const FACTOR = 3;
const TABLE_NANOS = (rows: number) => Math.round(CURRENT_PRICES.perRequestUsd * 1e9) + Math.round(CURRENT_PRICES.perRowUsd * 1e9) * rows;

describe("randomized spend under faults and a price rise", () => {
  const upstreams: BillingUpstream[] = [];
  afterAll(async () => {
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it.each([1, 2, 3])("seed %i: the ledger brackets the upstream's billing and the cap holds", async (seed) => {
    // A fresh upstream per run: its billing record must hold this run's calls only.
    const upstream = await new BillingUpstream().start();
    upstreams.push(upstream);
    const rng = mulberry32(seed);
    const faultRng = mulberry32(seed * 7919);
    upstream.factor = 1;
    upstream.fault = (n): Fault => {
      if (n >= RISE_AT_REQUEST) upstream.factor = FACTOR;
      const r = faultRng();
      return r < 0.05 ? "hang" : r < 0.1 ? "reset" : r < 0.13 ? "gateway" : r < 0.18 ? "busy" : "ok";
    };
    const client = upstream.client({ maxConcurrency: CONCURRENCY, timeoutMs: 1000, maxRetries: 3 });
    const ledger = new Ledger();
    const ctx: SpendContext = { prices: new PriceBook(), ledger, caps: [new Budget(CAP_USD, ledger)] };

    // Per call: when it entered the protocol and when it settled; when the first response at the
    // higher price arrived, and when the latest call answered at the old price had been sent.
    const spans: Array<{ from: number; to: number; sent: boolean }> = [];
    let firstHigherAt = Infinity;
    let lastOldSentAt = -Infinity;
    let next = 0;
    const statuses = { paid: 0, refused: 0, failed: 0 };

    const worker = async () => {
      while (next < CALLS) {
        next += 1;
        const rows = Math.floor(rng() * 1001);
        const from = performance.now();
        const result = await spendCall(ctx, { tool: "backlinks_backlinks", fn: "backlinks", rows }, async () => {
          const sentAt = performance.now();
          const res = await client.post("/v3/backlinks/backlinks/live", { target: "example.com", limit: rows });
          const nanos = Math.round(res.cost * 1e9);
          if (nanos > TABLE_NANOS(rows)) firstHigherAt = Math.min(firstHigherAt, performance.now());
          else if (performance.now() < firstHigherAt) lastOldSentAt = Math.max(lastOldSentAt, sentAt);
          return delivered(res);
        });
        statuses[result.status] += 1;
        spans.push({ from, to: performance.now(), sent: result.status !== "refused" });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await client.close(0);

    // Every outcome happened, and the price did rise while calls were still being paid.
    expect(statuses.paid + statuses.refused + statuses.failed).toBe(CALLS);
    expect(statuses.paid).toBeGreaterThan(50);
    expect(statuses.failed).toBeGreaterThan(10);
    expect(statuses.refused).toBeGreaterThan(0);
    expect(firstHigherAt).toBeLessThan(Infinity);
    expect(ledger.totals().possiblyBilledCalls).toBeGreaterThan(0);

    // The upstream's own record lies between what the ledger knows was billed and what it counts as possibly billed.
    expect(ledger.spentNanos).toBeLessThanOrEqual(upstream.billedNanos);
    expect(upstream.billedNanos).toBeLessThanOrEqual(ledger.committedNanos);

    // Calls out while the price rose: they entered before it was learned and settled after the
    // last old-price call was sent. Each can be underestimated by at most (FACTOR - 1) × the table's worst case.
    // Refused calls sent nothing, so they cannot be underestimated.
    const exposed = spans.filter((s) => s.sent && s.from <= firstHigherAt && s.to >= lastOldSentAt).length;
    const worstUnder = (FACTOR - 1) * TABLE_NANOS(1000);
    const capNanos = CAP_USD * 1e9;
    expect(ledger.committedNanos).toBeLessThanOrEqual(capNanos + exposed * worstUnder);
    expect(upstream.billedNanos).toBeLessThanOrEqual(capNanos + exposed * worstUnder);
    // The bound is meaningful: only a small share of the calls was out while the price rose.
    expect(exposed).toBeLessThan(CALLS / 4);
  }, 60_000);
});

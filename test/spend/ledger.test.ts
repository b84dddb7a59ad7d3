import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/spend/ledger.js";

describe("Ledger", () => {
  it("sums 10,000 costs of 0.000036 with no float drift", () => {
    const ledger = new Ledger();
    let naive = 0;
    for (let i = 0; i < 10_000; i++) {
      ledger.record({ tool: "backlinks_backlinks", costUsd: 0.000036, cached: false, ok: true });
      naive += 0.000036;
    }
    // The naive float sum drifts; the ledger must not.
    expect(naive).not.toBe(0.36);
    expect(ledger.spentUsd).toBe(0.36);
    expect(ledger.totals().byTool.backlinks_backlinks.spentUsd).toBe(0.36);
  });

  it("keeps mixed real-world costs exact", () => {
    const ledger = new Ledger();
    const costs = [0.02015, 0.024036, 0.1, 0.2, 0.06];
    for (const costUsd of costs) ledger.record({ tool: "t", costUsd, cached: false, ok: true });
    expect(ledger.spentUsd).toBe(0.404186);
    expect(ledger.spentNanos).toBe(costs.reduce((sum, c) => sum + Math.round(c * 1e9), 0));
  });

  it("counts upstream, cached, refused and failed calls, per tool", () => {
    const ledger = new Ledger();
    ledger.record({ tool: "a", costUsd: 0.024036, cached: false, ok: true });
    ledger.record({ tool: "a", costUsd: 0, cached: true, ok: true });
    ledger.record({ tool: "b", costUsd: 0, cached: false, ok: false, kind: "validation" });
    ledger.refused("b");
    ledger.refused("c", "daily");
    expect(ledger.totals()).toEqual({
      calls: 5,
      upstreamCalls: 2,
      cachedCalls: 1,
      refusedCalls: 2,
      failedCalls: 1,
      spentUsd: 0.024036,
      possiblyBilledUsd: 0,
      possiblyBilledCalls: 0,
      committedUsd: 0.024036,
      refusalsByKind: { budget: 1, daily: 1 },
      failuresByKind: { validation: 1 },
      byTool: {
        a: { calls: 2, spentUsd: 0.024036, possiblyBilledUsd: 0 },
        b: { calls: 2, spentUsd: 0, possiblyBilledUsd: 0 },
        c: { calls: 1, spentUsd: 0, possiblyBilledUsd: 0 },
      },
    });
  });

  it("returns a snapshot, not live state", () => {
    const ledger = new Ledger();
    const before = ledger.totals();
    ledger.record({ tool: "a", costUsd: 0.02, cached: false, ok: true });
    expect(before.calls).toBe(0);
    expect(before.byTool).toEqual({});
  });

  it("rejects a negative or non-finite cost and leaves the totals alone", () => {
    const ledger = new Ledger();
    expect(() => ledger.record({ tool: "a", costUsd: -0.01, cached: false, ok: true })).toThrow(RangeError);
    expect(() => ledger.record({ tool: "a", costUsd: Number.NaN, cached: false, ok: true })).toThrow(RangeError);
    expect(ledger.totals().calls).toBe(0);
    expect(ledger.spentUsd).toBe(0);
  });

  it("keeps possibly billed amounts apart from billed ones, and both count as committed", () => {
    const ledger = new Ledger();
    ledger.record({ tool: "a", costUsd: 0.024036, cached: false, ok: true });
    const charge = ledger.possiblyBilled({ tool: "a", estimateUsd: 0.06, kind: "timeout" });
    expect(ledger.spentUsd).toBe(0.024036);
    expect(ledger.possiblyBilledUsd).toBe(0.06);
    expect(ledger.committedNanos).toBe(84_036_000);
    expect(ledger.totals()).toMatchObject({ upstreamCalls: 2, failedCalls: 1, possiblyBilledCalls: 1, failuresByKind: { timeout: 1 } });
    // The true cost becomes known: it replaces the estimate, once.
    expect(ledger.reconcile(charge, 0.0245)).toBe(true);
    expect(ledger.reconcile(charge, 0.0245)).toBe(false);
    expect(ledger.possiblyBilledUsd).toBe(0);
    expect(ledger.spentUsd).toBe(0.048536);
    expect(ledger.totals().byTool.a).toEqual({ calls: 2, spentUsd: 0.048536, possiblyBilledUsd: 0 });
    expect(ledger.totals().possiblyBilledCalls).toBe(0);
  });

  it("reconciles to zero, and ignores a charge from another ledger", () => {
    const ledger = new Ledger();
    const other = new Ledger();
    const charge = ledger.possiblyBilled({ tool: "a", estimateUsd: 0.06 });
    expect(other.reconcile(charge, 0)).toBe(false);
    expect(ledger.reconcile(charge, 0)).toBe(true);
    expect(ledger.committedNanos).toBe(0);
  });

  it("refuses absurd amounts and keeps totals exact past 2^53 nano-dollars", () => {
    const ledger = new Ledger();
    expect(() => ledger.record({ tool: "a", costUsd: 1e308, cached: false, ok: true })).toThrow(RangeError);
    expect(() => ledger.record({ tool: "a", costUsd: Infinity, cached: false, ok: true })).toThrow(RangeError);
    expect(() => ledger.possiblyBilled({ tool: "a", estimateUsd: 1e308 })).toThrow(RangeError);
    expect(ledger.totals().calls).toBe(0);
    // 10,000 entries of the largest accepted amount: 1e19 nanos, far past Number.MAX_SAFE_INTEGER.
    for (let i = 0; i < 10_000; i++) ledger.record({ tool: "a", costUsd: 1_000_000, cached: false, ok: true });
    expect(Number.isFinite(ledger.spentUsd)).toBe(true);
    expect(ledger.spentUsd).toBe(1e10);
    ledger.record({ tool: "a", costUsd: 0.000000001, cached: false, ok: true });
    expect(ledger.spentUsd).toBeGreaterThan(1e10 - 1);
  });
});

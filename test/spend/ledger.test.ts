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
    ledger.record({ tool: "b", costUsd: 0, cached: false, ok: false });
    ledger.refused("b");
    ledger.refused("c");
    expect(ledger.totals()).toEqual({
      calls: 5,
      upstreamCalls: 2,
      cachedCalls: 1,
      refusedCalls: 2,
      failedCalls: 1,
      spentUsd: 0.024036,
      byTool: {
        a: { calls: 2, spentUsd: 0.024036 },
        b: { calls: 2, spentUsd: 0 },
        c: { calls: 1, spentUsd: 0 },
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
});

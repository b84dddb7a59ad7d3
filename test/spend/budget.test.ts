import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Budget } from "../../src/spend/budget.js";
import { Ledger } from "../../src/spend/ledger.js";
import { estimateMaxCost } from "../../src/spend/pricing.js";

function spend(ledger: Ledger, costUsd: number): void {
  ledger.record({ tool: "t", costUsd, cached: false, ok: true });
}

describe("Budget without a cap", () => {
  it("allows everything and reports no cap", () => {
    const ledger = new Ledger();
    spend(ledger, 1000);
    const budget = new Budget(undefined, ledger);
    const decision = budget.check(1e6);
    expect(decision.ok).toBe(true);
    expect(decision.spentUsd).toBe(1000);
    expect(decision.capUsd).toBeUndefined();
    expect(decision.remainingUsd).toBeUndefined();
    expect(budget.capUsd).toBeUndefined();
  });
});

describe("Budget with a cap", () => {
  it("allows spent + estimate exactly at the cap and refuses 1e-9 more", () => {
    const ledger = new Ledger();
    const budget = new Budget(0.1, ledger);
    spend(ledger, 0.024);
    const atCap = budget.check(0.076);
    expect(atCap).toMatchObject({ ok: true, spentUsd: 0.024, estimateUsd: 0.076, capUsd: 0.1, remainingUsd: 0.076 });
    expect(atCap.message).toBeUndefined();
    const past = budget.check(0.076000001);
    expect(past.ok).toBe(false);
    expect(past.remainingUsd).toBe(0.076);
  });

  it("is not fooled by float sums that land a hair past the cap", () => {
    const ledger = new Ledger();
    const budget = new Budget(0.3, ledger);
    spend(ledger, 0.1);
    spend(ledger, 0.1);
    // 0.1 + 0.1 + 0.1 > 0.3 in plain floats.
    expect(0.1 + 0.1 + 0.1 > 0.3).toBe(true);
    expect(budget.check(0.1).ok).toBe(true);
    spend(ledger, 0.1);
    expect(budget.check(0).ok).toBe(true);
    expect(budget.check(0).remainingUsd).toBe(0);
    expect(budget.check(0.000000001).ok).toBe(false);
  });

  it("explains a refusal with the amounts and how to go on", () => {
    const ledger = new Ledger();
    const budget = new Budget(0.05, ledger);
    spend(ledger, 0.02436);
    const decision = budget.check(estimateMaxCost(1000));
    expect(decision.ok).toBe(false);
    expect(decision.message).toContain("$0.0600"); // the estimate
    expect(decision.message).toContain("$0.02436"); // spent
    expect(decision.message).toContain("$0.02564"); // left
    expect(decision.message).toContain("raise DATAFORSEO_MAX_COST_USD (now $0.0500) or restart the server to reset the running total");
  });

  it("with a cap of 0 refuses paid calls and allows free ones", () => {
    const budget = new Budget(0, new Ledger());
    expect(budget.check(estimateMaxCost(0)).ok).toBe(false);
    expect(budget.check(0).ok).toBe(true);
  });

  it("rejects a negative cap or estimate", () => {
    expect(() => new Budget(-1, new Ledger())).toThrow(RangeError);
    expect(() => new Budget(1, new Ledger()).check(-0.01)).toThrow(RangeError);
    expect(() => new Budget(1, new Ledger()).hold(Number.NaN)).toThrow(RangeError);
  });
});

describe("Budget reservations", () => {
  it("counts calls in flight against the cap until released", () => {
    const ledger = new Ledger();
    const budget = new Budget(0.1, ledger);
    const release = budget.hold(0.06);
    const second = budget.check(0.06);
    expect(second.ok).toBe(false);
    expect(second.remainingUsd).toBe(0.04);
    expect(second.message).toContain("held for calls still running");
    spend(ledger, 0.03);
    release();
    release(); // a second release must not free more
    expect(budget.reservedUsd).toBe(0);
    expect(budget.check(0.07).ok).toBe(true);
    expect(budget.check(0.070000001).ok).toBe(false);
  });

  it("lets parallel calls through only while their worst cases fit together", async () => {
    const ledger = new Ledger();
    const cap = 0.1;
    const budget = new Budget(cap, ledger);
    const estimate = estimateMaxCost(1000); // 0.06: only one fits at a time
    let inFlight = 0;
    let peak = 0;
    const call = async (): Promise<boolean> => {
      const { decision, release } = budget.tryReserve(estimate);
      if (!decision.ok || !release) return false;
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      spend(ledger, estimate);
      inFlight -= 1;
      release();
      return true;
    };
    const results = await Promise.all(Array.from({ length: 8 }, call));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(peak).toBe(1);
    expect(ledger.spentUsd).toBeLessThanOrEqual(cap);
    expect(budget.reservedUsd).toBe(0);
  });

  it("never spends past a small cap over 1,000 random calls, some in flight at once", () => {
    type Op =
      | { kind: "start"; rows: number }
      | { kind: "finish"; pick: number; returnedShare: number; fail: boolean };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("start" as const), rows: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({
        kind: fc.constant("finish" as const),
        pick: fc.nat(),
        returnedShare: fc.double({ min: 0, max: 1, noNaN: true }),
        fail: fc.boolean(),
      }),
    );
    let everSent = 0;
    let everRefused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.array(op, { minLength: 1000, maxLength: 1000 }), (capMicros, ops) => {
        const capUsd = capMicros / 1e6; // up to $2
        const capNanos = capMicros * 1000;
        const ledger = new Ledger();
        const budget = new Budget(capUsd, ledger);
        const running: { rows: number; estimateNanos: number; release: () => void }[] = [];
        let reservedNanos = 0;
        let sent = 0;
        let refused = 0;
        const finish = (index: number, share: number, fail: boolean): void => {
          const [call] = running.splice(index, 1);
          const actual = fail ? 0 : estimateMaxCost(Math.floor(call.rows * share));
          ledger.record({ tool: "t", costUsd: actual, cached: false, ok: !fail });
          call.release();
          reservedNanos -= call.estimateNanos;
        };
        for (const o of ops) {
          if (o.kind === "start") {
            const estimate = estimateMaxCost(o.rows);
            const estimateNanos = Math.round(estimate * 1e9);
            const fits = ledger.spentNanos + reservedNanos + estimateNanos <= capNanos;
            const { decision, release } = budget.tryReserve(estimate);
            expect(decision.ok).toBe(fits);
            if (release) {
              running.push({ rows: o.rows, estimateNanos, release });
              reservedNanos += estimateNanos;
              sent += 1;
            } else {
              ledger.refused("t");
              refused += 1;
            }
          } else if (running.length > 0) {
            finish(o.pick % running.length, o.returnedShare, o.fail);
          }
          expect(ledger.spentNanos + reservedNanos).toBeLessThanOrEqual(capNanos);
          expect(ledger.spentUsd).toBeLessThanOrEqual(capUsd);
        }
        while (running.length > 0) finish(0, 1, false);
        expect(ledger.spentUsd).toBeLessThanOrEqual(capUsd);
        expect(budget.reservedUsd).toBe(0);
        expect(ledger.totals().upstreamCalls).toBe(sent);
        expect(ledger.totals().refusedCalls).toBe(refused);
        everSent += sent;
        everRefused += refused;
      }),
      { numRuns: 40 },
    );
    // The runs must have exercised both outcomes.
    expect(everSent).toBeGreaterThan(0);
    expect(everRefused).toBeGreaterThan(0);
  });
});

describe("perCallCap", () => {
  it("refuses a call whose worst case is above the cap and lets one at the cap through, holding nothing", async () => {
    const { perCallCap } = await import("../../src/spend/budget.js");
    const cap = perCallCap(0.025);
    const over = cap.reserve(0.0250001) as Awaited<ReturnType<typeof cap.reserve>>;
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.refusal.message).toMatch(/per-call cap of \$0\.0250; nothing was sent/);
    const at = cap.reserve(0.025) as Awaited<ReturnType<typeof cap.reserve>>;
    expect(at.ok).toBe(true);
  });
});

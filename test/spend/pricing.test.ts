import { describe, expect, it } from "vitest";
import fc from "fast-check";
import pricing from "../../src/data/backlinks-pricing.json" with { type: "json" };
import { CURRENT_PRICES, estimateMaxCost, formatUsd } from "../../src/spend/pricing.js";

describe("CURRENT_PRICES", () => {
  it("uses the prices in force from 2026-07-01", () => {
    expect(CURRENT_PRICES.perRequestUsd).toBe(pricing.from_2026_07_01.per_request_usd);
    expect(CURRENT_PRICES.perRowUsd).toBe(pricing.from_2026_07_01.per_row_usd);
  });
});

describe("estimateMaxCost", () => {
  it("is per request plus per row, rounded to 1e-9", () => {
    for (const rows of [0, 1, 5, 100, 999, 1000]) {
      const expected = Number((CURRENT_PRICES.perRequestUsd + CURRENT_PRICES.perRowUsd * rows).toFixed(9));
      expect(estimateMaxCost(rows)).toBe(expected);
    }
  });

  it("matches the documented example under the older prices", () => {
    const old = { perRequestUsd: pricing.before_2026_07.per_request_usd, perRowUsd: pricing.before_2026_07.per_row_usd };
    // Docs: domain_pages/live with limit 5 cost 0.02015.
    expect(estimateMaxCost(5, old)).toBe(0.02015);
  });

  it("carries no float noise", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (rows) => {
        const cost = estimateMaxCost(rows);
        expect(cost).toBe(Number(cost.toFixed(9)));
        expect(String(cost)).not.toMatch(/0000000|9999999/);
      }),
    );
  });

  it("rejects a negative or non-finite row count", () => {
    expect(() => estimateMaxCost(-1)).toThrow(RangeError);
    expect(() => estimateMaxCost(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatUsd", () => {
  it.each([
    [0.024, "$0.0240"],
    [0.02436, "$0.02436"],
    [0.000036, "$0.000036"],
    [0.02015, "$0.02015"],
    [0, "$0.0000"],
    [-0, "$0.0000"],
    [1, "$1.0000"],
    [1234.5, "$1234.5000"],
    [0.1 + 0.2, "$0.3000"],
    [1e-7, "$0.0000001"],
    [1e-12, "$0.000000000001"],
    [-0.05, "-$0.0500"],
  ])("formatUsd(%s) is %s", (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it("never uses exponent notation", () => {
    expect(formatUsd(1e22)).not.toMatch(/e/i);
    expect(formatUsd(3e-9)).not.toMatch(/e/i);
  });

  it("keeps every digit of any amount in whole 1e-9 units", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 13 }), (nanos) => {
        const usd = nanos / 1e9;
        const text = formatUsd(usd);
        expect(text).toMatch(/^\$\d+\.\d{4,9}$/);
        expect(Number(text.slice(1))).toBe(usd);
      }),
    );
  });
});

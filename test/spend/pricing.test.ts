import { describe, expect, it } from "vitest";
import fc from "fast-check";
import pricing from "../../src/data/backlinks-pricing.json" with { type: "json" };
import { CURRENT_PRICES, MAX_PRICE_USD, PriceBook, estimateMaxCost, formatUsd, pricesFromUserData } from "../../src/spend/pricing.js";

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

function userData(price: Record<string, unknown>) {
  return { login: "user@example.com", money: { balance: 10 }, price: { backlinks: price } };
}

describe("pricesFromUserData", () => {
  it("reads priority_normal per function, the higher price when a type repeats, 0 for a missing type", () => {
    const prices = pricesFromUserData([
      userData({
        backlinks: { live: { priority_normal: [{ cost_type: "per_request", cost: 0.03 }, { cost_type: "per_result", cost: 0.00005 }, { cost_type: "per_request", cost: 0.031 }] } },
        summary: { live: { priority_normal: [{ cost_type: "per_request", cost: 0.02 }] } },
        errors: { priority_normal: [{ cost_type: "per_request", cost: 0 }] },
        anchors: { live: { priority_normal: [{ cost_type: "per_request", cost: Number.NaN }, { cost_type: "per_result", cost: -1 }, { cost_type: "per_request", cost: MAX_PRICE_USD * 10 }, "junk", null] } },
        history: { live: { priority_high: [{ cost_type: "per_request", cost: 1 }] } },
      }),
    ]);
    expect([...prices.keys()]).toEqual(["backlinks", "summary"]);
    expect(prices.get("backlinks")).toEqual({ perRequestUsd: 0.031, perRowUsd: 0.00005 });
    expect(prices.get("summary")).toEqual({ perRequestUsd: 0.02, perRowUsd: 0 });
  });

  it("returns nothing for shapes that are not a user_data result", () => {
    for (const bad of [null, undefined, 1, "x", [], [null], {}, { price: null }, { price: { backlinks: [] } }]) {
      expect(pricesFromUserData(bad).size).toBe(0);
    }
  });
});

describe("PriceBook", () => {
  it("starts from the built-in table", () => {
    const book = new PriceBook();
    for (const rows of [0, 1, 100, 1000]) expect(book.estimate("backlinks", rows)).toBe(estimateMaxCost(rows));
    expect(book.confirmed("backlinks")).toBe(false);
  });

  it("user_data raises prices but never lowers them below the table", () => {
    const book = new PriceBook();
    const n = book.acceptUserData(
      userData({
        backlinks: { live: { priority_normal: [{ cost_type: "per_request", cost: 0.05 }, { cost_type: "per_result", cost: 0.00001 }] } },
      }),
    );
    expect(n).toBe(1);
    expect(book.prices("backlinks")).toMatchObject({ perRequestUsd: 0.05, perRowUsd: CURRENT_PRICES.perRowUsd });
    expect(book.estimate("summary", 1)).toBe(estimateMaxCost(1));
  });

  it("learns a proportional rise from one response, for every row count", () => {
    const book = new PriceBook();
    book.learn("backlinks", 2 * estimateMaxCost(100), 100);
    expect(book.confirmed("backlinks")).toBe(true);
    for (const rows of [0, 10, 100, 1000]) expect(book.estimate("backlinks", rows)).toBeGreaterThanOrEqual(2 * estimateMaxCost(rows) - 1e-12);
    // Other functions keep their own prices.
    expect(book.estimate("anchors", 100)).toBe(estimateMaxCost(100));
  });

  it("never estimates below a cost seen, whatever the rows (flat prices)", () => {
    const book = new PriceBook();
    book.learn("backlinks", 0.1, 1000);
    for (const rows of [0, 1, 5]) expect(book.estimate("backlinks", rows)).toBeGreaterThanOrEqual(0.1);
  });

  it("prices only go up, and absurd costs are ignored", () => {
    const book = new PriceBook();
    book.learn("backlinks", 3 * estimateMaxCost(10), 10);
    const high = book.estimate("backlinks", 500);
    book.learn("backlinks", 0.0001, 10);
    book.learn("backlinks", 1e308, 10);
    book.learn("backlinks", Number.NaN, 10);
    book.learn("backlinks", -1, 10);
    expect(book.estimate("backlinks", 500)).toBe(high);
  });

  it("a billed failure (no row count) raises the floor only", () => {
    const book = new PriceBook();
    book.learn("backlinks", 0.5);
    expect(book.confirmed("backlinks")).toBe(false);
    expect(book.estimate("backlinks", 0)).toBe(0.5);
    expect(book.estimate("backlinks", 1000)).toBe(0.5);
  });

  it("covers any sequence of linear price changes once each has been seen", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            req: fc.integer({ min: 0, max: 200_000_000 }),
            row: fc.integer({ min: 0, max: 500_000 }),
            rows: fc.integer({ min: 0, max: 1000 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        (changes, probe) => {
          const book = new PriceBook();
          let floor = 0;
          for (const c of changes) {
            const nanos = c.req + c.row * c.rows;
            book.learn("backlinks", nanos / 1e9, c.rows);
            if (c.rows <= probe) floor = Math.max(floor, nanos);
            // The cost just seen is covered for its own row count…
            expect(book.estimateNanos("backlinks", c.rows)).toBeGreaterThanOrEqual(nanos);
          }
          // …and no estimate for some rows is below a cost seen for as many rows or fewer, or the table.
          expect(book.estimateNanos("backlinks", probe)).toBeGreaterThanOrEqual(Math.max(floor, Math.round(estimateMaxCost(probe) * 1e9)));
        },
      ),
    );
  });

  it("admits one call at a time until a response confirms the price", async () => {
    const book = new PriceBook();
    const end1 = await book.admit("backlinks");
    let second = false;
    const pending = book.admit("backlinks").then((end) => {
      second = true;
      return end;
    });
    const other = await book.admit("anchors"); // another function has its own probe
    other();
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    book.learn("backlinks", 0.03, 10);
    end1();
    const end2 = await pending;
    expect(second).toBe(true);
    end2();
    // Confirmed: no more waiting.
    const [a, b] = await Promise.all([book.admit("backlinks"), book.admit("backlinks")]);
    a();
    b();
    const aborted = new AbortController();
    const probe = await book.admit("history");
    const waiting = book.admit("history", aborted.signal);
    aborted.abort();
    await expect(waiting).rejects.toBeDefined();
    probe();
    // Without probing, an unconfirmed function admits every call at once.
    const open = new PriceBook(CURRENT_PRICES, { probe: false });
    const both = await Promise.all([open.admit("backlinks"), open.admit("backlinks")]);
    expect(both).toHaveLength(2);
  });
});

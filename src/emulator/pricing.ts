// Prices charged by the emulator (USD), from the reference price table.
import pricing from "../data/backlinks-pricing.json" with { type: "json" };

export interface Prices {
  perRequest: number;
  perRow: number;
}

export const DEFAULT_PRICES: Prices = {
  perRequest: pricing.from_2026_07_01.per_request_usd,
  perRow: pricing.from_2026_07_01.per_row_usd,
};

/** Money rounded to 1e-8 so sums of floats print cleanly. */
export function money(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}

export function taskCost(prices: Prices, rows: number): number {
  return money(prices.perRequest + prices.perRow * rows);
}

import pricing from "../data/backlinks-pricing.json" with { type: "json" };
import { assertAmount, fromNanos, toNanos } from "./units.js";

export interface PriceTable {
  perRequestUsd: number;
  perRowUsd: number;
}

/** Prices in force since 2026-07-01: per task plus per row returned. */
export const CURRENT_PRICES: PriceTable = Object.freeze({
  perRequestUsd: pricing.from_2026_07_01.per_request_usd,
  perRowUsd: pricing.from_2026_07_01.per_row_usd,
});

/**
 * Worst-case cost of one task that may return up to `rows` rows,
 * rounded to 1e-9 USD so the result carries no float noise.
 */
export function estimateMaxCost(rows: number, prices: PriceTable = CURRENT_PRICES): number {
  if (!Number.isFinite(rows) || rows < 0) throw new RangeError(`rows must be a finite number ≥ 0, got ${String(rows)}`);
  assertAmount(prices.perRequestUsd, "perRequestUsd");
  assertAmount(prices.perRowUsd, "perRowUsd");
  return fromNanos(toNanos(prices.perRequestUsd) + toNanos(prices.perRowUsd) * Math.ceil(rows));
}

const MIN_DECIMALS = 4;
const BASE_DECIMALS = 9;
const MAX_DECIMALS = 20;

/**
 * "$0.0240": at least four decimals, more when the amount needs them
 * ("$0.02436", "$0.000036"); digits below 1e-9 are float noise and dropped,
 * except for tiny non-zero amounts, which keep a few significant digits.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return `$${String(usd)}`;
  const sign = usd < 0 ? "-" : "";
  const abs = Math.abs(usd);
  let decimals = BASE_DECIMALS;
  if (abs > 0 && abs < 10 ** -BASE_DECIMALS) {
    decimals = Math.min(MAX_DECIMALS, -Math.floor(Math.log10(abs)) + 5);
  }
  // toFixed never uses exponent notation below 1e21.
  let text = abs < 1e21 ? abs.toFixed(decimals) : BigInt(Math.round(abs)).toString() + ".";
  let [whole, frac = ""] = text.split(".");
  frac = frac.replace(/0+$/, "");
  if (frac.length < MIN_DECIMALS) frac = frac.padEnd(MIN_DECIMALS, "0");
  text = `${whole}.${frac}`;
  return /^0\.0+$/.test(text) ? `$${text}` : `${sign}$${text}`;
}

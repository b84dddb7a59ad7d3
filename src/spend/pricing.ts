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

/** Prices per endpoint function, learned and read from user_data, never below the built-in table. */
export interface PriceView {
  /** Highest per-request price known for the function. */
  perRequestUsd: number;
  /** Highest per-row price known for the function. */
  perRowUsd: number;
  /** Highest cost of a single task ever seen for the function. */
  maxSeenUsd: number;
}

/** A price above this (per request or per row, USD) is taken as corrupt data and ignored. */
export const MAX_PRICE_USD = 100;

function priceOk(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_PRICE_USD;
}

/**
 * Reads the Backlinks price list from a GET /v3/appendix/user_data result (the object in
 * tasks[0].result[0], or that result list itself):
 * `price.backlinks.<function>.live.priority_normal[] = {cost_type: "per_request" | "per_result", cost}`.
 * Returns one table per function that has a valid entry; entries that are not finite amounts
 * in [0, MAX_PRICE_USD] are skipped; when a type is listed twice the higher price counts; a
 * missing type is 0.
 */
export function pricesFromUserData(result: unknown): Map<string, PriceTable> {
  const out = new Map<string, PriceTable>();
  const root = Array.isArray(result) ? result[0] : result;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(root) || !isObj(root.price) || !isObj(root.price.backlinks)) return out;
  for (const [fn, entry] of Object.entries(root.price.backlinks)) {
    if (!isObj(entry) || !isObj(entry.live) || !Array.isArray(entry.live.priority_normal)) continue;
    let perRequestUsd: number | undefined;
    let perRowUsd: number | undefined;
    for (const item of entry.live.priority_normal) {
      if (!isObj(item) || !priceOk(item.cost)) continue;
      if (item.cost_type === "per_request") perRequestUsd = Math.max(perRequestUsd ?? 0, item.cost);
      else if (item.cost_type === "per_result") perRowUsd = Math.max(perRowUsd ?? 0, item.cost);
    }
    if (perRequestUsd === undefined && perRowUsd === undefined) continue;
    out.set(fn, { perRequestUsd: perRequestUsd ?? 0, perRowUsd: perRowUsd ?? 0 });
  }
  return out;
}

interface Known {
  reqNanos: number;
  rowNanos: number;
  maxSeenNanos: number;
}

/**
 * What one endpoint function costs, at the highest price known. It starts from the built-in
 * table, takes in user_data's price list, and learns from every response: when a task of `rows`
 * billed rows cost more than the known prices say, both prices are raised by the same factor so
 * that they reproduce that cost (a price change usually scales both); and such a cost (above the
 * known price), like a billed failure's, becomes a floor of every later estimate, which covers
 * flat per-call charges. Prices only go up: an estimate for some rows is never below a cost seen
 * for as many rows or fewer.
 */
export class PriceBook {
  readonly #base: { reqNanos: number; rowNanos: number };
  readonly #byFn = new Map<string, Known>();
  /** Functions whose price a successful response has confirmed in this process. */
  readonly #confirmed = new Set<string>();
  /** The one call in flight for a function whose price is not confirmed yet. */
  readonly #probes = new Map<string, Promise<void>>();

  readonly #probe: boolean;

  /**
   * `probe: false` lets calls of a function whose price is not confirmed go all at once (lower
   * latency for a first burst, at the risk of a whole burst reserved at a price that is too low).
   */
  constructor(base: PriceTable = CURRENT_PRICES, options: { probe?: boolean } = {}) {
    this.#probe = options.probe ?? true;
    assertAmount(base.perRequestUsd, "perRequestUsd");
    assertAmount(base.perRowUsd, "perRowUsd");
    this.#base = { reqNanos: Math.ceil(base.perRequestUsd * 1e9 - 1e-6), rowNanos: Math.ceil(base.perRowUsd * 1e9 - 1e-6) };
  }

  #known(fn: string): Known {
    let k = this.#byFn.get(fn);
    if (!k) {
      k = { reqNanos: this.#base.reqNanos, rowNanos: this.#base.rowNanos, maxSeenNanos: 0 };
      this.#byFn.set(fn, k);
    }
    return k;
  }

  /** Takes in user_data's price list (see pricesFromUserData); returns how many functions it listed. */
  acceptUserData(result: unknown): number {
    const prices = pricesFromUserData(result);
    for (const [fn, p] of prices) this.raise(fn, p);
    return prices.size;
  }

  /** Raises the known prices of `fn` to at least `prices`. */
  raise(fn: string, prices: PriceTable): void {
    if (!priceOk(prices.perRequestUsd) || !priceOk(prices.perRowUsd)) return;
    const k = this.#known(fn);
    k.reqNanos = Math.max(k.reqNanos, Math.ceil(prices.perRequestUsd * 1e9 - 1e-6));
    k.rowNanos = Math.max(k.rowNanos, Math.ceil(prices.perRowUsd * 1e9 - 1e-6));
  }

  /**
   * Learns from a reported cost. `rows` is the number of rows the task was billed for (count
   * low when unsure: fewer rows make the learned prices higher); without it only the floor is
   * raised (a failed task that was billed). Costs that are not finite amounts in
   * [0, MAX_PRICE_USD] are ignored.
   */
  learn(fn: string, costUsd: number, rows?: number): void {
    if (!priceOk(costUsd)) return;
    const k = this.#known(fn);
    const nanos = Math.ceil(costUsd * 1e9 - 1e-6);
    if (rows === undefined || !Number.isFinite(rows) || rows < 0) {
      // A billed cost without a row count (a failed task) is a floor for every call of the function.
      k.maxSeenNanos = Math.max(k.maxSeenNanos, nanos);
      return;
    }
    this.#confirmed.add(fn);
    const r = Math.floor(rows);
    const known = k.reqNanos + k.rowNanos * r;
    if (nanos <= known) return;
    // A price above the known one: one response cannot tell a flat charge from a per-row one, so
    // its cost also becomes a floor of every later estimate (only after such a rise, so a large call
    // at normal prices never inflates the estimate of a small one).
    k.maxSeenNanos = Math.max(k.maxSeenNanos, nanos);
    if (known === 0) {
      k.reqNanos = nanos;
      return;
    }
    // Scale both prices by nanos / known, rounding up.
    k.reqNanos = Math.ceil((k.reqNanos * nanos) / known);
    k.rowNanos = Math.ceil((k.rowNanos * nanos) / known);
  }

  /** Whether a successful response has shown what `fn` costs. */
  confirmed(fn: string): boolean {
    return this.#confirmed.has(fn);
  }

  /**
   * Waits for this call's turn. Until a response has confirmed the price of `fn`, its calls go
   * one at a time (a probe), so a price higher than the table is learned from one call instead
   * of being paid by a whole burst reserved at the old price. Afterwards every call goes at
   * once. Returns the function that ends this call's turn: call it after learn(), whatever the
   * outcome. Rejects (with the signal's reason) if `signal` aborts while waiting.
   */
  async admit(fn: string, signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error("aborted");
      if (!this.#probe || this.#confirmed.has(fn)) return () => undefined;
      const probe = this.#probes.get(fn);
      if (!probe) {
        let end!: () => void;
        const turn = new Promise<void>((resolve) => {
          end = resolve;
        });
        this.#probes.set(fn, turn);
        let ended = false;
        return () => {
          if (ended) return;
          ended = true;
          if (this.#probes.get(fn) === turn) this.#probes.delete(fn);
          end();
        };
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason ?? new Error("aborted"));
        signal?.addEventListener("abort", onAbort, { once: true });
        void probe.then(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
  }

  /** The highest prices known for `fn`. */
  prices(fn: string): PriceView {
    const k = this.#byFn.get(fn) ?? { ...this.#base, maxSeenNanos: 0 };
    return { perRequestUsd: fromNanos(k.reqNanos), perRowUsd: fromNanos(k.rowNanos), maxSeenUsd: fromNanos(k.maxSeenNanos) };
  }

  /** Worst-case cost in USD of one task of `fn` returning at most `rows` rows, at the highest prices known. */
  estimate(fn: string, rows: number): number {
    return fromNanos(this.estimateNanos(fn, rows));
  }

  estimateNanos(fn: string, rows: number): number {
    if (!Number.isFinite(rows) || rows < 0) throw new RangeError(`rows must be a finite number ≥ 0, got ${String(rows)}`);
    const k = this.#byFn.get(fn) ?? { ...this.#base, maxSeenNanos: 0 };
    return Math.max(k.reqNanos + k.rowNanos * Math.ceil(rows), k.maxSeenNanos);
  }
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

// The account: balance, per-function call counts, prices (with a multiplier settable mid-run) and charging.
import type { Account } from "./endpoints/registry.js";
import { DEFAULT_PRICES, money, taskCost, type Prices } from "./pricing.js";

/** What each emulator account starts with, in USD. */
export const DEFAULT_DEPOSIT_USD = 100;

export class Billing {
  readonly account: Account;
  private multiplier: number;

  constructor(login: string, multiplier = 1, private readonly base: Prices = DEFAULT_PRICES, deposit = DEFAULT_DEPOSIT_USD) {
    if (!Number.isFinite(deposit) || deposit < 0) throw new RangeError(`depositUsd must be a finite amount ≥ 0, got ${deposit}`);
    this.account = { login, deposited: deposit, balance: deposit, spent: 0, calls: {} };
    this.multiplier = checkMultiplier(multiplier);
  }

  setMultiplier(m: number): void {
    this.multiplier = checkMultiplier(m);
  }

  /** Prices charged from now on. */
  prices(): Prices {
    return { perRequest: money(this.base.perRequest * this.multiplier), perRow: money(this.base.perRow * this.multiplier) };
  }

  /** Can the account pay for a request at all? */
  canStart(prices: Prices): boolean {
    return this.account.balance >= prices.perRequest;
  }

  /** Charge a successful task of `fn`; returns the cost, or null when it would overdraw the balance. */
  charge(fn: string, prices: Prices, rows: number): number | null {
    const cost = taskCost(prices, rows);
    if (cost > this.account.balance) return null;
    const a = this.account;
    a.balance = money(a.balance - cost);
    a.spent = money(a.spent + cost);
    a.calls[fn] = (a.calls[fn] ?? 0) + 1;
    return cost;
  }
}

function checkMultiplier(m: number): number {
  if (!Number.isFinite(m) || m < 0) throw new RangeError("price multiplier must be a finite number >= 0");
  return m;
}

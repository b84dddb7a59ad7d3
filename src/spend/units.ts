// Money is kept as whole nano-dollars (1e-9 USD) so sums never drift.
export const NANOS_PER_USD = 1_000_000_000;

/** USD amount → integer nano-dollars (rounded to the nearest 1e-9). */
export function toNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

/** Integer nano-dollars → USD (the nearest double to the exact decimal). */
export function fromNanos(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** Checks a cost or cap is a finite, non-negative number. */
export function assertAmount(usd: number, what: string): void {
  if (typeof usd !== "number" || !Number.isFinite(usd) || usd < 0) {
    throw new RangeError(`${what} must be a finite number ≥ 0, got ${String(usd)}`);
  }
}

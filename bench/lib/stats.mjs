// Small statistics helpers for the benchmark.

/** Percentile by linear interpolation between closest ranks; p in [0, 100]. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => percentile(values, 50);

/** Round to a number of decimals, keeping the result a number. */
export function round(value, decimals = 2) {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * Decimals the spread allows: those of the power of ten at or below a tenth of the range
 * (max − min), at most `finest` and at least 0. A median of 5.19 with a range of 2.8–5.2 is 5;
 * with a range of 5.1–5.3 it is 5.2.
 */
export function spreadDecimals(min, max, finest = 3) {
  const range = Math.abs(max - min);
  if (!(range > 0)) return finest;
  return Math.min(finest, Math.max(0, -Math.floor(Math.log10(range / 10))));
}

/** Median, min and max of repeated figures, each rounded to what the spread allows. */
export function spread(values, finest = 3) {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const d = spreadDecimals(min, max, finest);
  return { median: round(median(values), d), min: round(min, d), max: round(max, d), repeats: values.length };
}

/** Milliseconds since an earlier performance.now() reading. */
export function since(start) {
  return performance.now() - start;
}

/** Run `fn(i)` for i in [0, count) with at most `width` running at once. */
export async function pool(count, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

/** Least-squares slope of y over x for [x, y] pairs. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

// Backoff delays and Retry-After parsing.

/** Full jitter: a random wait in [0, min(maxMs, baseMs * 2^retryIndex)]. retryIndex starts at 0. */
export function backoffDelay(retryIndex: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retryIndex, 30));
  let r = random();
  if (!Number.isFinite(r) || r < 0) r = 0;
  if (r > 1) r = 1;
  return Math.max(0, Math.round(ceiling * r));
}

/**
 * Milliseconds to wait from a Retry-After header (delay in seconds or an HTTP date), capped at
 * maxMs; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, maxMs: number, nowMs: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (!Number.isFinite(at) || !/[a-z]/i.test(text)) return undefined;
    ms = at - nowMs;
  }
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), Math.max(0, maxMs));
}

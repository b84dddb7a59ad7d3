// "Did you mean" for misspelt names.

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prevPrev: number[] = new Array(t.length + 1).fill(0);
  let prev: number[] = Array.from({ length: t.length + 1 }, (_, j) => j);
  let cur: number[] = new Array(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, prevPrev[j - 2]! + 1);
      }
      cur[j] = best;
    }
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[t.length]!;
}

/** Largest distance still treated as a typo of a name this long. */
function tolerance(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return 3;
}

/**
 * Closest candidate when it is close enough to be a typo; otherwise the only candidate
 * containing the name (or contained in it) as a whole, e.g. "spam" is too vague but
 * "platform_type" → "domain_from_platform_type".
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) return undefined;
  const list = [...new Set(candidates)];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of list) {
    if (candidate === name) continue;
    if (Math.abs(candidate.length - name.length) > 3) continue;
    const d = editDistance(name, candidate);
    if (
      d < bestDistance ||
      (d === bestDistance && best !== undefined && tieBreak(name, candidate, best) < 0)
    ) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= tolerance(name.length)) return best;

  const lower = name.toLowerCase();
  if (lower.length < 5) return undefined;
  const containing = list.filter((c) => {
    const lc = c.toLowerCase();
    return lc !== lower && (lc.includes(lower) || (lc.length >= 5 && lower.includes(lc)));
  });
  return containing.length === 1 ? containing[0] : undefined;
}

// Prefer the candidate closer in length, then the alphabetically first one.
function tieBreak(name: string, a: string, b: string): number {
  const la = Math.abs(a.length - name.length);
  const lb = Math.abs(b.length - name.length);
  if (la !== lb) return la - lb;
  return a < b ? -1 : a > b ? 1 : 0;
}

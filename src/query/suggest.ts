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

// ---------- ranking by meaning as well as spelling ----------

/**
 * Words that mean nearly the same in field names. A lost link's date is its last_seen, so "lost"
 * sits near "last"; every word for a moment sits near "seen".
 */
const RELATED: readonly (readonly string[])[] = [
  ["lost", "last", "removed", "deleted", "gone", "dropped", "dead"],
  ["date", "seen", "time", "visited", "day", "when", "timestamp", "fetch"],
  ["first", "created", "discovered", "found", "new", "added", "earliest"],
  ["prev", "previous", "before", "earlier"],
  ["rank", "rating", "authority", "score", "dr", "da", "ur", "pr"],
  ["spam", "toxic", "toxicity", "junk"],
  ["anchor", "text", "link_text"],
  ["url", "page", "link", "href", "address"],
  ["domain", "host", "site", "website"],
  ["from", "source", "referring", "referrer", "ref"],
  ["to", "target", "destination", "dest"],
  ["count", "number", "num", "total", "links", "backlinks"],
  ["dofollow", "follow", "nofollow", "rel", "attributes"],
  ["language", "lang", "locale"],
  ["country", "geo", "location"],
  ["title", "name", "heading"],
  ["broken", "status", "error", "code"],
  ["tld", "extension", "zone"],
  ["ip", "network", "subnet"],
];

const RELATED_INDEX: ReadonlyMap<string, number[]> = (() => {
  const index = new Map<string, number[]>();
  RELATED.forEach((group, i) => {
    for (const word of group) index.set(word, [...(index.get(word) ?? []), i]);
  });
  return index;
})();

function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function related(a: string, b: string): boolean {
  const ga = RELATED_INDEX.get(a);
  const gb = RELATED_INDEX.get(b);
  return ga !== undefined && gb !== undefined && ga.some((g) => gb.includes(g));
}

function wordScore(a: string, b: string): number {
  if (a === b) return 1;
  if (related(a, b)) return 0.8;
  if (a.length >= 4 && b.length >= 4 && editDistance(a, b) <= 1) return 0.75;
  if (a.length >= 3 && b.length >= 3 && (a.startsWith(b) || b.startsWith(a))) return 0.6;
  return 0;
}

/** How close a candidate is to the name, 0 to 1, by shared or related words and by spelling. */
export function closeness(name: string, candidate: string): number {
  if (name.length > 200 || candidate.length > 200) return 0;
  const a = words(name);
  const b = words(candidate);
  let byWords = 0;
  if (a.length > 0 && b.length > 0) {
    let sum = 0;
    for (const wa of a) {
      let best = 0;
      for (const wb of b) best = Math.max(best, wordScore(wa, wb));
      sum += best;
    }
    byWords = sum / Math.max(a.length, b.length);
  }
  const longest = Math.max(name.length, candidate.length, 1);
  const bySpelling = 1 - editDistance(name, candidate) / longest;
  return Math.max(byWords, bySpelling);
}

/** Below this closeness a candidate is "the rest", kept in its own order. */
const NEAR = 0.4;

/**
 * Every candidate once: those near the name first (closest first), then the rest in their
 * original order. The count of near ones is returned too.
 */
export function rankByCloseness(name: string, candidates: Iterable<string>): { ranked: string[]; near: number } {
  const list = [...new Set(candidates)];
  const scored = list.map((c, i) => ({ c, i, s: typeof name === "string" ? closeness(name, c) : 0 }));
  const near = scored.filter((x) => x.s >= NEAR).sort((x, y) => y.s - x.s || x.i - y.i);
  const rest = scored.filter((x) => x.s < NEAR);
  return { ranked: [...near, ...rest].map((x) => x.c), near: near.length };
}

// Fitting text into the output budget (characters, UTF-16 units as String.length counts them).

/** How many leading lines fit when joined with "\n" (no trailing newline); 0 if not even the first. */
export function fitLines(lines: readonly string[], availableChars: number): number {
  if (!(availableChars > 0)) return 0;
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += lines[i]!.length + (i > 0 ? 1 : 0);
    if (used > availableChars) return i;
  }
  return lines.length;
}

/** Hard cut to at most maxChars, ending in a marker that says how much was cut. */
export function clip(text: string, maxChars: number): string {
  const max = Number.isNaN(maxChars) ? 0 : Math.max(0, Math.floor(maxChars));
  if (text.length <= max) return text;
  // Widest marker first (the most digits the count can have), so the result never exceeds max.
  const marker = (cut: number) => ` …[cut ${cut} chars]`;
  const room = max - marker(text.length).length;
  if (room < 0) return text.slice(0, safeEnd(text, max));
  const keep = safeEnd(text, room);
  return text.slice(0, keep) + marker(text.length - keep);
}

// Step back one unit rather than split a surrogate pair.
function safeEnd(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return end > 0 && code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

// ---------- tokens ----------

/** Ceiling on the tokens of one reply (under Claude Code's 25,000-token default cap). */
export const DEFAULT_MAX_TOKENS = 20_000;

/**
 * A cheap upper estimate of the o200k tokens of `text`, calibrated in a test against the real
 * tokenizer on table-like text (words, random-looking domains, URLs, numbers, dates, count maps):
 * - lower-case letters 1.8 per token, upper-case 1.2 (random strings tokenise worst);
 * - digits in groups of up to 3 per token (o200k splits numbers that way);
 * - every other ASCII character one token, a space half a token;
 * - anything else one token per UTF-8 byte, the most a byte-level tokenizer can use.
 * Ordinary English text is over-estimated by about 1.7x; digit-heavy tables by very little.
 */
export function estimateTokens(text: string): number {
  let lower = 0;
  let upper = 0;
  let other = 0;
  let digitRun = 0;
  let digitTokens = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      digitRun++;
      continue;
    }
    if (digitRun > 0) {
      digitTokens += Math.ceil(digitRun / 3);
      digitRun = 0;
    }
    if (c >= 0x61 && c <= 0x7a) lower++;
    else if (c >= 0x41 && c <= 0x5a) upper++;
    else if (c === 0x20) other += 0.5;
    else if (c < 0x80) other += 1;
    else if (c < 0x800) other += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair is one 4-byte code point; its low half is skipped.
      other += 4;
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    } else other += 3;
  }
  if (digitRun > 0) digitTokens += Math.ceil(digitRun / 3);
  return Math.ceil(lower / 1.8 + upper / 1.2 + other + digitTokens);
}

export interface LineBudget {
  /** Characters (UTF-16 units) the lines may take, newlines included. */
  maxChars: number;
  /** Estimated tokens the lines may take (DEFAULT_MAX_TOKENS when omitted). */
  maxTokens?: number;
  /**
   * Every line is ASCII, so its estimate is at most its length (no rate above one token a
   * character applies): tokens are counted only once the characters could pass maxTokens.
   */
  ascii?: boolean;
}

/**
 * How many leading lines fit both budgets when joined with "\n" (no trailing newline);
 * 0 if not even the first. Tokens are counted per line plus one per newline, which never
 * undercounts the joined text.
 */
export function fitLinesBudget(lines: readonly string[], budget: LineBudget): number {
  const maxChars = budget.maxChars;
  const maxTokens = budget.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (!(maxChars > 0) || !(maxTokens > 0)) return 0;
  let chars = 0;
  let tokens = 0;
  // Lines before `counted` are in `tokens`; with ASCII lines the rest wait until the count matters.
  let counted = 0;
  for (let i = 0; i < lines.length; i++) {
    chars += lines[i]!.length + (i > 0 ? 1 : 0);
    if (chars > maxChars) return i;
    // Tokens so far are at most the characters so far: no line before this one can have passed.
    if (budget.ascii && chars <= maxTokens) continue;
    for (; counted <= i; counted++) tokens += estimateTokens(lines[counted]!) + (counted > 0 ? 1 : 0);
    if (tokens > maxTokens) return i;
  }
  return lines.length;
}

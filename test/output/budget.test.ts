import { describe, expect, it } from "vitest";
import { clip, fitLines } from "../../src/output/budget.js";

describe("fitLines", () => {
  const lines = ["aaaa", "bb", "cccccc", "d"];
  it("counts the newline separators exactly", () => {
    // Joined prefixes: "aaaa" = 4, "aaaa\nbb" = 7, "aaaa\nbb\ncccccc" = 14, + "\nd" = 16.
    for (let k = 0; k <= lines.length; k++) {
      const exact = lines.slice(0, k).join("\n").length;
      if (k > 0) expect(fitLines(lines, exact)).toBe(k);
      if (k > 0) expect(fitLines(lines, exact - 1)).toBe(k - 1);
    }
    expect(fitLines(lines, 1000)).toBe(4);
  });
  it("returns 0 when nothing fits or nothing is available", () => {
    expect(fitLines(lines, 3)).toBe(0);
    expect(fitLines(lines, 0)).toBe(0);
    expect(fitLines(lines, -5)).toBe(0);
    expect(fitLines([], 100)).toBe(0);
  });
  it("agrees with a brute-force join on random lines", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const ls = Array.from({ length: Math.floor(rnd() * 20) }, () => "x".repeat(Math.floor(rnd() * 30)));
      const budget = Math.floor(rnd() * 300);
      const k = fitLines(ls, budget);
      if (k > 0) expect(ls.slice(0, k).join("\n").length).toBeLessThanOrEqual(budget);
      if (k < ls.length) expect(ls.slice(0, k + 1).join("\n").length).toBeGreaterThan(budget);
    }
  });
});

describe("clip", () => {
  it("leaves short text alone", () => {
    expect(clip("hello", 5)).toBe("hello");
    expect(clip("", 0)).toBe("");
  });
  it("cuts to at most maxChars with a marker saying how much was cut", () => {
    const text = "y".repeat(10_000);
    for (const max of [30, 100, 999, 5000, 9999]) {
      const out = clip(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      const m = /…\[cut (\d+) chars\]$/.exec(out);
      expect(m).not.toBeNull();
      const kept = out.length - m![0].length - 1;
      expect(kept + Number(m![1])).toBe(text.length);
    }
  });
  it("hard-cuts without a marker when even the marker does not fit", () => {
    expect(clip("abcdefghij", 4)).toBe("abcd");
    expect(clip("abcdefghij", 0)).toBe("");
  });
  it("does not split a surrogate pair", () => {
    const out = clip("😀".repeat(100), 41);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { DEFAULT_MAX_TOKENS, estimateTokens, fitLinesBudget } from "../../src/output/budget.js";

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function tableText(kind: "words" | "random" | "digits" | "unicode", rows: number, seed: number): string {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const word = (n: number) => Array.from({ length: n }, () => pick([...letters.slice(0, 26)])).join("");
  const mixed = (n: number) => Array.from({ length: n }, () => pick([...letters])).join("");
  const vocab = ["seo", "guide", "best", "shoes", "review", "news", "blog", "link", "building", "tips", "marketing", "the"];
  const intl = ["日本語のテキスト", "Привет мир", "Ελληνικά", "العربية", "한국어 텍스트", "😀 café", "𓀀𓀁 ꙮ ᚠᚢᚦ"];
  const lines = ["domain_from\turl_from\tanchor\trank\tbacklinks\tfirst_seen\tdofollow\treferring_links_tld"];
  for (let i = 0; i < rows; i++) {
    const host = kind === "random" ? `${word(4 + Math.floor(r() * 10))}.${pick(["com", "io", "de"])}` : `${pick(vocab)}${pick(vocab)}.com`;
    const slug = kind === "random" ? mixed(5 + Math.floor(r() * 20)) : `${pick(vocab)}-${pick(vocab)}-${pick(vocab)}`;
    const anchor =
      kind === "unicode" ? pick(intl) : kind === "random" ? `${mixed(6)} ${word(8)}` : `${pick(vocab)} ${pick(vocab)} ${pick(vocab)}`;
    const nums =
      kind === "digits"
        ? Array.from({ length: 6 }, () => String(Math.floor(r() * 10 ** (1 + Math.floor(r() * 7))))).join("\t")
        : `${Math.floor(r() * 1000)}\t${Math.floor(r() * 100000)}`;
    lines.push(
      [host, `https://${host}/${slug}?id=${Math.floor(r() * 1e6)}`, anchor, nums, `2025-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`, pick(["y", "n"]), `com:${Math.floor(r() * 300)} net:${Math.floor(r() * 9)} +5`].join("\t"),
    );
  }
  return lines.join("\n");
}

describe("estimateTokens", () => {
  it("never underestimates the real o200k count on table-like text, and stays within 2x of it", () => {
    for (const kind of ["words", "random", "digits", "unicode"] as const) {
      for (const seed of [1, 2, 3]) {
        const text = tableText(kind, 150, seed);
        const actual = encode(text).length;
        const estimate = estimateTokens(text);
        expect(estimate, `${kind} ${seed}`).toBeGreaterThanOrEqual(actual);
        expect(estimate / actual, `${kind} ${seed}`).toBeLessThan(2);
        // Each line on its own, too (lines are what the budget fits).
        for (const line of text.split("\n").slice(0, 40)) expect(estimateTokens(line)).toBeGreaterThanOrEqual(encode(line).length);
      }
    }
  });

  it("treats digit-heavy text at about two characters a token", () => {
    const text = tableText("digits", 100, 7);
    expect(text.length / estimateTokens(text)).toBeLessThan(2.3);
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("123456")).toBe(2);
  });

  it("never underestimates hostile text (random case, symbols, rare scripts)", () => {
    const r = rng(9);
    const chars = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*()_+-=[]{};:,./<>?~", "𓀀", "ꙮ", "ᚠ", "😀", "é"];
    for (let k = 0; k < 5; k++) {
      const text = Array.from({ length: 3000 }, () => chars[Math.floor(r() * chars.length)]).join("");
      expect(estimateTokens(text)).toBeGreaterThanOrEqual(encode(text).length);
    }
  });
});

describe("fitLinesBudget", () => {
  it("stops at whichever of characters and tokens runs out first", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `row${i}\t${"9".repeat(300)}`);
    const byChars = fitLinesBudget(lines, { maxChars: 1000, maxTokens: 1_000_000 });
    expect(byChars).toBe(fitLines(lines, 1000));
    const byTokens = fitLinesBudget(lines, { maxChars: 1_000_000, maxTokens: 500 });
    expect(byTokens).toBeGreaterThan(0);
    expect(byTokens).toBeLessThan(10);
    expect(encode(lines.slice(0, byTokens).join("\n")).length).toBeLessThanOrEqual(500);
    expect(fitLinesBudget(lines, { maxChars: 0 })).toBe(0);
  });

  it("defaults to 20,000 tokens and the joined text never passes it", () => {
    expect(DEFAULT_MAX_TOKENS).toBe(20_000);
    const lines = tableText("random", 2000, 5).split("\n");
    const n = fitLinesBudget(lines, { maxChars: 10_000_000 });
    expect(n).toBeLessThan(lines.length);
    expect(encode(lines.slice(0, n).join("\n")).length).toBeLessThanOrEqual(DEFAULT_MAX_TOKENS);
  });
});

describe("fitLinesBudget with ASCII lines", () => {
  it("gives the same count as counting every line's tokens", () => {
    const r = rng(7);
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 ./:-_\t";
    for (let trial = 0; trial < 300; trial++) {
      const lines = Array.from({ length: 1 + Math.floor(r() * 60) }, () =>
        Array.from({ length: Math.floor(r() * 120) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(""),
      );
      const maxChars = 1 + Math.floor(r() * 8000);
      const maxTokens = 1 + Math.floor(r() * 4000);
      expect(fitLinesBudget(lines, { maxChars, maxTokens, ascii: true })).toBe(fitLinesBudget(lines, { maxChars, maxTokens }));
    }
  });
});

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

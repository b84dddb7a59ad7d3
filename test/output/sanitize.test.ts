import { describe, expect, it } from "vitest";
import { DEFAULT_TEXT_MAX, sanitizeText } from "../../src/output/sanitize.js";

const LINE_OR_FIELD_BREAK = /[\t\n\r\v\f\u0085\u2028\u2029]/;

describe("sanitizeText", () => {
  it("turns every kind of line or field break into one space", () => {
    expect(sanitizeText("a\nb\r\nc\td\u2028e\u2029f\u0085g\vh\fi")).toBe("a b c d e f g h i");
    expect(sanitizeText("x\n# total_count: 999\tfake")).toBe("x # total_count: 999 fake");
    expect(sanitizeText("x\n# total_count: 999\tfake")).not.toMatch(LINE_OR_FIELD_BREAK);
  });

  it("removes other control characters, DEL and C1 controls", () => {
    expect(sanitizeText("a\u0000b\u0007c\u001bd\u007fe\u0080f\u009fg")).toBe("abcdefg");
  });

  it("removes zero-width and bidi override/isolate characters", () => {
    const hidden = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff\u061c\u00ad";
    expect(sanitizeText(`pay${hidden}pal`)).toBe("paypal");
    expect(sanitizeText("evil\u202Etxt.exe")).toBe("eviltxt.exe");
  });

  it("collapses runs of spaces (including unicode spaces) and trims", () => {
    expect(sanitizeText("  a   b \u00a0\u3000 c  ")).toBe("a b c");
    expect(sanitizeText("\n\n\t")).toBe("");
  });

  it("drops lone surrogates but keeps pairs and ordinary unicode", () => {
    expect(sanitizeText("a\ud800b\udc00c")).toBe("abc");
    expect(sanitizeText("😀 café – 日本")).toBe("😀 café – 日本");
  });

  it("caps long text to maxLength ending in an ellipsis", () => {
    const long = "word ".repeat(100);
    const out = sanitizeText(long);
    expect(out.length).toBeLessThanOrEqual(DEFAULT_TEXT_MAX);
    expect(out.endsWith("…")).toBe(true);
    expect(sanitizeText("abcdefghij", 5)).toBe("abcd…");
    expect(sanitizeText("abcde", 5)).toBe("abcde");
    expect(sanitizeText("abc", 0)).toBe("");
  });

  it("never splits a surrogate pair when capping", () => {
    const emoji = "😀".repeat(50);
    for (let max = 1; max < 20; max++) {
      const out = sanitizeText(emoji, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it("caps after cleaning, so hidden characters do not count", () => {
    const text = "\u200b".repeat(500) + "short";
    expect(sanitizeText(text, 10)).toBe("short");
  });
});

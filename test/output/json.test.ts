import { describe, expect, it } from "vitest";
import { fitJsonItems, projectItem } from "../../src/output/json.js";
import { trimForJson } from "../../src/output/format.js";

function deep(levels: number): unknown {
  let node: unknown = "bottom";
  for (let i = 0; i < levels; i++) node = { child: node, list: [node] };
  return node;
}

describe("fitJsonItems", () => {
  const plain = Array.from({ length: 50 }, (_, i) => ({ domain: `site${i}.com`, rank: i, anchor: "click" }));

  it("keeps whole items in order until the budget is used, and says how many", () => {
    const fit = fitJsonItems(plain, 500, { listLimit: 10 });
    expect(fit.shown).toBeGreaterThan(5);
    expect(fit.shown).toBeLessThan(50);
    expect(fit.text.length).toBeLessThanOrEqual(500);
    expect(JSON.parse(fit.text)).toEqual(plain.slice(0, fit.shown));
    expect(fit.cutInside).toBe(0);
    expect(fitJsonItems(plain, 100_000, { listLimit: 10 }).shown).toBe(50);
  });

  it("never exceeds the budget for hostile items (huge strings, many keys, deep nesting, wide nested lists)", () => {
    const manyKeys: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) manyKeys[`k${i}`] = i % 7;
    const row = Array.from({ length: 1000 }, () => "x".repeat(100));
    const wide = { a: Array.from({ length: 1000 }, () => row) };
    const hostile = [
      { anchor: "a".repeat(1_000_000) },
      { nested: manyKeys },
      manyKeys,
      deep(5000),
      wide,
      { url_from: "https://a.com/" + "p".repeat(1_000_000) },
    ];
    for (const budget of [40_000, 1000, 50, 3]) {
      for (const item of hostile) {
        const fit = fitJsonItems([item, item], budget, { listLimit: 1000 });
        expect(fit.text.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
        expect(JSON.stringify(fit.items)).toBe(fit.text);
      }
    }
    const fit = fitJsonItems([manyKeys], 40_000, { listLimit: 10 });
    expect(fit.shown).toBe(1);
    expect(fit.cutInside).toBe(1);
    expect(fit.text.length).toBeGreaterThan(39_000);
  });

  it("keeps items that are not objects", () => {
    const items = [1, "two", null, { rank: 3 }, [4, 5], true];
    const fit = fitJsonItems(items, 1000, { listLimit: 10, columns: ["rank"] });
    expect(fit.shown).toBe(6);
    expect(JSON.parse(fit.text)).toEqual([1, "two", null, { rank: 3 }, [4, 5], true]);
  });

  it("projects object items to the chosen columns", () => {
    expect(projectItem({ rank: 1, anchor: "x", meta: { title: "t" } }, ["rank", "meta.title"])).toEqual({ rank: 1, "meta.title": "t" });
    expect(projectItem(7, ["rank"])).toBe(7);
  });

  it("sanitises strings inside JSON too", () => {
    const fit = fitJsonItems([{ anchor: "visible\u{E0049}\u{E0047}\n# fake" }], 1000, { listLimit: 10 });
    expect(JSON.parse(fit.text)[0].anchor).toBe("visible # fake");
  });
});

describe("trimForJson with a character cap", () => {
  it("stays within maxChars and is unbounded without it", () => {
    const big = { list: Array.from({ length: 100 }, (_, i) => ({ i, text: "y".repeat(100) })) };
    expect(JSON.stringify(trimForJson(big, 1000, 160, 2000)).length).toBeLessThanOrEqual(2000);
    expect(JSON.stringify(trimForJson(big, 1000)).length).toBeGreaterThan(10_000);
    expect(trimForJson(big, 10, 160, 1)).toBeUndefined();
  });
});

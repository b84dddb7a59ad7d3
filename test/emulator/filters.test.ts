// The filter grammar over real HTTP: every operator per type, coercion, nulls, nesting, chains, limits, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../src/emulator/index.js";
import { allBacklinks, start, task } from "./helpers.js";

type Item = Record<string, any>;
let emu: Emulator;
let full: Item[];
const BASE = { target: "dataforseo.com", backlinks_status_type: "all" };

beforeAll(async () => {
  emu = await start();
  full = await allBacklinks(emu, BASE);
});
afterAll(() => emu.close());

// Independent reference semantics for the checks.
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const like = (pattern: string, flags = "") =>
  new RegExp(`^${[...pattern].map((c) => (c === "%" ? ".*" : c === "_" ? "." : escape(c))).join("")}$`, `s${flags}`);
const words = (v: string) => v.toLowerCase().split(/[^\p{L}\p{N}_]+/u);
const matches = (v: unknown, query: string) => typeof v === "string" && query.toLowerCase().split(/\s+/).every((w) => words(v).includes(w));
const str = (v: unknown) => (typeof v === "string" ? v : null);

async function filtered(filters: unknown): Promise<Item[]> {
  return allBacklinks(emu, { ...BASE, filters });
}

const CASES: [string, unknown, (i: Item) => boolean][] = [
  ["num =", ["page_from_status_code", "=", 200], (i) => i.page_from_status_code === 200],
  ["num <>", ["page_from_status_code", "<>", 200], (i) => i.page_from_status_code !== 200],
  ["num <", ["rank", "<", 50], (i) => i.rank < 50],
  ["num <=", ["backlink_spam_score", "<=", 3], (i) => i.backlink_spam_score <= 3],
  ["num >", ["domain_from_rank", ">", "300"], (i) => i.domain_from_rank > 300],
  ["num >=", ["page_from_external_links", ">=", 40], (i) => i.page_from_external_links >= 40],
  ["num in", ["links_count", "in", [2, "3"]], (i) => i.links_count === 2 || i.links_count === 3],
  ["num not_in", ["links_count", "not_in", [1]], (i) => i.links_count !== 1],
  ["nested num", ["ranked_keywords_info.page_from_keywords_count_top_10", ">", 5], (i) => i.ranked_keywords_info.page_from_keywords_count_top_10 > 5],
  ["num = null", ["url_to_status_code", "=", null], (i) => i.url_to_status_code === null],
  ["num <> null", ["url_to_spam_score", "<>", null], (i) => i.url_to_spam_score !== null],
  ["time >", ["first_seen", ">", "2024-03-01 12:00:00 +00:00"], (i) => i.first_seen > "2024-03-01 12:00:00 +00:00"],
  ["time < date only", ["first_seen", "<", "2022-01-01"], (i) => i.first_seen < "2022-01-01 00:00:00 +00:00"],
  ["time >=", ["last_seen", ">=", "2026-07-20"], (i) => i.last_seen >= "2026-07-20 00:00:00 +00:00"],
  ["time <=", ["prev_seen", "<=", "2025-01-01 00:00:00 +00:00"], (i) => i.prev_seen <= "2025-01-01 00:00:00 +00:00"],
  ["bool =", ["dofollow", "=", false], (i) => i.dofollow === false],
  ["bool <> as string", ["is_lost", "<>", "true"], (i) => i.is_lost !== true],
  ["str =", ["item_type", "=", "image"], (i) => i.item_type === "image"],
  ["str <>", ["item_type", "<>", "anchor"], (i) => i.item_type !== "anchor"],
  ["str in", ["semantic_location", "in", ["article", "footer"]], (i) => i.semantic_location === "article" || i.semantic_location === "footer"],
  ["str not_in", ["item_type", "not_in", ["anchor", "image"]], (i) => i.item_type !== "anchor" && i.item_type !== "image"],
  ["str like %", ["url_from", "like", "https://%/20%"], (i) => like("https://%/20%").test(i.url_from)],
  ["str like _", ["tld_from", "like", "c_m"], (i) => str(i.tld_from) !== null && like("c_m").test(i.tld_from)],
  ["like is case-sensitive", ["anchor", "like", "%Dataforseo%"], (i) => str(i.anchor) !== null && i.anchor.includes("Dataforseo")],
  ["str not_like", ["anchor", "not_like", "%seo%"], (i) => !(str(i.anchor) !== null && i.anchor.includes("seo"))],
  ["str ilike", ["anchor", "ilike", "%DATAFORSEO%"], (i) => str(i.anchor) !== null && i.anchor.toLowerCase().includes("dataforseo")],
  ["str not_ilike", ["page_from_title", "not_ilike", "%MARKETING%"], (i) => !(str(i.page_from_title) !== null && i.page_from_title.toLowerCase().includes("marketing"))],
  ["str regex", ["domain_from", "regex", "^www\\.[a-m]"], (i) => /^www\.[a-m]/.test(i.domain_from)],
  ["str not_regex", ["url_from", "not_regex", "\\d{4}/\\d{2}/"], (i) => !/\d{4}\/\d{2}\//.test(i.url_from)],
  ["str match", ["page_from_title", "match", "Cloud DATA"], (i) => matches(i.page_from_title, "cloud data")],
  ["str not_match", ["anchor", "not_match", "seo"], (i) => !matches(i.anchor, "seo")],
  ["str = null", ["anchor", "=", null], (i) => i.anchor === null],
  ["str <> null", ["alt", "<>", null], (i) => i.alt !== null],
  ["array has", ["attributes", "has", "nofollow"], (i) => Array.isArray(i.attributes) && i.attributes.includes("nofollow")],
  ["array has_not", ["domain_from_platform_type", "has_not", "blogs"], (i) => !(Array.isArray(i.domain_from_platform_type) && i.domain_from_platform_type.includes("blogs"))],
  ["and", [["dofollow", "=", true], "and", ["rank", ">", 100]], (i) => i.dofollow && i.rank > 100],
  ["or", [["item_type", "=", "image"], "or", ["item_type", "=", "redirect"]], (i) => i.item_type === "image" || i.item_type === "redirect"],
  ["nested groups", [["first_seen", ">", "2021-01-01"], "and", [["anchor", "like", "%seo%"], "or", ["text_pre", "like", "%study%"]]],
    (i) => i.first_seen > "2021-01-01 00:00:00 +00:00" && ((str(i.anchor) !== null && i.anchor.includes("seo")) || (str(i.text_pre) !== null && i.text_pre.includes("study")))],
  ["one-element wrapper", [["dofollow", "=", true]], (i) => i.dofollow === true],
];

describe("filters", () => {
  it("the data set is big enough to make every case meaningful", () => {
    expect(full.length).toBeGreaterThan(1500);
  });

  for (const [name, filter, predicate] of CASES) {
    it(name, async () => {
      const expected = full.filter(predicate);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(full.length);
      const got = await filtered(filter);
      expect(got).toEqual(expected);
    });
  }

  it("a flat chain evaluates left to right", async () => {
    const a = (i: Item) => i.item_type === "image";
    const b = (i: Item) => i.dofollow === false;
    const c = (i: Item) => i.rank > 50;
    const leftToRight = full.filter((i) => (a(i) || b(i)) && c(i));
    const precedence = full.filter((i) => a(i) || (b(i) && c(i)));
    expect(leftToRight.length).not.toBe(precedence.length);
    const got = await filtered([["item_type", "=", "image"], "or", ["dofollow", "=", false], "and", ["rank", ">", 50]]);
    expect(got).toEqual(leftToRight);
  });

  it("allows 8 conditions and rejects 9", async () => {
    const cond = ["rank", ">=", 0];
    const chain = (n: number) => Array.from({ length: n }, () => cond).flatMap((c, i) => (i === 0 ? [c] : ["and", c]));
    expect((await task(emu, "backlinks", { ...BASE, limit: 1, filters: chain(8) })).status_code).toBe(20000);
    const nine = await task(emu, "backlinks", { ...BASE, filters: [chain(5), "or", chain(4)] });
    expect(nine.status_code).toBe(40501);
    expect(nine.status_message).toMatch(/^Invalid Field: 'filters'\..*8/);
  });

  it("names an unknown field", async () => {
    const t = await task(emu, "backlinks", { ...BASE, filters: [["dofollow", "=", true], "and", ["no_such_field", "=", 1]] });
    expect(t.status_code).toBe(40501);
    expect(t.status_message).toBe("Invalid Field: 'no_such_field'.");
    expect(t.result).toBeNull();
    expect(t.cost).toBe(0);
  });

  const BAD: [string, unknown][] = [
    ["operator not valid for the type", ["rank", "like", "%1%"]],
    ["unknown operator", ["rank", "~", 1]],
    ["in needs an array", ["rank", "in", 5]],
    ["bad number", ["rank", ">", "high"]],
    ["bad boolean", ["dofollow", "=", "yes"]],
    ["bad time", ["first_seen", ">", "last tuesday"]],
    ["impossible date", ["first_seen", ">", "2024-02-31"]],
    ["bad regex", ["anchor", "regex", "(unclosed"]],
    ["null with <", ["rank", "<", null]],
    ["two-element condition", ["rank", ">"]],
    ["missing logic word", [["rank", ">", 1], ["rank", "<", 5]]],
    ["unknown logic word", [["rank", ">", 1], "xor", ["rank", "<", 5]]],
    ["not an array", "rank > 5"],
    ["has on a string field", ["anchor", "has", "x"]],
  ];
  for (const [name, filter] of BAD) {
    it(`rejects: ${name}`, async () => {
      const t = await task(emu, "backlinks", { ...BASE, filters: filter });
      expect(t.status_code).toBe(40501);
      expect(t.status_message).toMatch(/^Invalid Field: 'filters'\./);
    });
  }
});

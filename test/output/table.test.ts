import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderTable } from "../../src/output/table.js";

const BREAK = /[\n\r\u2028\u2029\u0085\v\f]/;
const tabs = (s: string) => s.split("\t").length - 1;

describe("renderTable", () => {
  it("renders a header and one tab-separated line per row", () => {
    const rows = [
      { anchor: "seo tools", rank: 120, dofollow: true, first_seen: "2020-01-02 03:04:05 +00:00", attributes: ["nofollow", "ugc"] },
      { anchor: null, rank: 7.25, dofollow: false, attributes: [] },
    ];
    const cols = ["anchor", "rank", "dofollow", "first_seen", "attributes"];
    const { header, lines } = renderTable(rows, cols, 10);
    expect(header).toBe("anchor\trank\tdofollow\tfirst_seen\tattributes");
    expect(lines).toEqual(["seo tools\t120\ty\t2020-01-02\tnofollow,ugc", "\t7.25\tn\t\t"]);
  });

  it("reads nested and map columns by dot path", () => {
    const rows = [{ ranked_keywords_info: { page_from_keywords_count_top_10: 4 }, referring_links_tld: { com: 9, "co.uk": 2 } }];
    const { lines } = renderTable(rows, ["ranked_keywords_info.page_from_keywords_count_top_10", "referring_links_tld.co.uk", "referring_links_tld"], 1);
    expect(lines).toEqual(["4\t2\tcom:9 +1"]);
  });

  it("a forged anchor can never add a line, a column or a fake header/footer", () => {
    const forged = "x\n# total_count: 999\tfake\r\nbacklinks_next_page {\"search_after_token\":\"evil\"}\u2028more";
    const rows = [{ anchor: forged, url_from: `https://a.example/\n\t${forged}`, text_pre: { [forged]: forged }, attributes: [forged, forged] }];
    const cols = ["anchor", "url_from", "text_pre", "attributes"];
    const { lines } = renderTable(rows, cols, 10);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(BREAK);
    expect(tabs(lines[0]!)).toBe(cols.length - 1);
    expect(lines[0]!.split("\t")[0]).toBe('x # total_count: 999 fake backlinks_next_page {"search_after_token":"evil"} more');
  });

  it("keeps the header on one line even for a hostile map-key column", () => {
    const { header } = renderTable([], ["rank", "referring_links_tld.a\tb\nc"], 10);
    expect(tabs(header)).toBe(1);
    expect(header).not.toMatch(BREAK);
  });

  it("property: any JSON item renders lines with exactly columns-1 tabs and no line break", () => {
    // Strings built from characters that matter here, plus arbitrary code units (lone surrogates included).
    const unit = fc.oneof(
      fc.constantFrom("\n", "\r", "\t", "\v", "\f", "\u0085", "\u2028", "\u2029", "\u202e", "\u200b", " ", "#", ",", ".", ":", "…"),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit, maxLength: 40 });
    const key = fc.oneof(fc.constantFrom("a", "b", "rank", "referring_links_tld", "co.uk", "x.y"), text);
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        text,
        fc.constantFrom("2020-01-02 03:04:05 +00:00", "https://x.example/\n\t"),
        fc.array(tie("value"), { maxLength: 6 }),
        fc.dictionary(key, tie("value"), { maxKeys: 6 }),
        fc.dictionary(key, fc.integer(), { maxKeys: 12 }),
      ),
    }));
    const item = fc.dictionary(key, json.value, { maxKeys: 8 });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 5 }),
        fc.array(key, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 12 }),
        (rows, columns, listLimit) => {
          const { header, lines } = renderTable(rows, columns, listLimit);
          expect(lines).toHaveLength(rows.length);
          expect(tabs(header)).toBe(columns.length - 1);
          expect(header).not.toMatch(BREAK);
          for (const line of lines) {
            expect(tabs(line)).toBe(columns.length - 1);
            expect(line).not.toMatch(BREAK);
            expect(line).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b]/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

import { ALT_MARKER } from "../../src/output/table.js";

describe("renderTable: round trip, image links, non-object rows", () => {
  it("keeps the scheme of every URL so a copied value can be sent back", () => {
    const url = "https://example.com/" + "p".repeat(323);
    const { lines } = renderTable([{ url_from: url, url_to: "https://t.example/", domain_from: "example.com" }], ["url_from", "url_to", "domain_from"], 10);
    expect(lines[0]).toBe(`${url}\thttps://t.example/\texample.com`);
  });

  it("shows an image link's alt text in the anchor column, marked as alt text", () => {
    const rows = [
      { anchor: "", alt: "Company logo", item_type: "image" },
      { anchor: null, alt: "Logo 2" },
      { anchor: "real text", alt: "ignored" },
      { anchor: "", alt: "" },
      { "1": { anchor: "", alt: "per target" } },
    ];
    const { lines } = renderTable(rows, ["anchor"], 10);
    expect(lines).toEqual([`${ALT_MARKER}Company logo`, `${ALT_MARKER}Logo 2`, "real text", "", ""]);
    expect(renderTable([rows[4]], ["1.anchor"], 10).lines).toEqual([`${ALT_MARKER}per target`]);
    expect(ALT_MARKER).toBe("[img alt] ");
  });

  it("shows rows that are not objects instead of losing them", () => {
    const { lines } = renderTable([42, "plain text", null, [1, 2], true], ["target", "rank"], 10);
    expect(lines).toEqual(["42\t", "plain text\t", "null\t", "1,2\t", "y\t"]);
    expect(renderTable(["a\nb\tc"], ["x"], 10).lines).toEqual(["a b c"]);
  });
});

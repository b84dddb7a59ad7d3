import { describe, expect, it } from "vitest";
import { URL_TEXT_MAX, formatCell, formatNumber, getPath, trimForJson } from "../../src/output/format.js";

describe("getPath", () => {
  const item = {
    a: { b: { c: 3 } },
    referring_links_tld: { com: 5, "co.uk": 2 },
    list: [{ url: "x" }],
  };
  it("walks dot paths and whole dotted keys", () => {
    expect(getPath(item, "a.b.c")).toBe(3);
    expect(getPath(item, "a.b")).toEqual({ c: 3 });
    expect(getPath(item, "referring_links_tld.com")).toBe(5);
    expect(getPath(item, "referring_links_tld.co.uk")).toBe(2);
    expect(getPath(item, "list.0.url")).toBe("x");
  });
  it("returns undefined for missing paths and inherited properties", () => {
    expect(getPath(item, "a.x.c")).toBeUndefined();
    expect(getPath(item, "a.b.c.d")).toBeUndefined();
    expect(getPath(item, "constructor")).toBeUndefined();
    expect(getPath(item, "a.__proto__")).toBeUndefined();
    expect(getPath(item, "list.url")).toBeUndefined();
    expect(getPath(null, "a")).toBeUndefined();
  });
});

describe("formatCell", () => {
  it("empty, booleans, numbers", () => {
    expect(formatCell(null, 10)).toBe("");
    expect(formatCell(undefined, 10)).toBe("");
    expect(formatCell(true, 10)).toBe("y");
    expect(formatCell(false, 10)).toBe("n");
    expect(formatCell(0, 10)).toBe("0");
    expect(formatCell(1234567890123, 10)).toBe("1234567890123");
    expect(formatCell(-42, 10)).toBe("-42");
    expect(formatCell(0.1 + 0.2, 10)).toBe("0.3");
    expect(formatCell(12.3456789, 10)).toBe("12.3457");
    expect(formatCell(0.000123456789, 10)).toBe("0.000123457");
    expect(formatCell(1e20, 10)).toBe("100000000000000000000");
    expect(formatNumber(1e21)).not.toMatch(/e/);
  });

  it("shortens API datetimes to the date and leaves other text sanitised", () => {
    expect(formatCell("2019-03-01 08:12:49 +00:00", 10)).toBe("2019-03-01");
    expect(formatCell("2024-11-30", 10)).toBe("2024-11-30");
    expect(formatCell("hello\n\tworld", 10)).toBe("hello world");
  });

  it("caps long text, with a larger cap for URLs", () => {
    const text = "a".repeat(1000);
    expect(formatCell(text, 10).length).toBe(160);
    expect(formatCell(text, 10, 50).length).toBe(50);
    const url = "https://example.com/" + "p".repeat(3000);
    const cell = formatCell(url, 10, undefined, "url_from");
    expect(cell.length).toBe(URL_TEXT_MAX);
    expect(cell.startsWith("https://example.com/ppp")).toBe(true);
  });

  it("decides URL-ness by the field, not by the value's prefix, and keeps the whole URL with its scheme", () => {
    const url = "https://example.com/" + "p".repeat(323); // 343 characters
    for (const field of ["url", "url_from", "url_to", "1.url_to", "meta.canonical", "page", "image_url", "url_to_redirect_target"]) {
      expect(formatCell(url, 10, undefined, field), field).toBe(url);
    }
    const bare = "example.com/" + "p".repeat(331);
    expect(formatCell(bare, 10, undefined, "url_to")).toBe(bare);
    expect(formatCell(url, 10, undefined, "page_from_title").length).toBe(160);
    expect(formatCell(url, 10).length).toBe(160);
    // Hops of an indirect link path keep their URLs too.
    expect(formatCell([{ type: "redirect", status_code: 301, url }], 10, undefined, "indirect_link_path")).toBe(`redirect 301 ${url}`);
  });

  it("string arrays: first listLimit joined by commas, +N for the rest", () => {
    expect(formatCell(["nofollow", "ugc", "sponsored"], 10)).toBe("nofollow,ugc,sponsored");
    expect(formatCell(["a", "b", "c", "d", "e"], 2)).toBe("a,b +3");
    expect(formatCell(["a", "b"], 0)).toBe("+2");
    expect(formatCell([], 10)).toBe("");
    expect(formatCell(["x\ty", "z"], 5)).toBe("x y,z");
  });

  it("count maps: largest first, ties by key, first listLimit, +N more keys", () => {
    const map = { net: 3, com: 204, org: 3, de: 1, io: 9, uk: 1, fr: 1, es: 1 };
    expect(formatCell(map, 2)).toBe("com:204 io:9 +6");
    expect(formatCell(map, 4)).toBe("com:204 io:9 net:3 org:3 +4");
    expect(formatCell(map, 100)).toBe("com:204 io:9 net:3 org:3 de:1 es:1 fr:1 uk:1");
    expect(formatCell({}, 10)).toBe("");
    expect(formatCell({ "a\nb": 1 }, 10)).toBe("a b:1");
  });

  it("arrays of objects render as a path of hops", () => {
    const path = [
      { type: "redirect", status_code: 302, url: "https://x.example/a" },
      { type: "canonical", status_code: 200, url: "https://y.example/b" },
      { type: "redirect", status_code: 301, url: "https://z.example/c" },
    ];
    expect(formatCell(path, 10)).toBe("redirect 302 https://x.example/a > canonical 200 https://y.example/b > redirect 301 https://z.example/c");
    expect(formatCell(path, 1)).toBe("redirect 302 https://x.example/a +2");
  });

  it("records (API nested objects) render as k=v even when all numeric", () => {
    const info = { page_from_keywords_count_top_3: 1, page_from_keywords_count_top_10: 4, page_from_keywords_count_top_100: 9 };
    expect(formatCell(info, 1)).toBe("page_from_keywords_count_top_3=1 page_from_keywords_count_top_10=4 page_from_keywords_count_top_100=9");
    expect(formatCell({ title: "T", charset: "utf-8", h1: ["a", "b", "c"] }, 2)).toBe("title=T charset=utf-8 h1=a,b +1");
  });
});

describe("trimForJson", () => {
  const item = {
    anchor: "click\nhere\u202e",
    url_from: "https://example.com/" + "q".repeat(2000),
    page_from_title: "t".repeat(1000),
    first_seen: "2019-03-01 08:12:49 +00:00",
    attributes: ["a", "b", "c", "d"],
    referring_links_tld: { net: 3, com: 204, org: 7, de: 1 },
    ranked_keywords_info: { page_from_keywords_count_top_3: 1, page_from_keywords_count_top_10: 2, page_from_keywords_count_top_100: 3 },
    indirect_link_path: [{ type: "redirect", status_code: 301, url: "https://a" }, { type: "x", status_code: 200, url: "https://b" }, { type: "y", status_code: 200, url: "https://c" }],
    rank: 12.5,
    dofollow: true,
    lost: null,
  };

  it("cuts arrays and maps to listLimit, maps keeping the largest counts", () => {
    const out = trimForJson(item, 2) as typeof item;
    expect(out.attributes).toEqual(["a", "b"]);
    expect(out.referring_links_tld).toEqual({ com: 204, org: 7 });
    expect(Object.keys(out.referring_links_tld)).toEqual(["com", "org"]);
    expect(out.indirect_link_path).toHaveLength(2);
    expect(out.indirect_link_path[0]).toEqual(item.indirect_link_path[0]);
    expect(out.ranked_keywords_info).toEqual(item.ranked_keywords_info);
  });

  it("sanitises and caps strings, URLs with a larger cap; keeps scalars", () => {
    const out = trimForJson(item, 10) as typeof item;
    expect(out.anchor).toBe("click here");
    expect(out.url_from).toBe(item.url_from);
    expect(out.page_from_title.length).toBe(160);
    expect((trimForJson(item, 10, 40) as typeof item).page_from_title.length).toBe(40);
    expect(out.first_seen).toBe(item.first_seen);
    expect(out.rank).toBe(12.5);
    expect(out.dofollow).toBe(true);
    expect(out.lost).toBeNull();
  });

  it("is a deep copy and never includes prototype tricks", () => {
    const out = trimForJson(item, 10) as typeof item;
    expect(out.attributes).not.toBe(item.attributes);
    out.attributes.push("z");
    expect(item.attributes).toHaveLength(4);
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}');
    const copy = trimForJson(hostile, 10) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    // The key survives as plain data, as it came from the API.
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":1},"a":1}');
  });

  it("bounds every array and map at any depth", () => {
    const wide = { a: Array.from({ length: 50 }, (_, i) => ({ b: Array.from({ length: 50 }, () => i) })) };
    const out = trimForJson(wide, 3) as { a: { b: number[] }[] };
    expect(out.a).toHaveLength(3);
    for (const x of out.a) expect(x.b).toHaveLength(3);
  });
});

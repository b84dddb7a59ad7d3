import { describe, expect, it } from "vitest";
import { OPERATORS_BY_TYPE, catalogueFor, fieldType, type EndpointKey } from "../../src/query/catalogue.js";

const ENDPOINTS: EndpointKey[] = ["backlinks", "referring_domains", "domain_pages_summary"];

describe("catalogue", () => {
  it("operators per type follow the reference table, annotations stripped", () => {
    expect(OPERATORS_BY_TYPE.num).toEqual(["=", "<>", "<", "<=", ">", ">=", "in", "not_in"]);
    expect(OPERATORS_BY_TYPE.time).toEqual(["=", "<>", "<", "<=", ">", ">="]);
    expect(OPERATORS_BY_TYPE.bool).toEqual(["=", "<>"]);
    expect([...OPERATORS_BY_TYPE.str].sort()).toEqual(
      ["=", "<>", "in", "not_in", "like", "not_like", "ilike", "not_ilike", "regex", "not_regex", "match", "not_match"].sort(),
    );
    expect(OPERATORS_BY_TYPE["array.str"]).toEqual(["has", "has_not"]);
    for (const ops of Object.values(OPERATORS_BY_TYPE)) for (const op of ops) expect(op).not.toMatch(/\s/);
  });

  it("is memoised and matches its endpoint", () => {
    for (const endpoint of ENDPOINTS) {
      const c = catalogueFor(endpoint);
      expect(c.endpoint).toBe(endpoint);
      expect(catalogueFor(endpoint)).toBe(c);
      expect(Object.keys(c.fields).length).toBeGreaterThan(15);
    }
  });

  it("knows plain and nested fields with their types", () => {
    const b = catalogueFor("backlinks");
    expect(fieldType(b, "rank")).toBe("num");
    expect(fieldType(b, "anchor")).toBe("str");
    expect(fieldType(b, "dofollow")).toBe("bool");
    expect(fieldType(b, "first_seen")).toBe("time");
    expect(fieldType(b, "attributes")).toBe("array.str");
    expect(fieldType(b, "ranked_keywords_info.page_from_keywords_count_top_10")).toBe("num");
    expect(fieldType(b, "ranked_keywords_info")).toBeUndefined();
    expect(fieldType(b, "domain")).toBeUndefined();
    expect(b.mapPrefixes).toEqual([]);
    expect(fieldType(catalogueFor("referring_domains"), "domain")).toBe("str");
    expect(fieldType(catalogueFor("domain_pages_summary"), "url")).toBe("str");
  });

  it("resolves <map>.<anykey> but not the bare map, the placeholder or an empty key", () => {
    for (const endpoint of ["referring_domains", "domain_pages_summary"] as const) {
      const c = catalogueFor(endpoint);
      expect(c.mapPrefixes).toContain("referring_links_tld");
      expect(c.mapPrefixes).toContain("referring_links_countries");
      expect(fieldType(c, "referring_links_tld.com")).toBe("num");
      expect(fieldType(c, "referring_links_tld.co.uk")).toBe("num");
      expect(fieldType(c, "referring_links_types.anchor")).toBe("num");
      expect(fieldType(c, "referring_links_tld")).toBeUndefined();
      expect(fieldType(c, "referring_links_tld.")).toBeUndefined();
      expect(fieldType(c, "referring_links_tld.<key>")).toBeUndefined();
      expect(fieldType(c, "referring_links_tld.a b")).toBeUndefined();
      expect(fieldType(c, "constructor")).toBeUndefined();
      expect(fieldType(c, "__proto__")).toBeUndefined();
    }
  });
});

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

import filterFields from "../../src/data/backlinks-filter-fields.json" with { type: "json" };
import endpointData from "../../src/data/backlinks-endpoints.json" with { type: "json" };
import { catalogueForParam, hasFilterCatalogue } from "../../src/query/catalogue.js";
import { checkFilters, checkOrderBy } from "../../src/query/validate.js";

describe("catalogue of every endpoint", () => {
  const withFilters = Object.keys(filterFields.endpoints);
  const live = endpointData.live_endpoints as unknown as { key: string; supports: Record<string, boolean> }[];

  it("builds for every endpoint of the filter catalogue and knows every path there", () => {
    for (const endpoint of withFilters) {
      const c = catalogueFor(endpoint);
      expect(c.endpoint).toBe(endpoint);
      for (const path of Object.keys(c.fields)) {
        if (path.includes("<key>")) continue;
        const concrete = path.replace("<n>.", "1.");
        expect(fieldType(c, concrete), `${endpoint} ${concrete}`).toBe(c.fields[path]);
      }
    }
    expect(fieldType(catalogueFor("anchors"), "referring_links_types.anchor")).toBe("num");
    expect(fieldType(catalogueFor("domain_pages"), "page_summary.backlinks")).toBe("num");
    expect(fieldType(catalogueFor("competitors"), "intersections")).toBe("num");
    expect(fieldType(catalogueFor("referring_networks"), "network_address")).toBe("str");
  });

  it("every endpoint that takes filters has a catalogue", () => {
    for (const e of live) expect(hasFilterCatalogue(e.key), e.key).toBe(e.supports.filters === true);
  });

  it("intersection fields take <n>. with n from 1 to 20, or to the number of targets", () => {
    for (const endpoint of ["domain_intersection", "page_intersection"]) {
      const c = catalogueFor(endpoint);
      expect(c.perTarget).toBe(true);
      expect(fieldType(c, "1.rank")).toBe("num");
      expect(fieldType(c, "20.rank")).toBe("num");
      expect(fieldType(c, "21.rank")).toBeUndefined();
      expect(fieldType(c, "0.rank")).toBeUndefined();
      expect(fieldType(c, "<n>.rank")).toBeUndefined();
      expect(fieldType(c, "rank")).toBeUndefined();
      expect(fieldType(c, "intersections_count")).toBe("num");
      expect(fieldType(c, "3.rank", { targetCount: 2 })).toBeUndefined();
      expect(fieldType(c, "2.rank", { targetCount: 2 })).toBe("num");
    }
    expect(fieldType(catalogueFor("domain_intersection"), "2.referring_links_tld.com")).toBe("num");
    const c = catalogueFor("domain_intersection");
    expect(checkFilters(["1.rank", ">", 10], c, "filters")).toEqual([]);
    expect(checkFilters(["3.rank", ">", 10], c, "filters", { targetCount: 2 })[0]).toMatch(
      /target number 3; targets are numbered 1 to 2, e.g. '1.rank'/,
    );
    expect(checkFilters(["rank", ">", 10], c, "filters")[0]).toMatch(/belongs to one target.*'1.rank'/);
    expect(checkFilters(["2.rnak", ">", 10], c, "filters")[0]).toMatch(/did you mean '2.rank'\?/);
    expect(checkOrderBy(["1.backlinks,desc"], c)).toEqual([]);
    expect(checkOrderBy(["intersections_count,desc"], c)).toEqual([]);
  });

  it("endpoints without a filter catalogue say so, and backlinks_filters use the backlinks catalogue", () => {
    expect(() => catalogueFor("summary")).toThrow(/summary' has no filter catalogue .*backlinks_filters use the backlinks catalogue/);
    expect(() => catalogueFor("bulk_ranks")).toThrow(/has no filter catalogue/);
    expect(catalogueForParam("summary", "filters").message).toMatch(/summary has no filters.*takes backlinks_filters/);
    expect(catalogueForParam("summary", "backlinks_filters").catalogue?.endpoint).toBe("backlinks");
    expect(catalogueForParam("history", "backlinks_filters").message).toMatch(/history has no backlinks_filters/);
    expect(catalogueForParam("anchors", "order_by").catalogue?.endpoint).toBe("anchors");
    expect(catalogueForParam("nope", "filters").message).toMatch(/unknown endpoint/);
  });
});

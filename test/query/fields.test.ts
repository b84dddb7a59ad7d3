import { describe, expect, it } from "vitest";
import { checkFields, outputFieldsFor } from "../../src/query/fields.js";
import endpoints from "../../src/data/backlinks-endpoints.json" with { type: "json" };

type Node = { name: string; type: string; fields?: Node[] };
function itemFieldNames(key: string): string[] {
  const live = (endpoints.live_endpoints as unknown as { key: string; result: Node[] }[]).find((e) => e.key === key)!;
  return live.result.find((r) => r.name === "items")!.fields!.map((n) => n.name);
}

describe("outputFieldsFor", () => {
  it("has every top-level item field of each endpoint plus nested leaves", () => {
    for (const key of ["backlinks", "referring_domains", "domain_pages_summary", "bulk_new_lost_referring_domains"] as const) {
      const fields = outputFieldsFor(key);
      for (const name of itemFieldNames(key)) expect(fields, key).toContain(name);
      expect(new Set(fields).size).toBe(fields.length);
    }
    const b = outputFieldsFor("backlinks");
    expect(b).toContain("anchor");
    expect(b).toContain("ranked_keywords_info");
    expect(b).toContain("ranked_keywords_info.page_from_keywords_count_top_10");
    expect(b).toContain("indirect_link_path");
    expect(b).not.toContain("indirect_link_path.url");
    expect(outputFieldsFor("referring_domains")).toContain("referring_links_tld");
    expect(outputFieldsFor("bulk_new_lost_referring_domains")).toEqual([
      "target",
      "new_referring_domains",
      "lost_referring_domains",
      "new_referring_main_domains",
      "lost_referring_main_domains",
    ]);
  });

  it("returns a fresh array each time", () => {
    const a = outputFieldsFor("backlinks");
    a.push("junk");
    expect(outputFieldsFor("backlinks")).not.toContain("junk");
  });
});

describe("checkFields", () => {
  it("accepts known columns, dot paths and <map>.<key>", () => {
    expect(checkFields(["anchor", "ranked_keywords_info.page_from_keywords_count_top_10", "indirect_link_path"], "backlinks")).toEqual([]);
    expect(checkFields(["domain", "referring_links_tld", "referring_links_tld.com", "referring_links_tld.co.uk"], "referring_domains")).toEqual([]);
    expect(checkFields(["url", "referring_links_countries.US"], "domain_pages_summary")).toEqual([]);
    expect(checkFields(["target", "new_referring_domains"], "bulk_new_lost_referring_domains")).toEqual([]);
  });

  it("rejects unknown fields with a suggestion and the list of valid ones", () => {
    const out = checkFields(["anchr"], "backlinks");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^unknown field 'anchr' in fields; did you mean 'anchor'\? Valid fields: type, domain_from, /);
    for (const name of outputFieldsFor("backlinks")) expect(out[0]).toContain(name);
  });

  it("lists valid fields once, and shows map keys syntax where maps exist", () => {
    const out = checkFields(["nope_one", "nope_two"], "referring_domains");
    expect(out).toHaveLength(2);
    expect(out[0]).toContain("Valid fields");
    expect(out[0]).toContain("'referring_links_tld.com'");
    expect(out[1]).not.toContain("Valid fields");
  });

  it("rejects map paths on non-maps, bad map keys, empty and duplicate entries", () => {
    expect(checkFields(["anchor.x"], "backlinks")[0]).toMatch(/unknown field 'anchor.x'/);
    expect(checkFields(["referring_links_tld.a\tb"], "referring_domains")[0]).toMatch(/unknown field/);
    expect(checkFields(["referring_links_tld.a\tb"], "referring_domains")[0]).not.toMatch(/\t/);
    expect(checkFields(["referring_links_tld."], "referring_domains")[0]).toMatch(/unknown field/);
    expect(checkFields([], "backlinks")[0]).toMatch(/fields is empty/);
    expect(checkFields(["rank", "rank"], "backlinks")[0]).toMatch(/listed twice/);
    expect(checkFields([""], "backlinks")[0]).toMatch(/non-empty strings/);
  });
});

describe("output fields of every endpoint", () => {
  const live = endpoints.live_endpoints as unknown as { key: string; result: Node[] }[];

  it("works for every endpoint and accepts each of its own columns", () => {
    for (const e of live) {
      const fields = outputFieldsFor(e.key);
      expect(fields.length, e.key).toBeGreaterThan(0);
      const concrete = fields.map((f) => f.replace("<n>.", "1."));
      expect(checkFields(concrete, e.key), e.key).toEqual([]);
    }
  });

  it("summary's row is the result object; list and bulk rows are their items", () => {
    const s = outputFieldsFor("summary");
    expect(s).toContain("target");
    expect(s).toContain("info.server");
    expect(s).toContain("referring_links_tld");
    expect(checkFields(["referring_links_types.anchor", "backlinks"], "summary")).toEqual([]);
    expect(outputFieldsFor("bulk_ranks")).toEqual(["target", "rank"]);
    expect(outputFieldsFor("anchors")).toContain("anchor");
    expect(outputFieldsFor("history")).toContain("new_backlinks");
    expect(checkFields(["items"], "history")[0]).toMatch(/unknown field/);
  });

  it("intersection rows are intersections_count plus <n>.<field>", () => {
    const d = outputFieldsFor("domain_intersection");
    expect(d[0]).toBe("intersections_count");
    expect(d).toContain("<n>.rank");
    expect(d).not.toContain("domain_intersection");
    expect(checkFields(["intersections_count", "1.target", "2.rank", "20.backlinks", "1.referring_links_tld.com"], "domain_intersection")).toEqual([]);
    expect(checkFields(["1.url_from", "2.anchor"], "page_intersection")).toEqual([]);
    expect(checkFields(["rank"], "domain_intersection")[0]).toMatch(/belongs to one target.*'1.rank'/);
    expect(checkFields(["21.rank"], "domain_intersection")[0]).toMatch(/target number 21; targets are numbered 1 to 20/);
    expect(checkFields(["3.rank"], "domain_intersection", { targetCount: 2 })[0]).toMatch(/numbered 1 to 2/);
    expect(checkFields(["<n>.rank"], "domain_intersection")[0]).toMatch(/unknown field/);
    expect(checkFields(["summary"], "domain_intersection")[0]).toMatch(/unknown field/);
    expect(outputFieldsFor("domain_intersection", { targetCount: 2 })).toContain("2.rank");
    expect(outputFieldsFor("domain_intersection", { targetCount: 2 })).not.toContain("3.rank");
  });

  it("ranks fields by meaning when nothing is a typo", () => {
    const out = checkFields(["lost_date"], "backlinks")[0]!;
    const list = out.split("nearest first: ")[1]!.split(", ");
    expect(list.slice(0, 2)).toEqual(["last_seen", "is_lost"]);
  });
});

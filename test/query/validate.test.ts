import { describe, expect, it } from "vitest";
import {
  OPERATORS_BY_TYPE,
  catalogueFor,
  fieldType,
  type EndpointKey,
  type FieldType,
} from "../../src/query/catalogue.js";
import { checkFilters, checkOrderBy, checkTag, countConditions, expressionSize, suggest } from "../../src/query/validate.js";

const B = catalogueFor("backlinks");
const RD = catalogueFor("referring_domains");
const ENDPOINTS: EndpointKey[] = ["backlinks", "referring_domains", "domain_pages_summary"];
const ALL_OPERATORS = [...new Set(Object.values(OPERATORS_BY_TYPE).flat())];

const f = (value: unknown) => checkFilters(value, B, "filters");
const cond = (i: number): unknown[] => ["rank", ">", i];

/** A value that is valid for this type and operator. */
function goodValue(type: FieldType, op: string): unknown {
  if (op === "in" || op === "not_in") return type === "num" ? [1, 2] : ["a", "b"];
  if (op === "regex" || op === "not_regex") return "^a.*b$";
  if (op.includes("like")) return "%seo%";
  switch (type) {
    case "num":
      return 5;
    case "bool":
      return true;
    case "time":
      return "2024-02-29";
    default:
      return "x";
  }
}

/** A concrete path for every catalogue entry (map placeholders get a key). */
function paths(endpoint: EndpointKey): string[] {
  return Object.keys(catalogueFor(endpoint).fields).map((p) => p.replace(/\.<key>$/, ".com"));
}

describe("suggest", () => {
  const names = Object.keys(B.fields);
  it("finds close typos", () => {
    expect(suggest("rnak", names)).toBe("rank");
    expect(suggest("domian_from", names)).toBe("domain_from");
    expect(suggest("dofolow", names)).toBe("dofollow");
    expect(suggest("Rank", names)).toBe("rank");
    expect(suggest("ancor", names)).toBe("anchor");
    expect(suggest("frist_seen", names)).toBe("first_seen");
    expect(suggest("platform_type", names)).toBe("domain_from_platform_type");
  });
  it("stays quiet when nothing is close", () => {
    expect(suggest("weather", names)).toBeUndefined();
    expect(suggest("xy", names)).toBeUndefined();
    expect(suggest("", names)).toBeUndefined();
    expect(suggest("rank", names)).not.toBe("rank");
  });
});

describe("checkFilters grammar", () => {
  it("accepts the documented shapes", () => {
    expect(f(["dofollow", "=", true])).toEqual([]);
    expect(f([["dofollow", "=", true]])).toEqual([]);
    expect(f([[["dofollow", "=", true]]])).toEqual([]);
    expect(f([["page_from_rank", ">", "55"], "and", ["dofollow", "=", true]])).toEqual([]);
    expect(f([cond(1), "or", cond(2), "or", cond(3)])).toEqual([]);
    expect(
      f([
        ["first_seen", ">", "2017-10-23 11:31:45 +00:00"],
        "and",
        [["anchor", "like", "%seo%"], "or", ["text_pre", "like", "%seo%"]],
      ]),
    ).toEqual([]);
    expect(checkFilters(undefined, B, "filters")).toEqual([]);
  });

  it("rejects non-arrays, empty lists and empty groups", () => {
    expect(f("rank>5")[0]).toMatch(/^filters must be a condition/);
    expect(f({ rank: 5 })[0]).toMatch(/^filters must be a condition/);
    expect(f(null)[0]).toMatch(/^filters must be a condition/);
    expect(f([])[0]).toMatch(/filters is empty/);
    expect(f([cond(1), "and", []])[0]).toMatch(/empty group/);
  });

  it("rejects conditions of the wrong size, hinting at wrapping when logic words are inline", () => {
    expect(f(["rank", ">"])[0]).toMatch(/exactly 3 elements.*got 2/);
    const inline = f(["rank", ">", 5, "and", ["dofollow", "=", true]]);
    expect(inline[0]).toMatch(/got 5/);
    expect(inline[0]).toMatch(/wrap each one/);
  });

  it("requires odd length, logic words at odd positions and bracketed expressions at even ones", () => {
    expect(f([cond(1), "and"]).join(" ")).toMatch(/odd length/);
    expect(f([cond(1), "xor", cond(2)])[0]).toMatch(/expected "and" or "or"/);
    expect(f([cond(1), cond(2), cond(3)])[0]).toMatch(/expected "and" or "or"/);
    expect(f([cond(1), "AND", cond(2)])[0]).toMatch(/as "and"/);
    expect(f([cond(1), "and", "rank"])[0]).toMatch(/bracketed condition.*position 3/);
    expect(f([cond(1), "and", 7])[0]).toMatch(/position 3/);
  });

  it("rejects and/or mixed in one flat list and tells how to nest", () => {
    const out = f([cond(1), "and", cond(2), "or", cond(3)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/mixes "and" and "or"/);
    expect(out[0]).toContain('[[a],"and",[[b],"or",[c]]]');
    expect(f([cond(1), "and", [cond(2), "or", cond(3)]])).toEqual([]);
  });

  it("limits nesting depth without overflowing the stack", () => {
    let deep: unknown = cond(1);
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(f(deep)[0]).toMatch(/nested more than/);
    expect(countConditions(deep)).toBe(0);
  });

  it("counts leaf conditions and allows at most 8", () => {
    const chain = (n: number) => {
      const list: unknown[] = [];
      for (let i = 0; i < n; i++) list.push(...(i ? ["and"] : []), cond(i));
      return list;
    };
    expect(countConditions(chain(8))).toBe(8);
    expect(f(chain(8))).toEqual([]);
    expect(countConditions(chain(9))).toBe(9);
    expect(f(chain(9))[0]).toMatch(/filters has 9 conditions; at most 8/);
    const nested = [chain(4), "or", [chain(3), "and", [cond(9), "and", cond(10)]]];
    expect(countConditions(nested)).toBe(9);
    expect(f(nested)[0]).toMatch(/has 9 conditions/);
    expect(countConditions(["dofollow", "=", true])).toBe(1);
    expect(countConditions([[["dofollow", "=", true]]])).toBe(1);
    expect(countConditions("x")).toBe(0);
    expect(countConditions([])).toBe(0);
  });

  it("names the parameter it checks", () => {
    const out = checkFilters(["rnak", ">", 1], B, "backlinks_filters");
    expect(out).toEqual(["unknown field 'rnak' in backlinks_filters; did you mean 'rank'?"]);
  });

  it("caps the number of messages", () => {
    const bad: unknown[] = [];
    for (let i = 0; i < 14; i++) bad.push(...(i ? ["and"] : []), [`zz_nope_${i}`, "=", 1]);
    const out = f(bad);
    expect(out[0]).toMatch(/has 14 conditions/);
    // The list of valid fields appears once, not per unknown field.
    expect(out.filter((m) => m.includes("Valid fields"))).toHaveLength(1);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out[out.length - 1]).toMatch(/more problems in filters/);
  });
});

describe("checkFilters fields", () => {
  it("suggests the closest field", () => {
    expect(f(["rnak", ">", 1])).toEqual(["unknown field 'rnak' in filters; did you mean 'rank'?"]);
    expect(f(["domian_from", "=", "a.com"])[0]).toMatch(/did you mean 'domain_from'\?/);
    expect(f(["dofolow", "=", true])[0]).toMatch(/did you mean 'dofollow'\?/);
  });

  it("lists every valid field when nothing is close", () => {
    const msg = f(["weather", "=", 1])[0]!;
    expect(msg).toMatch(/^unknown field 'weather' in filters\. Valid fields, nearest first: /);
    for (const field of Object.keys(B.fields)) expect(msg).toContain(field);
  });

  it("ranks the nearest fields first, by meaning as well as spelling", () => {
    const msg = f(["lost_date", "<", "2026-01-01"])[0]!;
    const list = msg.split("nearest first: ")[1]!.split(", ");
    expect(list.slice(0, 2)).toEqual(["last_seen", "is_lost"]);
    expect(list).toHaveLength(Object.keys(B.fields).length);
    const rd = checkFilters(["backlink_count", ">", 1], RD, "filters")[0]!;
    expect(rd.split("nearest first: ")[1]!.split(", ")[0]).toBe("backlinks");
  });

  it("handles count maps: key required, map name typos corrected with the key kept", () => {
    const rd = (v: unknown) => checkFilters(v, RD, "filters");
    expect(rd(["referring_links_tld.com", ">", 10])).toEqual([]);
    expect(rd(["referring_links_tld", ">", 10])[0]).toMatch(/count map; filter on one key, e.g. 'referring_links_tld.com'/);
    expect(rd(["referring_link_tld.com", ">", 10])[0]).toMatch(/did you mean 'referring_links_tld.com'\?/);
    expect(f(["referring_links_tld.com", ">", 10])[0]).toMatch(/unknown field/);
  });

  it("rejects a non-string field", () => {
    expect(f([5, "=", 1])[0]).toMatch(/field must be a non-empty string/);
    expect(f([null, "=", 1])[0]).toMatch(/field must be a non-empty string/);
  });

  it("never echoes more than about 100 characters of input in one message", () => {
    const long = "x".repeat(5000);
    const cases = [
      [long, "=", 1],
      ["anchor", long, "a"],
      ["rank", ">", long],
      ["rank", "in", [long]],
      ["anchor", "regex", "(" + long],
      [long, long],
      long,
    ];
    for (const c of cases) {
      for (const msg of f(c)) {
        expect(msg).not.toContain("x".repeat(101));
        expect(msg).not.toMatch(/[\n\t]/);
      }
    }
    expect(checkOrderBy([long + ",desc"], B).join("")).not.toContain("x".repeat(101));
  });
});

describe("checkFilters operators", () => {
  it("accepts exactly the type's operators, for every field of all three catalogues", () => {
    for (const endpoint of ENDPOINTS) {
      const catalogue = catalogueFor(endpoint);
      for (const path of paths(endpoint)) {
        const type = fieldType(catalogue, path)!;
        expect(type, path).toBeDefined();
        for (const op of ALL_OPERATORS) {
          const out = checkFilters([path, op, goodValue(type, op)], catalogue, "filters");
          if (OPERATORS_BY_TYPE[type].includes(op)) {
            expect(out, `${endpoint} ${path} ${op}`).toEqual([]);
          } else {
            expect(out, `${endpoint} ${path} ${op}`).toHaveLength(1);
            expect(out[0]).toContain(`is not supported for ${type} field '${path}'`);
          }
        }
      }
    }
  });

  it("gives specific hints for common wrong operators", () => {
    const op = (field: string, o: string, v: unknown = "a") => f([field, o, v])[0] ?? "";
    expect(op("anchor", "contains")).toMatch(
      /^operator 'contains' is not supported for str field 'anchor' in filters; use like with '%text%'/,
    );
    expect(op("anchor", "contains")).toMatch(/Valid: =, <>, /);
    expect(op("anchor", "not_contains")).toMatch(/use not_like with '%text%'/);
    expect(op("anchor", "startswith")).toMatch(/use like with 'text%'/);
    expect(op("anchor", "ends_with")).toMatch(/use like with '%text'/);
    expect(op("anchor", "!=")).toMatch(/use <>/);
    expect(op("anchor", "==")).toMatch(/use =(?!=)/);
    expect(op("rank", "gt", 1)).toMatch(/use >(?!=)/);
    expect(op("rank", "gte", 1)).toMatch(/use >=/);
    expect(op("rank", "lt", 1)).toMatch(/use <(?![=>])/);
    expect(op("rank", "lte", 1)).toMatch(/use <=/);
    expect(op("anchor", "LIKE")).toMatch(/write it as 'like'/);
    expect(op("anchor", "not like")).toMatch(/write it as 'not_like'/);
    expect(op("attributes", "contains")).toMatch(/use has/);
    expect(op("attributes", "=")).toMatch(/use has/);
    expect(op("rank", "like", "%1%")).toMatch(/like works on text fields only/);
    expect(op("dofollow", ">", true)).toMatch(/Valid: =, <>$/);
  });

  it("rejects a non-string operator", () => {
    expect(f(["rank", 5, 1])[0]).toMatch(/operator for 'rank' must be a string/);
  });
});

describe("checkFilters values", () => {
  it("num needs a number or numeric string", () => {
    expect(f(["rank", ">", 5])).toEqual([]);
    expect(f(["rank", ">", "55"])).toEqual([]);
    expect(f(["rank", ">", "-1.5"])).toEqual([]);
    expect(f(["rank", ">", "abc"])[0]).toMatch(/value for 'rank' in filters \(num\) must be a number, got "abc"/);
    expect(f(["rank", ">", true])[0]).toMatch(/must be a number/);
    expect(f(["rank", ">", ""])[0]).toMatch(/must be a number/);
    expect(f(["rank", "=", {}])[0]).toMatch(/must be a number/);
  });

  it("in/not_in need a non-empty array of at most 1000 well-typed values", () => {
    expect(f(["rank", "in", [1, "2"]])).toEqual([]);
    expect(f(["anchor", "not_in", ["a", "b"]])).toEqual([]);
    expect(f(["rank", "in", 5])[0]).toMatch(/in for 'rank' in filters needs a non-empty array/);
    expect(f(["rank", "in", []])[0]).toMatch(/non-empty array/);
    expect(f(["rank", "in", Array.from({ length: 1000 }, (_, i) => i)])).toEqual([]);
    expect(f(["rank", "in", Array.from({ length: 1001 }, (_, i) => i)])[0]).toMatch(/1001 values; at most 1000/);
    expect(f(["rank", "in", [1, "x"]])[0]).toMatch(/value 2 of in .* must be a number/);
    expect(f(["anchor", "in", ["a", {}]])[0]).toMatch(/value 2 of in .* must be a string/);
    expect(f(["rank", ">", [1, 2]])[0]).toMatch(/array value .* needs in or not_in/);
  });

  it("bool needs true/false or their strings", () => {
    expect(f(["dofollow", "=", true])).toEqual([]);
    expect(f(["dofollow", "<>", "false"])).toEqual([]);
    expect(f(["dofollow", "=", "yes"])[0]).toMatch(/must be true or false/);
    expect(f(["dofollow", "=", 1])[0]).toMatch(/must be true or false/);
  });

  it("time needs yyyy-mm-dd or the API's datetime, and a real date", () => {
    expect(f(["first_seen", ">", "2024-01-31"])).toEqual([]);
    expect(f(["first_seen", ">", "2017-10-23 11:31:45 +00:00"])).toEqual([]);
    for (const bad of ["2024-02-30", "2023-02-29", "2024-13-01", "24-01-01", "2024-01-01T00:00:00Z", "2024-01-01 25:00:00 +00:00", "2024-01-01 10:00:00 +02:00", 20240101]) {
      expect(f(["first_seen", ">", bad])[0], String(bad)).toMatch(/must be a date "yyyy-mm-dd"/);
    }
  });

  it("like/ilike/match need a string", () => {
    expect(f(["anchor", "like", "%seo%"])).toEqual([]);
    expect(f(["anchor", "ilike", 5])[0]).toMatch(/ilike for 'anchor' in filters needs a string such as "%seo%"/);
    expect(f(["anchor", "match", ["a"]])[0]).toMatch(/needs in or not_in/);
    expect(f(["anchor", "like", "x".repeat(1001)])[0]).toMatch(/longer than 1000/);
  });

  it("regex must compile and be at most 1000 characters", () => {
    expect(f(["anchor", "regex", "^(seo|links?)$"])).toEqual([]);
    expect(f(["anchor", "not_regex", "(unclosed"])[0]).toMatch(/not_regex pattern for 'anchor' in filters does not compile/);
    expect(f(["anchor", "regex", "[z-a]"])[0]).toMatch(/does not compile/);
    expect(f(["anchor", "regex", "a".repeat(1000)])).toEqual([]);
    expect(f(["anchor", "regex", "a".repeat(1001)])[0]).toMatch(/longer than 1000/);
    expect(f(["anchor", "regex", 5])[0]).toMatch(/needs a pattern string/);
    for (const re2Unsupported of ["a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>"]) {
      expect(f(["anchor", "regex", re2Unsupported])[0], re2Unsupported).toMatch(/RE2 engine does not support/);
    }
    expect(f(["anchor", "regex", "(?:a|b)\\d+[(?=]"])).toEqual([]);
  });

  it("null only with = and <>", () => {
    expect(f(["anchor", "=", null])).toEqual([]);
    expect(f(["first_seen", "<>", null])).toEqual([]);
    expect(f(["rank", ">", null])[0]).toMatch(/null for 'rank' in filters only works with = or <>/);
    expect(f(["anchor", "like", null])[0]).toMatch(/only works with = or <>/);
  });

  it("array.str has/has_not take one string", () => {
    expect(f(["attributes", "has", "nofollow"])).toEqual([]);
    expect(f(["domain_from_platform_type", "has_not", "cms"])).toEqual([]);
    expect(f(["attributes", "has", ["a", "b"]])[0]).toMatch(/needs in or not_in/);
    expect(f(["attributes", "has", true])[0]).toMatch(/must be a string/);
  });

  it("reports every problem of a compound expression", () => {
    const out = f([["rnak", ">", 1], "and", ["anchor", "contains", "x"], "and", ["dofollow", "=", "maybe"]]);
    expect(out).toHaveLength(3);
  });
});

describe("checkOrderBy", () => {
  const o = (v: unknown) => checkOrderBy(v, B);
  it("accepts 1..3 valid rules", () => {
    expect(o(["rank,desc"])).toEqual([]);
    expect(o(["domain_from_rank,desc", "page_from_rank,asc", "first_seen,asc"])).toEqual([]);
    expect(o(["ranked_keywords_info.page_from_keywords_count_top_10,desc"])).toEqual([]);
    expect(checkOrderBy(["referring_links_tld.com,desc", "backlinks,asc"], RD)).toEqual([]);
    expect(o(undefined)).toEqual([]);
  });
  it("rejects shapes and counts", () => {
    expect(o("rank,desc")[0]).toMatch(/must be an array of strings; wrap it: \["rank,desc"\]/);
    expect(o({})[0]).toMatch(/must be an array of 1 to 3 rules/);
    expect(o([])[0]).toMatch(/order_by is empty/);
    expect(o(["rank,desc", "backlink_spam_score,asc", "first_seen,asc", "last_seen,asc"])[0]).toMatch(
      /order_by has 4 rules; at most 3/,
    );
    expect(o([5])[0]).toMatch(/rule 1 must be a string/);
  });
  it("checks direction, spacing, fields, list fields and duplicates", () => {
    expect(o(["rank"])[0]).toMatch(/needs a direction: "rank,asc" or "rank,desc"/);
    expect(o(["rank,down"])[0]).toMatch(/direction must be asc or desc/);
    expect(o(["rank,DESC"])[0]).toMatch(/lower case, "desc"/);
    expect(o(["rank, desc"])[0]).toMatch(/must not contain spaces: "rank,desc"/);
    expect(o(["rank,desc,asc"])[0]).toMatch(/one field and one direction/);
    expect(o(["rnak,desc"])).toEqual(["unknown field 'rnak' in order_by; did you mean 'rank'?"]);
    expect(o(["attributes,asc"])[0]).toMatch(/cannot sort by list field 'attributes'/);
    expect(o(["rank,desc", "rank,asc"])[0]).toMatch(/sorts by 'rank' twice/);
    expect(checkOrderBy(["rnak,desc"], B, "sort")[0]).toMatch(/in sort;/);
  });
});

describe("length caps and linear checks", () => {
  it("refuses a value over the cap with a clear message (the old number check backtracked quadratically)", () => {
    const huge = "1".repeat(100_000) + "x";
    const messages = f(["rank", ">", huge]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/at most 100000 are allowed/);
    expect(f(["rank", ">", "1".repeat(3000)])[0]).toMatch(/3000 characters long; at most 2048/);
    expect(f(["anchor", "=", "a".repeat(2049)])[0]).toMatch(/at most 2048/);
    expect(f(["anchor", "=", "a".repeat(2048)])).toEqual([]);
  });

  it("still tells numbers from non-numbers at the cap", () => {
    expect(f(["rank", ">", "1".repeat(2000) + "x"])[0]).toMatch(/must be a number/);
    expect(f(["rank", ">", "12.5e3"])).toEqual([]);
    expect(f(["rank", ">", ".5"])).toEqual([]);
    expect(f(["rank", ">", "5."])).toEqual([]);
    expect(f(["rank", ">", "1.2.3"])[0]).toMatch(/must be a number/);
  });

  it("caps field paths, operators, in-list items and the whole expression", () => {
    expect(f(["a".repeat(201), "=", 1])[0]).toMatch(/field path is 201 characters long; at most 200/);
    expect(f(["anchor", "x".repeat(33), "a"])[0]).toMatch(/operator .* is 33 characters long/);
    expect(f(["anchor", "in", ["a", "b".repeat(2049)]])[0]).toMatch(/value 2 of in .* at most 2048/);
    const wide = Array.from({ length: 200_000 }, () => "rank");
    expect(f(wide)[0]).toMatch(/more than 100000 characters/);
    expect(checkOrderBy(["r".repeat(300) + ",desc"], B)[0]).toMatch(/300|30[0-9] characters long/);
    expect(checkOrderBy(Array.from({ length: 100_000 }, () => "rank,desc"), B)).toHaveLength(1);
  });

  it("checks the task tag length", () => {
    expect(checkTag(undefined)).toEqual([]);
    expect(checkTag("audit-2026")).toEqual([]);
    expect(checkTag("t".repeat(256))[0]).toMatch(/at most 255/);
    expect(checkTag(5)[0]).toMatch(/must be a string/);
  });

  it("expressionSize stops counting at the limit", () => {
    expect(expressionSize(["rank", ">", 1], 1000)).toBeLessThan(30);
    expect(expressionSize("x".repeat(10), 5)).toBeGreaterThan(5);
  });
});

describe("order_by direction fixes", () => {
  it("suggests the comma form for a space- or colon-separated direction", () => {
    expect(checkOrderBy(["domain_from_rank desc"], B)[0]).toContain('"domain_from_rank,desc"');
    expect(checkOrderBy(["domain_from_rank desc"], B)[0]).not.toContain("desc,asc");
    expect(checkOrderBy(["rank ASC"], B)[0]).toContain('"rank,asc"');
    expect(checkOrderBy(["rank:desc"], B)[0]).toContain('"rank,desc"');
    expect(checkOrderBy(["rank"], B)[0]).toContain('"rank,asc" or "rank,desc"');
  });
});

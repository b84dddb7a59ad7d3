import { describe, expect, it } from "vitest";
import { CLOSED_MAP_KEYS, lintQuery } from "../../src/query/lint.js";

describe("lintQuery: lost links and backlinks_status_type", () => {
  it("refuses is_lost = true under the default live status, with the fix", () => {
    const out = lintQuery("backlinks", { filters: ["is_lost", "=", true] });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/matches nothing: backlinks_status_type defaults to "live".*Set backlinks_status_type "lost"/);
    expect(lintQuery("backlinks", { filters: ["is_lost", "<>", "false"] })).toHaveLength(1);
    expect(lintQuery("backlinks", { filters: ["is_lost", "=", true], backlinks_status_type: "live" })[0]).toMatch(/is "live"/);
  });

  it("refuses is_lost = false with status lost; accepts the matching and the 'all' cases", () => {
    expect(lintQuery("backlinks", { filters: ["is_lost", "=", false], backlinks_status_type: "lost" })[0]).toMatch(
      /every link returned is lost/,
    );
    expect(lintQuery("backlinks", { filters: ["is_lost", "=", true], backlinks_status_type: "lost" })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["is_lost", "=", true], backlinks_status_type: "all" })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["is_lost", "=", false] })).toEqual([]);
  });

  it("applies to backlinks_filters of aggregate endpoints and to per-target fields", () => {
    expect(lintQuery("referring_domains", { backlinks_filters: ["is_lost", "=", true] })[0]).toMatch(/in backlinks_filters matches nothing/);
    expect(lintQuery("summary", { backlinks_filters: ["is_lost", "=", true] })).toHaveLength(1);
    expect(lintQuery("page_intersection", { filters: ["1.is_lost", "=", true] })).toHaveLength(1);
  });
});

describe("lintQuery: rank outside the scale", () => {
  it("refuses rank filters past the chosen scale", () => {
    const out = lintQuery("backlinks", { filters: ["domain_from_rank", ">", 100], rank_scale: "one_hundred" });
    expect(out[0]).toMatch(/ranks run from 0 to 100 with rank_scale "one_hundred"; use a value from 0 to 100, or set rank_scale "one_thousand"/);
    expect(lintQuery("backlinks", { filters: ["rank", ">", 1000] })[0]).toMatch(/0 to 1000 with the default rank_scale/);
    expect(lintQuery("backlinks", { filters: ["page_from_rank", "<", 0] })).toHaveLength(1);
    expect(lintQuery("backlinks", { filters: ["rank", "in", [1001, 2000]] })).toHaveLength(1);
    expect(lintQuery("bulk_pages_summary", { filters: ["main_domain_rank", ">", 5] })).toEqual([]);
    expect(lintQuery("domain_intersection", { filters: ["2.rank", ">=", 101], rank_scale: "one_hundred" })).toHaveLength(1);
    expect(lintQuery("domain_pages", { filters: ["page_summary.rank", "=", 1500] })).toHaveLength(1);
  });

  it("accepts rank filters inside the scale", () => {
    expect(lintQuery("backlinks", { filters: ["domain_from_rank", ">", 99], rank_scale: "one_hundred" })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["rank", ">", 500] })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["rank", "<=", 0] })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["rank", "in", [5, 2000]] })).toEqual([]);
  });
});

describe("lintQuery: closed count maps", () => {
  it("refuses the documented referring_links_types.anchors with did you mean 'anchor'", () => {
    const out = lintQuery("domain_pages_summary", { filters: ["referring_links_types.anchors", ">", 0] });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/referring_links_types has no key 'anchors'; did you mean 'anchor'\?/);
    expect(out[0]).toContain(CLOSED_MAP_KEYS.referring_links_types!.join(", "));
    expect(lintQuery("referring_domains", { filters: ["referring_links_platform_types.blog", ">", 1] })[0]).toMatch(
      /did you mean 'blogs'\?/,
    );
    expect(lintQuery("domain_pages", { filters: ["page_summary.referring_links_types.imgs", ">", 1] })).toHaveLength(1);
  });

  it("accepts the real keys, open maps, and conditions a missing key can satisfy", () => {
    expect(lintQuery("domain_pages_summary", { filters: ["referring_links_types.anchor", ">", 0] })).toEqual([]);
    expect(lintQuery("referring_domains", { filters: ["referring_links_platform_types.message-boards", ">", 0] })).toEqual([]);
    expect(lintQuery("referring_domains", { filters: ["referring_links_tld.anything", ">", 0] })).toEqual([]);
    expect(lintQuery("referring_domains", { filters: ["referring_links_types.anchors", "<>", 3] })).toEqual([]);
  });
});

describe("lintQuery: the and/or tree", () => {
  const lost = ["is_lost", "=", true];
  const ok = ["dofollow", "=", true];
  it("an 'or' is refused only when every branch is empty", () => {
    expect(lintQuery("backlinks", { filters: [lost, "or", ok] })).toEqual([]);
    expect(lintQuery("backlinks", { filters: [lost, "or", ["rank", ">", 5000]] })).toHaveLength(2);
  });

  it("an 'and' is refused when one branch is empty, at any depth", () => {
    expect(lintQuery("backlinks", { filters: [ok, "and", lost] })).toHaveLength(1);
    expect(lintQuery("backlinks", { filters: [ok, "and", [[lost], "or", [["rank", ">", 5000]]]] })).toHaveLength(2);
    expect(lintQuery("backlinks", { filters: [ok, "and", [[lost], "or", [ok]]] })).toEqual([]);
  });

  it("an 'and' whose conditions contradict on one field is refused", () => {
    expect(lintQuery("backlinks", { filters: [["rank", ">", 50], "and", ["rank", "<", 10]] })[0]).toMatch(/match nothing together/);
    expect(lintQuery("backlinks", { filters: [["dofollow", "=", true], "and", ["dofollow", "=", false]] })).toHaveLength(1);
    expect(lintQuery("backlinks", { filters: [["rank", ">", 10], "and", ["rank", "<", 10]] })).toHaveLength(1);
    expect(lintQuery("backlinks", { filters: [["rank", ">=", 10], "and", ["rank", "<=", 10]] })).toEqual([]);
    expect(lintQuery("backlinks", { filters: [["rank", ">", 10], "or", ["rank", "<", 5]] })).toEqual([]);
    expect(lintQuery("domain_intersection", { filters: [["1.rank", ">", 50], "and", ["2.rank", "<", 10]] })).toEqual([]);
  });

  it("leaves malformed and unknown input to the grammar check", () => {
    expect(lintQuery("backlinks", { filters: "junk" })).toEqual([]);
    expect(lintQuery("backlinks", { filters: [lost, "and", ok, "or", ok] })).toEqual([]);
    expect(lintQuery("backlinks", { filters: ["nope", "=", 1] })).toEqual([]);
    expect(lintQuery("summary", { filters: lost })).toEqual([]);
    expect(lintQuery("backlinks", {})).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import {
  DOMAIN_TARGET_FORMS,
  TARGET_FORMS,
  checkTarget,
  checkTargetList,
  targetNote,
} from "../../src/query/targets.js";

const t = (value: unknown, opts?: { domainOnly?: boolean }) => checkTarget(value, "target", opts);

describe("checkTarget", () => {
  it("accepts domains, subdomains, IDN hosts and absolute http(s) URLs", () => {
    for (const ok of [
      "forbes.com",
      "blog.forbes.com",
      "www.forbes.com",
      "bücher.de",
      "example.co.uk",
      "https://forbes.com/page?x=1",
      "http://forbes.com/",
      "HTTPS://Forbes.com/a",
      "https://xn--bcher-kva.de/",
    ]) {
      expect(t(ok), ok).toEqual([]);
    }
  });

  it("refuses a scheme alone, other schemes, whitespace and control characters, saying which form is expected", () => {
    for (const bad of ["https://", "http://", "https:///", "ftp://forbes.com", "forbes .com", " forbes.com", "forbes.com\n", "forbes\u200b.com", "javascript:alert(1)"]) {
      const out = t(bad);
      expect(out, bad).toHaveLength(1);
      expect(out[0]).toContain(TARGET_FORMS);
    }
    expect(t("https://")[0]).toMatch(/has no domain/);
    expect(t("")[0]).toContain(TARGET_FORMS);
    expect(t(42)[0]).toContain(TARGET_FORMS);
  });

  it("refuses hosts without a dot and invalid labels", () => {
    expect(t("localhost")[0]).toMatch(/no dot/);
    expect(t("-bad-.com")[0]).toMatch(/invalid domain part/);
    expect(t("a..com")[0]).toMatch(/invalid domain part/);
    expect(t("999.1.1.1")[0]).toMatch(/not a valid IPv4/);
  });

  it("caps the length", () => {
    expect(t("https://a.com/" + "x".repeat(3000))[0]).toMatch(/at most 2048/);
    expect(t("a".repeat(250) + ".com")[0]).toMatch(/at most 253/);
  });

  it("refuses our own paging handles and says where they go", () => {
    const out = t("bl_AbCdEf012_-x");
    expect(out[0]).toMatch(/paging handle/);
    expect(out[0]).toMatch(/backlinks_next_page/);
  });

  it("refuses a page without scheme and tells how to write it", () => {
    expect(t("forbes.com/sites/x")[0]).toContain("'https://forbes.com/sites/x'");
    expect(t("forbes.com/")[0]).toMatch(/whole domain write 'forbes.com'/);
  });

  it("domain-only endpoints refuse URLs and paths, naming the domain to use", () => {
    const out = t("https://forbes.com/page", { domainOnly: true });
    expect(out[0]).toContain(DOMAIN_TARGET_FORMS);
    expect(out[0]).toContain("use 'forbes.com'");
    expect(t("forbes.com/page", { domainOnly: true })[0]).toContain("use 'forbes.com'");
    expect(t("forbes.com", { domainOnly: true })).toEqual([]);
  });
});

describe("checkTargetList", () => {
  it("checks each target and its count", () => {
    expect(checkTargetList(["a.com", "b.com"], "targets", { max: 3 })).toEqual([]);
    expect(checkTargetList([], "targets", { max: 3 })[0]).toMatch(/non-empty list/);
    expect(checkTargetList("a.com", "targets", { max: 3 })[0]).toMatch(/non-empty list/);
    expect(checkTargetList(["a.com", "b.com", "c.com", "d.com"], "targets", { max: 3 })[0]).toMatch(/4 targets; at most 3/);
    expect(checkTargetList(["a.com", "https://"], "targets", { max: 3 })[0]).toMatch(/^targets\[1\] .*no domain/);
  });

  it("refuses duplicates (case-insensitive host) with the fix, so nothing is billed twice", () => {
    const out = checkTargetList(["forbes.com", "moz.com", "Forbes.com"], "targets", { max: 10 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/targets\[2\] 'Forbes.com' repeats targets\[0\]; remove the duplicate/);
    expect(checkTargetList(["https://A.com/x", "https://a.com/x"], "targets", { max: 10 })[0]).toMatch(/repeats/);
    expect(checkTargetList(["https://a.com/x", "https://a.com/X"], "targets", { max: 10 })).toEqual([]);
  });
});

describe("targetNote", () => {
  it("notes a homepage URL and a www subdomain, and nothing else", () => {
    expect(targetNote("https://forbes.com")).toBe("note: https://forbes.com is the homepage only; use forbes.com for the whole domain");
    expect(targetNote("https://www.forbes.com/")).toMatch(/homepage only; use forbes.com/);
    expect(targetNote("www.forbes.com")).toBe("note: www.forbes.com is that subdomain only; use forbes.com for the whole domain");
    expect(targetNote("forbes.com")).toBeUndefined();
    expect(targetNote("https://forbes.com/page")).toBeUndefined();
  });
});

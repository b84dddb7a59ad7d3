// Single-module checks of the workflow pieces: file names and cells, disavow hosts, the target memory,
// the scorecard's arithmetic, the disavow field table against the reference data.
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointRef } from "../../src/reference/endpoints.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { ExportWriter, cellOf, disavowHost, isOwned, EXPORT_NAME } from "../../src/workflows/files.js";
import { TargetMemory } from "../../src/workflows/targets.js";
import { scorecard, spamBand, daysAgo } from "../../src/workflows/audit.js";
import { DISAVOW_FIELD, checkExport, columnsOf, exportable } from "../../src/workflows/export.js";
import { fieldsText, readExport, listExports } from "../../src/workflows/resources.js";
import { competitorList } from "../../src/workflows/prompts.js";
import { parseCsv } from "./harness.js";

describe("export files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flows-unit-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("CSV cells keep the full API value; nested values become JSON text", () => {
    expect(cellOf("https://www.example.com/a?b=1")).toBe("https://www.example.com/a?b=1");
    expect(cellOf(null)).toBe("");
    expect(cellOf(undefined)).toBe("");
    expect(cellOf(true)).toBe("true");
    expect(cellOf(false)).toBe("false");
    expect(cellOf(0)).toBe(0);
    expect(cellOf(["a", "b"])).toBe('["a","b"]');
    expect(cellOf({ com: 3 })).toBe('{"com":3}');
  });

  it("writes RFC 4180 that round-trips commas, quotes and line breaks, and renames only when complete", async () => {
    const now = new Date("2026-11-01T10:20:30Z");
    const w = await ExportWriter.create(dir, { tool: "backlinks", subject: "https://Example.com/x y", now }, { format: "csv", columns: ["a", "b.c", "d"] });
    expect(w.partialName).toMatch(/^backlinks-example\.com-x-y-20261101-102030-[0-9a-f]{6}-partial\.csv$/);
    const rows = [
      { a: 'say "hi", then\r\nleave', b: { c: 1 }, d: [1, 2] },
      { a: "plain", b: null, d: true },
    ];
    await w.write(rows);
    const name = await w.finish(true);
    expect(name).toBe(w.finalName);
    expect(EXPORT_NAME.test(name)).toBe(true);
    const text = await readFile(join(dir, name), "utf8");
    expect(parseCsv(text)).toEqual([
      ["a", "b.c", "d"],
      ['say "hi", then\r\nleave', "1", "[1,2]"],
      ["plain", "", "true"],
    ]);
    const names = await readdir(dir);
    expect(names.some((n) => n.endsWith("-partial.csv"))).toBe(false);
  });

  it("an incomplete export keeps its partial name; two exports in the same second get different files", async () => {
    const now = new Date("2026-11-01T10:20:30Z");
    const a = await ExportWriter.create(dir, { tool: "t", subject: "s", now }, { format: "jsonl", columns: [] });
    const b = await ExportWriter.create(dir, { tool: "t", subject: "s", now }, { format: "jsonl", columns: [] });
    await a.write([{ x: 1 }]);
    expect(await a.finish(false)).toMatch(/-partial\.jsonl$/);
    expect(b.partialName).not.toBe(a.partialName);
    expect(await b.finish(true)).toBe(b.finalName);
    expect(await readFile(join(dir, a.partialName), "utf8")).toBe('{"x":1}\n');
  });

  it("disavow hosts: lower case, ASCII, no scheme, path, port or www; the target and its subdomains are owned", () => {
    expect(disavowHost("WWW.Spam.example")).toBe("spam.example");
    expect(disavowHost("https://spam.example:8080/a/b")).toBe("spam.example");
    expect(disavowHost("bücher.example")).toBe("xn--bcher-kva.example");
    expect(disavowHost("localhost")).toBeUndefined();
    expect(disavowHost("a b.com")).toBeUndefined();
    expect(disavowHost(42)).toBeUndefined();
    expect(isOwned("blogs.forbes.com", ["forbes.com"])).toBe(true);
    expect(isOwned("forbes.com", ["forbes.com"])).toBe(true);
    expect(isOwned("notforbes.com", ["forbes.com"])).toBe(false);
  });

  it("a disavow writer lists each domain once and never the target", async () => {
    const w = await ExportWriter.create(dir, { tool: "backlinks", subject: "forbes.com", now: new Date() }, {
      format: "disavow",
      columns: [],
      domainField: "domain_from",
      owned: ["forbes.com"],
      comments: ["source: test", "criteria: multi\nline"],
    });
    await w.write([{ domain_from: "a.example" }, { domain_from: "www.a.example" }, { domain_from: "blogs.forbes.com" }, { domain_from: null }, { domain_from: "B.example" }]);
    const name = await w.finish(true);
    expect(await readFile(join(dir, name), "utf8")).toBe("# source: test\n# criteria: multi line\ndomain:a.example\ndomain:b.example\n");
    expect(w.domains).toBe(2);
    expect(w.skipped).toBe(2);
  });

  it("resources read exports by name only and never outside the folder", async () => {
    expect(await readExport(dir, "../etc/passwd")).toBeUndefined();
    expect(await readExport(dir, "no-such-file.csv")).toBeUndefined();
    const listed = await listExports(dir);
    expect(listed.length).toBeGreaterThan(0);
    const first = await readExport(dir, listed[0]!.name);
    expect(first?.truncated).toBe(false);
  });
});

describe("export checks", () => {
  const tools = new Map(ENDPOINT_TOOLS.map((t) => [t.name, t]));

  it("the disavow field of each endpoint is a field of its rows in the reference", () => {
    for (const [key, field] of Object.entries(DISAVOW_FIELD)) {
      const names = endpointRef(key).rowFields.map((f) => f.name);
      if (field.startsWith("<n>.")) expect(names).toContain(field.slice(4));
      else if (key === "domain_intersection") expect(names.length).toBeGreaterThan(0); // row key column, from per-target "target"
      else expect(names).toContain(field);
    }
    expect(tools.get("backlinks_domain_intersection")!.overlay.rowKey?.column).toBe(DISAVOW_FIELD.domain_intersection);
  });

  it("every list tool is exportable, the one-record summary is not; columns follow the reference", () => {
    expect(ENDPOINT_TOOLS.filter((t) => !exportable(t)).map((t) => t.name)).toEqual(["backlinks_summary"]);
    const backlinks = tools.get("backlinks_backlinks")!;
    expect(columnsOf(backlinks, { target: "x.com" })).toEqual(backlinks.ref.rowFields.map((f) => f.name));
    expect(columnsOf(backlinks, { target: "x.com", fields: ["url_from", "anchor"] })).toEqual(["url_from", "anchor"]);
    expect(columnsOf(tools.get("backlinks_domain_intersection")!, { targets: ["a.com", "b.com"] })).toEqual(["domain", "intersections_count", "1", "2"]);
  });

  it("arguments are checked as the tool checks them", () => {
    const bad = checkExport(tools, { tool: "backlinks", arguments: { target: "x.com", order_by: ["nope,desc"] } });
    expect("content" in bad && bad.isError).toBe(true);
    const ok = checkExport(tools, { tool: "backlinks", arguments: { target: "x.com", order_by: ["rank,desc"] } });
    expect("tool" in ok && ok.tool.name).toBe("backlinks_backlinks");
  });
});

describe("scorecard arithmetic", () => {
  const summary = {
    backlinks: 1000,
    referring_domains: 50,
    referring_main_domains: 40,
    referring_ips: 25,
    referring_subnets: 20,
    referring_pages: 900,
    broken_backlinks: 3,
    broken_pages: 2,
    rank: 400,
    backlinks_spam_score: 35,
    info: { target_spam_score: 5 },
    referring_links_attributes: { nofollow: 250, noopener: 10 },
    referring_links_tld: { com: 600, net: 100, org: 50, io: 10 },
    referring_links_countries: { US: 500, "": 100, DE: 50 },
  };
  const figures = Object.fromEntries(
    scorecard(summary, [
      { days: 30, dateFrom: "2026-10-01", item: { new_referring_domains: 4, lost_referring_domains: 1 } },
      { days: 90, dateFrom: "2026-08-02", item: { new_referring_domains: 9, lost_referring_domains: 6 } },
    ]).map((f) => [f.name, f.value]),
  );

  it("derives the ratios from the summary's own fields", () => {
    expect(figures.dofollow_share).toBe(0.75);
    expect(figures.backlinks_per_referring_domain).toBe(20);
    expect(figures.ips_per_referring_domain).toBe(0.5);
    expect(figures.subnets_per_referring_domain).toBe(0.4);
    expect(figures.backlinks_spam_score).toBe("35 medium (30-59)");
    expect(figures.target_spam_score).toBe("5 low (0-29)");
    expect(figures.top_tlds).toBe("com 60.0%, net 10.0%, org 5.0%");
    expect(figures.top_countries).toBe("US 50.0%, (none) 10.0%, DE 5.0%");
    expect(figures.net_referring_domains_30d).toBe(3);
    expect(figures.net_referring_domains_90d).toBe(3);
  });

  it("says n/a instead of dividing by zero", () => {
    const empty = Object.fromEntries(scorecard({ backlinks: 0, referring_domains: 0 }, []).map((f) => [f.name, f.value]));
    expect(empty.backlinks_per_referring_domain).toBeNull();
    expect(empty.dofollow_share).toBeNull();
    expect(empty.top_tlds).toBe("n/a");
    expect(spamBand(60)).toBe("high (60-100)");
    expect(daysAgo(new Date("2026-03-01T12:00:00Z"), 30)).toBe("2026-01-30");
  });
});

describe("target memory and prompt arguments", () => {
  it("keeps a bounded, newest-first list and completes by prefix", () => {
    const m = new TargetMemory(3);
    m.addFrom({ target: "forbes.com" });
    m.addFrom({ targets: ["cnn.com", "bbc.com"] });
    m.addFrom({ targets: { 1: "ahrefs.com" } });
    m.add("forbes.com");
    m.add("bad target with spaces");
    m.add("x".repeat(500));
    expect(m.size).toBe(3);
    expect(m.complete("")).toEqual(["forbes.com", "ahrefs.com", "bbc.com"]);
    expect(m.complete("b")).toEqual(["bbc.com", "forbes.com"]);
  });

  it("competitor lists: comma or space separated, deduplicated, at most 19", () => {
    expect(competitorList("a.com, b.com c.com,,a.com")).toEqual(["a.com", "b.com", "c.com"]);
    expect(competitorList(Array.from({ length: 30 }, (_, i) => `s${i}.com`).join(","))).toHaveLength(19);
  });

  it("field catalogues list types and operators", () => {
    const text = fieldsText("referring_domains")!;
    expect(text).toMatch(/^backlinks_spam_score\tnum\t= <> < <= > >= in not_in$/m);
    expect(text).toMatch(/^referring_links_tld\.<key> \(any key, e\.g\. \.com\)\tnum\t/m);
    expect(fieldsText("summary")).toBeUndefined();
  });
});

describe("allotment: a workflow's whole hold, drawn call by call", () => {
  it("holds the total against the cap, serves its calls from the hold and gives it back", async () => {
    const { Budget } = await import("../../src/spend/budget.js");
    const { Ledger } = await import("../../src/spend/ledger.js");
    const { Allotment } = await import("../../src/workflows/allotment.js");
    const ledger = new Ledger();
    const real = new Budget(0.1, ledger);
    const a = Allotment.take(real, ledger, 0.072);
    if (!(a instanceof Allotment)) throw new Error("expected a hold");
    // Another call can no longer take what the workflow holds.
    expect(real.check(0.03).ok).toBe(false);
    const releases = [0.024, 0.024, 0.024].map((e) => a.tryReserve(e));
    expect(releases.every((r) => r.decision.ok)).toBe(true);
    // Beyond the hold, the real budget decides (and refuses here).
    expect(a.tryReserve(0.03).decision.ok).toBe(false);
    for (const r of releases) r.release!();
    a.close();
    expect(real.check(0.1).ok).toBe(true);
    // A hold the cap cannot give is refused whole.
    const refused = Allotment.take(real, ledger, 0.2);
    expect(refused instanceof Allotment).toBe(false);
  });
});

describe("prompt plans name valid calls", () => {
  it("every call in every plan passes the tool's own checks", async () => {
    const { backlinkAuditPlan, linkGapPlan, lostLinksPlan, toxicLinksPlan, anchorProfilePlan } = await import("../../src/workflows/prompts.js");
    const { checkArgs } = await import("../../src/tools/check.js");
    const { auditInput, exportInput } = await import("../../src/workflows/inputs.js");
    const tools = new Map(ENDPOINT_TOOLS.map((t) => [t.name, t]));
    const since = daysAgo(new Date(), 20);
    const plans = [backlinkAuditPlan("forbes.com"), linkGapPlan("forbes.com", ["cnn.com", "bbc.com"]), lostLinksPlan("forbes.com", since), toxicLinksPlan("forbes.com"), anchorProfilePlan("forbes.com")];
    let checked = 0;
    for (const plan of plans) {
      const text = plan.messages.map((m) => (m.content.type === "text" ? m.content.text : "")).join("\n");
      for (const m of text.matchAll(/(backlinks_[a-z_]+) (\{.*?\})(?= - |\.$|$)/gm)) {
        const [, name, json] = m;
        const args = JSON.parse(json!) as Record<string, unknown>;
        if (name === "backlinks_audit") {
          expect(auditInput.safeParse(args).success).toBe(true);
        } else if (name === "backlinks_export") {
          const input = exportInput.parse(args);
          const result = checkExport(tools, input);
          expect("tool" in result, `${name} ${json}`).toBe(true);
        } else {
          const tool = tools.get(name!)!;
          const parsed = tool.input.safeParse(args);
          expect(parsed.success, `${name} ${json}`).toBe(true);
          expect(checkArgs(tool, parsed.data as Record<string, unknown>), `${name} ${json}`).toEqual([]);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(14);
  });
});

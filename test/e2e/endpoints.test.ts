// Every endpoint tool end to end, driven by the reference data rather than hand-kept lists: its
// documented example, every documented parameter on the wire unchanged, validation errors that send
// nothing, and paging with held rows for every list endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, parseTable, nextToken, type Harness } from "./harness.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import type { EndpointTool } from "../../src/tools/define.js";
import { literalDefault, numericBound, type ParamSpec } from "../../src/reference/endpoints.js";
import filterFields from "../../src/data/backlinks-filter-fields.json" with { type: "json" };

const NOW = new Date();

function daysAgo(days: number): string {
  const d = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const BULK_TARGETS = ["forbes.com", "cnn.com", "bbc.com", "https://www.apple.com/iphone/", "ibm.com"];

/** The request examples of DataForSEO's documentation, one per endpoint (dates moved into the allowed range). */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  summary: { target: "explodingtopics.com", internal_list_limit: 10, include_subdomains: true, backlinks_filters: ["dofollow", "=", true], backlinks_status_type: "all" },
  history: { target: "cnn.com", date_from: "2021-01-01", date_to: "2021-10-01" },
  backlinks: { target: "forbes.com", mode: "as_is", filters: ["dofollow", "=", true], limit: 5 },
  anchors: { target: "forbes.com", limit: 4, order_by: ["backlinks,desc"], filters: ["anchor", "like", "%news%"] },
  domain_pages: { target: "forbes.com", limit: 5, order_by: ["page_summary.backlinks,desc"] },
  domain_pages_summary: { target: "forbes.com", limit: 4, order_by: ["backlinks,desc"] },
  referring_domains: { target: "backlinko.com", limit: 5, order_by: ["rank,desc"], exclude_internal_backlinks: true, backlinks_filters: ["dofollow", "=", true], filters: ["backlinks", ">", 1] },
  referring_networks: { target: "backlinko.com", network_address_type: "subnet", limit: 5, order_by: ["rank,desc"] },
  competitors: { target: "newmouth.com", filters: ["rank", ">", 100], limit: 5, order_by: ["rank,desc"] },
  domain_intersection: { targets: ["moz.com", "ahrefs.com"], include_subdomains: false, exclude_targets: ["semrush.com"], limit: 5, order_by: ["1.backlinks,desc"] },
  page_intersection: { targets: ["https://www.apple.com/iphone/*", "https://www.samsung.com/us/smartphones/*"], exclude_targets: ["https://www.oneplus.com/*"], limit: 5 },
  timeseries_summary: { target: "dataforseo.com", date_from: "2021-01-01", date_to: "2021-10-01", group_range: "month" },
  timeseries_new_lost_summary: { target: "dataforseo.com", date_from: "2021-01-01", date_to: "2021-10-01", group_range: "month" },
  bulk_ranks: { targets: BULK_TARGETS },
  bulk_backlinks: { targets: BULK_TARGETS },
  bulk_spam_score: { targets: BULK_TARGETS },
  bulk_referring_domains: { targets: BULK_TARGETS },
  bulk_new_lost_backlinks: { targets: BULK_TARGETS, date_from: daysAgo(20) },
  bulk_new_lost_referring_domains: { targets: BULK_TARGETS, date_from: daysAgo(20) },
  bulk_pages_summary: { targets: ["https://www.forbes.com/", "cnn.com", "bbc.com"] },
};

type Catalogue = Record<string, string>;
const CATALOGUES = filterFields.endpoints as Record<string, Catalogue>;

/** A numeric field of the endpoint's filter catalogue, in the form a caller writes it. */
function numericField(key: string): string {
  const cat = CATALOGUES[key]!;
  const preferred = ["backlinks", "rank", "intersections_count", "<n>.backlinks", "domain_from_rank", "status_code", "intersections"];
  const name = preferred.find((f) => cat[f] === "num") ?? Object.keys(cat).find((f) => cat[f] === "num" && !f.includes("<key>"))!;
  return name.replace("<n>.", "1.");
}

/** A valid value for every documented parameter, different from its default where it has one. */
function everyParameter(tool: EndpointTool): Record<string, unknown> {
  const { ref } = tool;
  const args: Record<string, unknown> = {};
  const dated = ref.param("date_to") !== undefined;
  for (const p of ref.params) {
    const v = valueFor(tool, p, dated);
    if (v !== undefined) args[p.name] = v;
  }
  return args;
}

function valueFor(tool: EndpointTool, p: ParamSpec, dated: boolean): unknown {
  const key = tool.ref.key;
  switch (p.name) {
    case "target":
      return /domain/.test(p.note ?? "") ? "forbes.com" : "https://www.apple.com/iphone/";
    case "targets":
      return tool.ref.targetKind === "intersection" ? ["forbes.com", "cnn.com"] : ["forbes.com", "cnn.com", "bbc.com"];
    case "exclude_targets":
      return ["bbc.com"];
    case "filters":
      return [numericField(key), ">=", 0];
    case "backlinks_filters":
      return ["dofollow", "=", true];
    case "order_by":
      return [`${numericField(key)},desc`];
    case "search_after_token":
      return undefined; // needs a real token; paging tests cover it
    case "custom_mode":
      return { field: "domain_from", value: 2 };
    case "tag":
      return "every-param";
    case "date_from":
      return dated ? daysAgo(400) : daysAgo(40);
    case "date_to":
      return daysAgo(2);
  }
  const def = literalDefault(p);
  if (p.type === "boolean") return def === undefined ? true : !def;
  if (p.enum) return p.enum.find((e) => e !== def) ?? p.enum[0];
  if (p.type === "integer") {
    const min = numericBound(p.min) ?? (p.name === "offset" ? 0 : 1);
    return Math.max(min, Math.min(numericBound(p.max) ?? 1000, p.name === "offset" ? 1 : 3));
  }
  throw new Error(`${key}: no test value for ${p.name} (${p.type})`);
}

/** What the API receives for the tool's arguments. */
function onTheWire(tool: EndpointTool, args: Record<string, unknown>): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...args };
  for (const local of tool.localParams) delete wire[local];
  delete wire.format;
  delete wire.fields;
  if (tool.ref.targetKind === "intersection") {
    wire.targets = Object.fromEntries((args.targets as string[]).map((t, i) => [String(i + 1), t]));
  }
  return wire;
}

function apiPath(tool: EndpointTool): string {
  return tool.ref.path;
}

describe("every endpoint tool", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all" } });
  }, 60_000);
  afterAll(async () => {
    await h.close();
  });

  it("has a documented example in this test", () => {
    for (const tool of ENDPOINT_TOOLS) expect(EXAMPLES[tool.ref.key], tool.name).toBeDefined();
  });

  for (const tool of ENDPOINT_TOOLS) {
    it(`${tool.name} runs its documented example, sends exactly its parameters and states its cost`, async () => {
      const args = EXAMPLES[tool.ref.key]!;
      const before = paidRequests(h);
      const res = await h.call(tool.name, args);
      expect(res.isError, textOf(res).slice(0, 400)).toBeFalsy();
      expect(paidRequests(h)).toBe(before + 1);
      expect(h.proxy.tasks(apiPath(tool)).at(-1)).toEqual(onTheWire(tool, args));
      const text = textOf(res);
      expect(text.split("\n")[0]).toMatch(new RegExp(`^# ${tool.name} .*cost \\$0\\.\\d{4,}`));
      expect(text.trimEnd().split("\n").length).toBeGreaterThan(2);
    });

    it(`${tool.name} sends every documented parameter unchanged`, async () => {
      const args = everyParameter(tool);
      const res = await h.call(tool.name, args);
      expect(res.isError, textOf(res).slice(0, 400)).toBeFalsy();
      expect(h.proxy.tasks(apiPath(tool)).at(-1)).toEqual(onTheWire(tool, args));
    });

    it(`${tool.name} refuses bad input before sending anything`, async () => {
      const before = paidRequests(h);
      const base = EXAMPLES[tool.ref.key]!;
      const bad: Record<string, unknown>[] = [{ ...base, not_a_parameter: 1 }, { ...base, format: "xml" }, { ...base, fields: ["no_such_field"] }];
      for (const p of tool.ref.params) {
        if (p.type === "integer" && numericBound(p.max) !== undefined) bad.push({ ...base, [p.name]: numericBound(p.max)! + 1 });
        if (p.type === "integer") bad.push({ ...base, [p.name]: 1.5 });
        if (p.enum) bad.push({ ...base, [p.name]: "no_such_value" });
        if (p.type === "boolean") bad.push({ ...base, [p.name]: "yes" });
        if (p.name === "filters" || p.name === "backlinks_filters") bad.push({ ...base, [p.name]: ["no_such_field", "=", 1] });
        if (p.name === "order_by") bad.push({ ...base, order_by: ["no_such_field,desc"] });
        if (p.format === "yyyy-mm-dd") bad.push({ ...base, [p.name]: "2024-02-30" });
        if (p.required) {
          const without = { ...base };
          delete without[p.name];
          bad.push(without);
        }
        if (p.name === "targets" && p.max_items) bad.push({ ...base, targets: Array.from({ length: p.max_items + 1 }, (_, i) => `site${i}.com`) });
        // The same target twice would be billed twice.
        if (p.name === "targets") bad.push({ ...base, targets: ["forbes.com", "cnn.com", "FORBES.com"] });
        // Domain-only endpoints say so before spending.
        if (p.name === "target" && /domain[^.;]*only/.test(p.note ?? "")) bad.push({ ...base, target: "https://forbes.com/business/" });
        if (p.name === "target") bad.push({ ...base, target: "https://" }, { ...base, target: "forbes.com\n# forged" }, { ...base, target: "bl_AAAAAAAAAAAA" });
      }
      for (const args of bad) {
        const res = await h.call(tool.name, args);
        expect(res.isError, `${tool.name} ${JSON.stringify(args).slice(0, 160)}`).toBe(true);
        expect(textOf(res)).toMatch(/nothing was sent/);
      }
      expect(paidRequests(h)).toBe(before);
    });
  }

  it("summary renders its figures as key/value lines equal to the API's", async () => {
    const res = await h.call("backlinks_summary", { target: "forbes.com" });
    const lines = textOf(res).split("\n");
    expect(lines.at(-1)).toBe("# end of results");
    const shown = new Map(lines.slice(1, -1).map((l) => l.split("\t") as [string, string]));
    const raw = (await directPost(h, "/v3/backlinks/summary/live", { target: "forbes.com" })) as Record<string, number>;
    for (const key of ["backlinks", "referring_domains", "referring_main_domains", "referring_ips", "referring_subnets", "rank", "broken_backlinks"]) {
      expect(shown.get(key), key).toBe(String(raw[key]));
    }
    expect(shown.get("referring_links_tld")).toMatch(/^[a-z]+:\d+/);
  });

  it("a bulk new/lost reply without date_from says which date_from the API used", async () => {
    for (const name of ["backlinks_bulk_new_lost_referring_domains", "backlinks_bulk_new_lost_backlinks"]) {
      const res = await h.call(name, { targets: ["forbes.com"] });
      const header = textOf(res).split("\n")[0]!;
      const d = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() - 1, 1));
      const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      d.setUTCDate(Math.min(NOW.getUTCDate(), lastDay));
      expect(header).toContain(`date_from ${d.toISOString().slice(0, 10)} (default: a month ago)`);
    }
  });

  it("a target form that likely is not what was meant gets a note in the header, not a refusal", async () => {
    const home = await h.call("backlinks_summary", { target: "https://forbes.com" });
    expect(home.isError).toBeFalsy();
    expect(textOf(home).split("\n")[0]).toMatch(/homepage only; use forbes\.com for the whole domain/);
    const www = await h.call("backlinks_summary", { target: "www.forbes.com" });
    expect(textOf(www).split("\n")[0]).toMatch(/subdomain only/);
  });

  it("intersections show one row per referring domain with per-target columns", async () => {
    const res = await h.call("backlinks_domain_intersection", { targets: ["forbes.com", "cnn.com", "bbc.com"], limit: 10, order_by: ["intersections_count,desc"] });
    expect(res.isError, textOf(res)).toBeFalsy();
    const t = parseTable(textOf(res));
    expect(t.columns).toEqual(["domain", "intersections_count", "1.backlinks", "2.backlinks", "3.backlinks", "1.rank", "2.rank", "3.rank"]);
    expect(t.rows.length).toBeGreaterThan(0);
    const counts = t.rows.map((r) => Number(r[1]));
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    for (const r of t.rows) expect(r[0]).toMatch(/\./);
  });

  const listTools = ENDPOINT_TOOLS.filter((t) => t.ref.paging !== "none");
  it("covers every list endpoint in the paging test", () => {
    expect(listTools.map((t) => t.ref.key).sort()).toEqual(
      ENDPOINT_TOOLS.filter((t) => t.ref.param("offset")).map((t) => t.ref.key).sort(),
    );
  });

  for (const tool of listTools) {
    it(`${tool.name} pages with backlinks_next_page, repeating the parameters exactly`, async () => {
      const args = { ...EXAMPLES[tool.ref.key]!, limit: 2 };
      delete (args as Record<string, unknown>).offset;
      const first = await h.call(tool.name, args);
      expect(first.isError, textOf(first)).toBeFalsy();
      const token = nextToken(textOf(first));
      if (token === undefined) {
        // Fewer rows than one page: the reply says so.
        expect(textOf(first)).toMatch(/# end of results$/);
        return;
      }
      const second = await h.call("backlinks_next_page", { search_after_token: token });
      expect(second.isError, textOf(second)).toBeFalsy();
      const sent = h.proxy.tasks(apiPath(tool)).slice(-2);
      const wire = onTheWire(tool, args);
      expect(sent[0]).toEqual(wire);
      if (tool.ref.paging === "offset") expect(sent[1]).toEqual({ ...wire, offset: 2 });
      else expect(sent[1]).toEqual({ ...wire, search_after_token: expect.any(String) });
      expect(parseTable(textOf(second)).header).toMatch(/rows 3-/);
    });
  }
});

describe("held rows for every list endpoint", () => {
  let h: Harness;
  const exercised: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_OUTPUT_MAX_CHARS: "5000" } });
  }, 60_000);
  afterAll(async () => {
    await h.close();
  });

  for (const tool of ENDPOINT_TOOLS.filter((t) => t.ref.paging !== "none")) {
    it(`${tool.name}: rows past the output budget are held and served without a new request`, async () => {
      const args = { ...EXAMPLES[tool.ref.key]!, limit: 200 };
      const first = await h.call(tool.name, args);
      expect(first.isError, textOf(first)).toBeFalsy();
      const text = textOf(first);
      if (!/are held \(already paid\)/.test(text)) {
        // Everything fitted: no held rows to serve for this target (the last test checks this is rare).
        return;
      }
      exercised.push(tool.name);
      const before = paidRequests(h);
      const next = await h.call("backlinks_next_page", { search_after_token: nextToken(text)! });
      expect(next.isError).toBeFalsy();
      expect(textOf(next)).toMatch(/cost \$0\.0000/);
      expect(paidRequests(h)).toBe(before);
    });
  }

  it("exercised held rows on most list endpoints", () => {
    expect(exercised.length).toBeGreaterThanOrEqual(5);
  });
});

/** Requests to paid endpoints (the free user_data price read is not one). */
function paidRequests(h: Harness): number {
  return h.proxy.requests.filter((r) => r.path.startsWith("/v3/backlinks/")).length;
}

async function directPost(h: Harness, path: string, task: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${h.emulator.url}${path}`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("demo:demo").toString("base64")}`, "content-type": "application/json" },
    body: JSON.stringify([task]),
  });
  const json = (await res.json()) as { tasks: { result: unknown[] }[] };
  return json.tasks[0]!.result[0];
}

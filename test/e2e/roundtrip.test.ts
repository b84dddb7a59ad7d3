// Round trip: every URL or domain a list tool shows can be sent back unchanged, as a `target` or
// `targets` value or as a filter value, and means the same thing: the answer finds it. Driven by the
// tools' own output fields, so a new tool is covered without editing this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, parseTable, type Harness } from "./harness.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import type { EndpointTool } from "../../src/tools/define.js";
import { outputFieldsFor, type OutputEndpoint } from "../../src/query/fields.js";
import filterFields from "../../src/data/backlinks-filter-fields.json" with { type: "json" };
import { domainOnlyTarget } from "./tool-args.js";

const URL_LEAVES = new Set(["url", "url_from", "url_to", "page", "url_to_redirect_target"]);
const DOMAIN_LEAVES = new Set(["domain", "domain_from", "domain_to", "target", "main_domain"]);
const CATALOGUES = filterFields.endpoints as Record<string, Record<string, string>>;
const BACKLINKS_FILTERS = CATALOGUES.backlinks!;
/** Shown columns that name exactly a backlinks_backlinks field under another name (a page of domain_pages is a linked-to URL). */
const SAME_AS_BACKLINKS_FIELD: Record<string, string> = { page: "url_to" };
const VALUES_PER_COLUMN = 2;
const SOURCE_TARGETS = ["forbes.com", "cnn.com"];

const leafOf = (path: string) => path.slice(path.lastIndexOf(".") + 1);
const isRoundTripColumn = (path: string) => URL_LEAVES.has(leafOf(path)) || DOMAIN_LEAVES.has(leafOf(path));

/** List tools: every endpoint tool whose rows are a list (not one record). */
const LIST_TOOLS = ENDPOINT_TOOLS.filter((t) => t.ref.rows !== "record");

/** A call of the tool that shows rows, with the URL and domain columns it can show. */
function sourceCall(tool: EndpointTool): { args: Record<string, unknown>; columns: string[]; targets: string[] } {
  const args: Record<string, unknown> = {};
  let targets: string[] = [];
  if (tool.ref.param("target")) targets = [SOURCE_TARGETS[0]!];
  if (tool.ref.param("targets")) targets = tool.ref.targetKind === "intersection" ? SOURCE_TARGETS : [...SOURCE_TARGETS, "https://www.forbes.com/"];
  if (tool.ref.param("target")) args.target = targets[0];
  else args.targets = targets;
  if (tool.ref.param("limit")) args.limit = 40;
  const targetCount = tool.ref.targetKind === "intersection" ? targets.length : undefined;
  const fields = outputFieldsFor(tool.ref.key as OutputEndpoint, targetCount !== undefined ? { targetCount } : undefined);
  const columns = fields.filter(isRoundTripColumn);
  return { args, columns, targets };
}

interface Shown {
  tool: string;
  column: string;
  value: string;
  /** The target of the call that showed it (for intersections: that column's target). */
  target?: string;
}

function totalCount(text: string): number {
  const m = /total_count (\d+)/.exec(text.split("\n")[0] ?? "");
  return m ? Number(m[1]) : -1;
}

describe("round trip of shown URLs and domains", () => {
  let h: Harness;
  const shown: Shown[] = [];
  const tools = new Map<string, string[]>();
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_CONFIRM_ABOVE_USD: "1000" } });
    for (const tool of LIST_TOOLS) {
      const { args, columns, targets } = sourceCall(tool);
      const rowKey = tool.overlay.rowKey?.column;
      if (columns.length === 0 && rowKey === undefined) continue;
      tools.set(tool.name, columns);
      // The chosen columns, and the default ones for the row key of intersections (not a field name).
      const calls = [...(columns.length > 0 ? [{ ...args, fields: columns }] : []), ...(rowKey !== undefined ? [args] : [])];
      for (const call of calls) {
      const res = await h.call(tool.name, call);
      if (res.isError) throw new Error(`${tool.name}: ${textOf(res).slice(0, 400)}`);
      const table = parseTable(textOf(res));
      for (const [i, column] of table.columns.entries()) {
        if (!isRoundTripColumn(column) && column !== rowKey) continue;
        const values = [...new Set(table.rows.map((r) => r[i] ?? "").filter((v) => v !== ""))];
        // The first, the longest and the last: long URLs are the ones a cut would break.
        const picks = [...new Set([values[0], [...values].sort((a, b) => b.length - a.length)[0], values.at(-1)])].filter((v): v is string => v !== undefined);
        const n = /^(\d+)\./.exec(column)?.[1];
        const target = n ? targets[Number(n) - 1] : targets.length === 1 ? targets[0] : undefined;
        for (const value of picks.slice(0, VALUES_PER_COLUMN + 1)) shown.push({ tool: tool.name, column, value, target });
      }
      }
    }
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it("every list tool with URL or domain columns showed values to send back", () => {
    for (const tool of LIST_TOOLS) {
      if (!tools.has(tool.name)) continue;
      expect(shown.some((s) => s.tool === tool.name), tool.name).toBe(true);
    }
    // The tools that show links (backlinks, page intersections, pages, competitors, bulk) are all here.
    expect(tools.size).toBeGreaterThanOrEqual(10);
  });

  it("no URL or domain cell is cut", () => {
    for (const s of shown) expect(s.value, `${s.tool} ${s.column}`).not.toMatch(/…$/);
    const longest = Math.max(...shown.map((s) => s.value.length));
    process.stderr.write(`round trip: ${shown.length} values, longest ${longest} characters\n`);
  });

  it("every shown URL or domain is accepted as a target of backlinks_backlinks and finds links", async () => {
    const before = h.proxy.requests.length;
    for (const s of shown) {
      const res = await h.call("backlinks_backlinks", { target: s.value, limit: 1 });
      const text = textOf(res);
      expect(res.isError, `${s.tool} ${s.column} '${s.value}': ${text.slice(0, 300)}`).toBeFalsy();
      expect(text).not.toMatch(/40501/);
      // Values that name linked-to pages or domains must find their links.
      if (/(^|\.)(url_to|page|domain_to|main_domain)$/.test(s.column)) {
        expect(totalCount(text), `${s.tool} ${s.column} '${s.value}': ${text.split("\n")[0]}`).toBeGreaterThanOrEqual(1);
      }
    }
    expect(h.proxy.requests.length).toBeGreaterThan(before);
  }, 300_000);

  it("every shown URL or domain, used as a filter value on the backlinks of its target, finds its row", async () => {
    let checked = 0;
    for (const s of shown) {
      if (s.target === undefined || s.target.includes("*")) continue;
      const leaf = leafOf(s.column);
      const field = BACKLINKS_FILTERS[leaf] !== undefined ? leaf : SAME_AS_BACKLINKS_FIELD[leaf];
      if (field === undefined) continue;
      const res = await h.call("backlinks_backlinks", { target: s.target, filters: [field, "=", s.value], fields: [field], limit: 5 });
      const text = textOf(res);
      expect(res.isError, `${s.tool} ${s.column} '${s.value}' as ${field}: ${text.slice(0, 300)}`).toBeFalsy();
      const table = parseTable(text);
      expect(totalCount(text), `${s.tool} ${s.column} '${s.value}' on ${s.target}: ${table.header}`).toBeGreaterThanOrEqual(1);
      expect(table.rows.map((r) => r[0]), `${s.tool} ${s.column} on ${s.target}`).toContain(s.value);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  }, 300_000);

  it("every shown value, used as a filter value on its own column of the same tool, finds its row", async () => {
    let checked = 0;
    for (const tool of LIST_TOOLS) {
      const { args } = sourceCall(tool);
      for (const s of shown.filter((x) => x.tool === tool.name)) {
        const catalogueName = s.column.replace(/^\d+\./, "<n>.");
        if (CATALOGUES[tool.ref.key]?.[catalogueName] === undefined) continue;
        const res = await h.call(tool.name, { ...args, filters: [s.column, "=", s.value], fields: [s.column] });
        const text = textOf(res);
        expect(res.isError, `${tool.name} ${s.column} '${s.value}': ${text.slice(0, 300)}`).toBeFalsy();
        const table = parseTable(text);
        expect(totalCount(text), `${tool.name} ${s.column} '${s.value}': ${table.header}`).toBeGreaterThanOrEqual(1);
        expect(table.rows.map((r) => r[0]), `${tool.name} ${s.column}`).toContain(s.value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  }, 300_000);

  const bulk = ENDPOINT_TOOLS.filter((t) => t.ref.targetKind === "targets");
  for (const tool of bulk) {
    it(`${tool.name} takes shown ${domainOnlyTarget(tool) ? "domains" : "URLs and domains"} as targets and answers for each`, async () => {
      const wantUrls = !(tool.ref.param("targets")?.note ?? "").match(/\bdomain\b[^.;]*\bonly\b/i);
      const values = [...new Set(shown.filter((s) => (wantUrls || !/^https?:/.test(s.value))).map((s) => s.value))].slice(0, 20);
      const res = await h.call(tool.name, { targets: values, fields: tool.ref.key === "bulk_pages_summary" ? ["url"] : ["target"] });
      const text = textOf(res);
      expect(res.isError, text.slice(0, 400)).toBeFalsy();
      const echoed = new Set(parseTable(text).rows.map((r) => r[0]));
      for (const v of values) expect(echoed.has(v), `${tool.name}: '${v}' not in ${[...echoed].slice(0, 5).join(", ")}`).toBe(true);
    }, 60_000);
  }
});

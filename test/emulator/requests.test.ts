// Request checks and result shapes of every live endpoint, driven by the reference data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import endpoints from "../../src/data/backlinks-endpoints.json" with { type: "json" };
import type { Emulator } from "../../src/emulator/index.js";
import { start, task } from "./helpers.js";

interface P { name: string; type: string; required?: boolean; min?: number | string; max?: number | string; enum?: string[]; max_items?: number; max_length?: number; format?: string; max_rules?: number }
interface F { name: string; type: string; fields?: F[] }
interface E { key: string; request: P[]; result: F[] }
const LIVE = endpoints.live_endpoints as unknown as E[];

/** A small valid request for each endpoint. */
function base(e: E): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of e.request) {
    if (p.name === "target") out.target = "dataforseo.com";
    if (p.name === "targets") out.targets = p.type.startsWith("object") ? { "1": "dataforseo.com", "2": "ahrefs.com" } : ["dataforseo.com", "backlinko.com"];
  }
  if (e.key.startsWith("timeseries")) out.date_from = "2026-06-01";
  if (e.key === "history") out.date_from = "2025-06-01";
  return out;
}

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

async function expectInvalid(fn: string, params: Record<string, unknown>, field: string): Promise<void> {
  const t = await task(emu, fn, params);
  expect(t.status_code, `${fn} ${JSON.stringify(params).slice(0, 120)}`).toBe(40501);
  expect(t.status_message).toMatch(new RegExp(`^Invalid Field: '${field.replace(/[.*]/g, "\\$&")}'\\.`));
  expect(t.cost).toBe(0);
}

/** Keys of a value against a tree: names and order exactly; recurse into objects and arrays of objects. */
function checkShape(fields: F[], value: Record<string, unknown>, where: string): void {
  expect(Object.keys(value), where).toEqual(fields.map((f) => f.name));
  for (const f of fields) {
    const v = value[f.name];
    if (!f.fields || v == null) continue;
    if (f.type === "object") checkShape(f.fields, v as Record<string, unknown>, `${where}.${f.name}`);
    else if (f.type === "array<object>") for (const x of (v as Record<string, unknown>[]).slice(0, 3)) checkShape(f.fields, x, `${where}.${f.name}[]`);
    else if (f.type === "object<string,object>") for (const [k, x] of Object.entries(v as object)) checkShape(f.fields, x, `${where}.${f.name}.${k}`);
    else if (f.type === "object<string,array<object>>") {
      for (const [k, arr] of Object.entries(v as Record<string, Record<string, unknown>[]>)) for (const x of arr.slice(0, 2)) checkShape(f.fields, x, `${where}.${f.name}.${k}[]`);
    }
  }
}

describe("every live endpoint", () => {
  it("is served, 20 of them", () => {
    expect(LIVE.length).toBe(20);
  });

  for (const e of LIVE) {
    it(`${e.key}: result[0] follows the documented result tree`, async () => {
      const t = await task(emu, e.key, base(e));
      expect(t.status_code, t.status_message).toBe(20000);
      expect(t.result).toHaveLength(1);
      checkShape(e.result, t.result[0], e.key);
      const items = t.result[0].items;
      if (Array.isArray(items)) expect(items.length).toBeGreaterThan(0);
    });

    it(`${e.key}: every documented check answers 40501 naming the field`, async () => {
      const ok = base(e);
      await expectInvalid(e.key, { ...ok, no_such_param: 1 }, "no_such_param");
      for (const p of e.request) {
        if (p.required) {
          const { [p.name]: _drop, ...rest } = ok;
          await expectInvalid(e.key, rest, p.name);
        }
        const bad: unknown[] = [];
        if (p.type === "integer") {
          bad.push("1", 1.5);
          if (p.max !== undefined) bad.push(Number(p.max) + 1);
          if (p.min !== undefined) bad.push(Number(p.min) - 1);
        }
        if (p.type === "boolean") bad.push("true", 1);
        if (p.type === "string" && p.enum) bad.push("no_such_value");
        if (p.type === "string" && p.max_length) bad.push("x".repeat(p.max_length + 1));
        if (p.format === "yyyy-mm-dd") bad.push("2026-02-30", "01/06/2026", "2030-01-01");
        if (p.type === "string" && p.format === "yyyy-mm-dd" && typeof p.min === "string" && /^\d{4}-/.test(p.min)) {
          const d = new Date(`${p.min}T00:00:00Z`);
          bad.push(new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10));
        }
        if (p.type === "array<string>" && p.max_items) bad.push(...(p.required ? [[]] : []), Array.from({ length: p.max_items + 1 }, (_, i) => `s${i}.com`), [1]);
        if (p.max_rules) bad.push(Array.from({ length: p.max_rules + 1 }, () => "rank,desc"), "rank,desc");
        if (p.type === "object<string,string>" && p.max_items) {
          bad.push({}, ["dataforseo.com"], { "0": "dataforseo.com" }, Object.fromEntries(Array.from({ length: p.max_items + 1 }, (_, i) => [String(i + 1), `s${i}.com`])));
        }
        for (const v of bad) await expectInvalid(e.key, { ...ok, [p.name]: v }, p.name);
      }
    });
  }
});

describe("endpoint-specific target rules", () => {
  it("history, time series and domain_pages take a domain only", async () => {
    for (const fn of ["history", "timeseries_summary", "timeseries_new_lost_summary", "domain_pages"]) {
      await expectInvalid(fn, { target: "https://dataforseo.com/" }, "target");
      expect((await task(emu, fn, { target: "app.dataforseo.com" })).status_code).toBe(20000);
    }
  });

  it("date_from after date_to is refused; the documented minimums hold", async () => {
    await expectInvalid("timeseries_summary", { target: "dataforseo.com", date_from: "2026-07-10", date_to: "2026-07-01" }, "date_from");
    await expectInvalid("history", { target: "dataforseo.com", date_from: "2018-12-31" }, "date_from");
    await expectInvalid("timeseries_summary", { target: "dataforseo.com", date_from: "2019-01-29" }, "date_from");
    expect((await task(emu, "timeseries_summary", { target: "dataforseo.com", date_from: "2019-01-30", group_range: "year" })).status_code).toBe(20000);
    await expectInvalid("history", { target: "dataforseo.com", date_to: "2026-08-02" }, "date_to");
  });

  it("bulk_pages_summary takes URLs from at most 100 distinct domains", async () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://site${i}.com/page`);
    await expectInvalid("bulk_pages_summary", { targets: urls(101) }, "targets");
    const ok = await task(emu, "bulk_pages_summary", { targets: [...urls(100), "https://site0.com/other"] });
    expect(ok.status_code).toBe(20000);
    expect(ok.result[0].items_count).toBe(101);
  });

  it("bulk targets must each be a domain or URL", async () => {
    await expectInvalid("bulk_ranks", { targets: ["dataforseo.com", "not a target"] }, "targets");
  });
});

// The benchmark must keep running: a quick pass of every section, checked for shape (every figure
// a finite number, every timed figure a median with its min and max) and for the correctness
// figures (paging without duplicates or gaps, concurrency within the cap).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../../bench/run.mjs", import.meta.url));
// Every section of the benchmark itself (the emulator's and the HTTP section are left to their owners).
const SECTIONS = "tools_list,output,startup,latency,phases,paging,concurrency,cache,memory";

type Results = Record<string, unknown>;

function at(results: Results, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Results)[k] : undefined), results);
}

const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

describe("bench/run.mjs --quick", () => {
  let dir = "";
  let results: Results = {};
  let stdout = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
    const out = join(dir, "results.json");
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [RUN, "--quick", "--only", SECTIONS, "--out", out],
        { timeout: 240_000, maxBuffer: 10_000_000 },
        (err, so, se) => (err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so)),
      );
    });
    results = JSON.parse(readFileSync(out, "utf8")) as Results;
  }, 250_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports every plain figure as a finite number", () => {
    const keys = [
      "tools_list.default.model_tokens",
      "tools_list.default.instructions_tokens",
      "tools_list.default.wire_tokens",
      "tools_list.all.model_tokens",
      "tools_list.all.wire_chars",
      "tools_list.endpoints.model_tokens",
      "tools_list.endpoints.instructions_tokens",
      "latency.added_ms_p50",
      "latency.added_beyond_stdio_floor_ms_p50",
      "latency.minimal_server_added_ms_p50",
      "latency.added_beyond_minimal_server_ms_p50",
      "latency.added_ms_p50_upstream_in_bench_process",
      "latency.added_ms_p50_all_in_one_rotation",
      "latency.rows_100.warmup_calls",
      "latency.bare_call_ms_p50",
      "latency.added_ms_p50_min",
      "latency.added_ms_p50_max",
      "latency.overhead_ratio_p50",
      "memory.peak_rss_mb",
      "memory.peak_rss_mb_small",
      "memory.growth_trend_mb",
      "memory.growth_trend_second_half_mb",
      "memory.growth_window_medians_mb",
      "memory.sawtooth_mb",
      "memory.rss_floor_first_window_mb",
      "memory.rss_floor_last_window_mb",
      "paging.rows",
      "concurrency.max_in_flight",
      "concurrency.wall_ratio",
    ];
    const bad = keys.filter((k) => !finite(at(results, k)));
    expect(bad).toEqual([]);
    expect(typeof at(results, "memory.growth_beyond_spread")).toBe("boolean");
    expect(results.tokenizer).toMatch(/o200k/);
    expect(results.emulator_date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(at(results, "machine.cores")).toBeGreaterThan(0);
  });

  it("times the latency warm-up in blocks, so what it leaves out is reported", () => {
    for (const key of ["warmup_blocks_added_ms_p50", "warmup_blocks_minimal_server_added_ms_p50", "warmup_blocks_direct_ms_p50"]) {
      const blocks = at(results, `latency.rows_100.${key}`);
      expect(Array.isArray(blocks), key).toBe(true);
      expect((blocks as unknown[]).length, key).toBeGreaterThan(0);
      expect((blocks as unknown[]).every(finite), key).toBe(true);
    }
  });

  it("gives every timed figure as a median of at least 3 repeats with its min and max", () => {
    const timed = [
      "startup.initialize_ms_p50",
      "startup.bare_ms_p50",
      "startup.ratio_p50",
      "latency.rows_100.added_ms_p50",
      "latency.rows_100.disk_ms_p50",
      "latency.rows_100.direct_ms_p50",
      "latency.rows_10.added_ms_p50",
      "latency.rows_1000.added_ms_p50",
      "latency.rows_100.minimal_server_added_ms_p50",
      "latency.rows_100.added_beyond_minimal_server_ms_p50",
      "latency.rows_100.added_ms_p50_upstream_in_bench_process",
      "latency.rows_100.added_ms_p50_all_in_one_rotation",
      "latency.rows_100.added_ms_p50_state_in_memory",
      "cache.hit_ms_p50",
      "cache.miss_ms_p50",
      "cache.rss_per_cached_response_mb",
      "cache.accounted_per_cached_response_mb",
      "paging.ms_per_page",
      "paging.direct_ms_per_page",
      "concurrency.wall_ms",
      "phases.ours.before_request_ms",
      "phases.ours.after_response_ms",
      "phases.ours.total_ms",
      "phases.minimal.before_request_ms",
      "phases.minimal.after_response_ms",
      "phases.minimal.upstream_ms",
    ];
    for (const k of timed) {
      const s = at(results, k) as { median: number; min: number; max: number; repeats: number };
      expect(finite(s?.median), k).toBe(true);
      expect(s.repeats, k).toBeGreaterThanOrEqual(3);
      expect(s.min, k).toBeLessThanOrEqual(s.max);
    }
    // The bare server listed as many output schemas as ours.
    expect(at(results, "startup.output_schemas_both")).toBeGreaterThan(0);
  });

  it("measures every list tool with its default columns, the .ai fields, the .ai reply and the raw JSON", () => {
    const output = results.output as Record<string, Record<string, unknown>>;
    const tools = Object.keys(output).filter((k) => k.startsWith("backlinks_"));
    // Every endpoint tool but the one-record summary.
    expect(tools.length).toBe(19);
    expect(tools).not.toContain("backlinks_summary");
    for (const tool of tools) {
      for (const k of ["rows", "text", "text_ai_fields", "ai_json", "raw_json", "text_ai_fields_vs_ai_json"]) {
        expect(finite(output[tool]![k]), `${tool}.${k}`).toBe(true);
      }
      expect(output[tool]!.rows as number, tool).toBeGreaterThan(0);
    }
    // Fewer fields than the .ai reply cannot cost more than the same fields.
    expect(output.backlinks_backlinks!.text as number).toBeLessThan(output.backlinks_backlinks!.text_ai_fields as number);
    expect(output.backlinks_backlinks!.text_ai_fields as number).toBeLessThan(output.backlinks_backlinks!.ai_json as number);
  });

  it("counts more model-visible tokens for all toolsets than for the default", () => {
    const def = at(results, "tools_list.default") as Record<string, number>;
    const endpoints = at(results, "tools_list.endpoints") as Record<string, number>;
    const all = at(results, "tools_list.all") as Record<string, number>;
    expect(endpoints.tools).toBe(22);
    expect(all.tools).toBeGreaterThan(endpoints.tools);
    expect(endpoints.model_tokens).toBeGreaterThan(def.model_tokens);
    expect(all.model_tokens).toBeGreaterThan(endpoints.model_tokens);
    // Name, description and input schema are part of the wire result, so they never count more than it.
    expect(def.tools_tokens).toBeLessThan(def.wire_tokens);
    expect(def.instructions_tokens).toBeGreaterThan(0);
  });

  it("pages through every row once, with no duplicate and no gap", () => {
    expect(at(results, "paging.duplicates")).toBe(0);
    expect(at(results, "paging.gaps")).toBe(0);
    expect(at(results, "paging.key_collisions_upstream")).toBe(0);
    expect(at(results, "paging.rows")).toBe(at(results, "paging.expected_rows"));
    expect(at(results, "paging.pages")).toBeGreaterThan(1);
  });

  it("keeps upstream requests within the concurrency cap", () => {
    const peak = at(results, "concurrency.max_in_flight") as number;
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(at(results, "concurrency.cap") as number);
    expect(at(results, "concurrency.upstream_requests")).toBeGreaterThanOrEqual(200);
  });

  it("prints a table with the targets", () => {
    expect(stdout).toContain("tools/list model view");
    expect(stdout).toContain(".ai fields");
    expect(stdout).toMatch(/target\s+value\s+range\s+goal\s+met/);
  });
});

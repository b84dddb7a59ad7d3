// The benchmark must keep running: a quick pass of every section, checked for shape and for
// the correctness figures (paging without duplicates or gaps, concurrency within the cap).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../../bench/run.mjs", import.meta.url));
// Every section of the benchmark itself (the emulator's own section is left to its owner).
const SECTIONS = "tools_list,output,startup,latency,paging,concurrency,cache,memory";
const LIST_TOOLS = [
  "backlinks_backlinks",
  "backlinks_referring_domains",
  "backlinks_domain_pages_summary",
  "backlinks_bulk_new_lost_referring_domains",
];
const FORMATS = ["text", "json", "raw_json", "official_style"];

type Results = Record<string, unknown>;

function at(results: Results, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Results)[k] : undefined), results);
}

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
        { timeout: 150_000, maxBuffer: 10_000_000 },
        (err, so, se) => (err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so)),
      );
    });
    results = JSON.parse(readFileSync(out, "utf8")) as Results;
  }, 160_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports every required figure as a finite number", () => {
    const keys = [
      "tools_list.tokens",
      "tools_list.chars",
      "startup.initialize_ms_p50",
      "startup.initialize_ms_p90",
      "startup.bare_ms_p50",
      "startup.ratio_p50",
      "latency.overhead_ratio_p50",
      "latency.overhead_ratio_p95",
      "latency.overhead_ratio_p50_10",
      "latency.overhead_ratio_p50_1000",
      "memory.peak_rss_mb",
      "memory.growth_mb",
      "paging.rows",
      "paging.ms_per_page",
      "cache.hit_ms_p50",
      "cache.miss_ms_p50",
      "cache.rss_per_cached_1000_rows_mb",
      "concurrency.max_in_flight",
      "concurrency.wall_ratio",
    ];
    for (const tool of LIST_TOOLS) {
      keys.push(`output.${tool}.text_vs_tsv_ratio`);
      for (const format of FORMATS) keys.push(`output.${tool}.${format}.tokens_per_row`, `output.${tool}.${format}.tokens_per_row_10`);
    }
    const bad = keys.filter((k) => typeof at(results, k) !== "number" || !Number.isFinite(at(results, k) as number));
    expect(bad).toEqual([]);
    expect(results.tokenizer).toMatch(/o200k/);
    expect(at(results, "machine.cores")).toBeGreaterThan(0);
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

  it("shows fewer tokens per row in text than in the official style", () => {
    for (const tool of LIST_TOOLS.slice(0, 3)) {
      expect(at(results, `output.${tool}.text.tokens_per_row`) as number).toBeLessThan(
        at(results, `output.${tool}.official_style.tokens_per_row`) as number,
      );
    }
  });

  it("prints a table with the targets", () => {
    expect(stdout).toContain("tools/list");
    expect(stdout).toContain("official_style");
    expect(stdout).toMatch(/target\s+value\s+goal\s+met/);
  });
});

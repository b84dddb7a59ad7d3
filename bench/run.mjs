#!/usr/bin/env node
// npm run bench: tokens, start-up, latency overhead, memory, paging and concurrency of the
// server, each against its baseline measured in the same run. Offline, loopback only.
//
//   node bench/run.mjs                   every section; writes bench/results.json
//   node bench/run.mjs --quick           few iterations (smoke test); writes nothing unless --out
//   node bench/run.mjs --only latency    one section (comma-separated for several); writes nothing unless --out
//   node bench/run.mjs --out FILE        write the results to FILE instead
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PINNED_NOW, startBenchEmulator } from "./lib/upstream.mjs";
import { TOKENIZER } from "./lib/tokens.mjs";
import { round } from "./lib/stats.mjs";
import { runToolsList } from "./sections/tools-list.mjs";
import { runOutput } from "./sections/output.mjs";
import { runStartup } from "./sections/startup.mjs";
import { runLatency } from "./sections/latency.mjs";
import { runPhases } from "./sections/phases.mjs";
import { runPaging } from "./sections/paging.mjs";
import { runConcurrency } from "./sections/concurrency.mjs";
import { runMemory } from "./sections/memory.mjs";
import { runCache } from "./sections/cache.mjs";
import { removeStateDirs } from "./lib/state.mjs";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));
const EMULATOR_BENCH = fileURLToPath(new URL("./emulator.mjs", import.meta.url));
const HTTP_BENCH = fileURLToPath(new URL("./sections/http.mjs", import.meta.url));

/** Section name → results key and runner. Order: cheap first, the long memory run last. */
const SECTIONS = [
  ["tools_list", runToolsList],
  ["output", runOutput],
  ["startup", runStartup],
  ["latency", runLatency],
  ["phases", runPhases],
  ["paging", runPaging],
  ["concurrency", runConcurrency],
  ["cache", runCache],
  ["memory", runMemory],
  ["http", runHttpSection],
  ["emulator", runEmulatorSection],
];

/** Hosted-mode HTTP figures live in sections/http.mjs (runHttp(ctx)) when present; skipped otherwise. */
async function runHttpSection(ctx) {
  if (!existsSync(HTTP_BENCH)) {
    ctx.log("  sections/http.mjs is not there: skipped");
    return undefined;
  }
  const mod = await import(pathToFileURL(HTTP_BENCH).href);
  if (typeof mod.runHttp !== "function") return undefined;
  return mod.runHttp(ctx);
}

/** The emulator's own benchmark lives in bench/emulator.mjs when present. */
async function runEmulatorSection(ctx) {
  if (!existsSync(EMULATOR_BENCH)) return undefined;
  const mod = await import(pathToFileURL(EMULATOR_BENCH).href);
  if (typeof mod.runEmulatorBench !== "function") return undefined;
  return mod.runEmulatorBench({ quick: ctx.quick, log: ctx.log });
}

export function parseArgs(argv) {
  const opts = { quick: false, only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--only") opts.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (a.startsWith("--only=")) opts.only = a.slice(7).split(",").filter(Boolean);
    else if (a === "--out") opts.out = argv[++i] ?? null;
    else if (a.startsWith("--out=")) opts.out = a.slice(6);
    else throw new Error(`unknown argument '${a}' (use --quick, --only <section>, --out <file>)`);
  }
  const names = SECTIONS.map(([n]) => n);
  for (const n of opts.only ?? []) {
    if (!names.includes(n)) throw new Error(`unknown section '${n}' (one of ${names.join(", ")})`);
  }
  return opts;
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model?.trim() ?? "unknown",
    cores: cpu.length,
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The targets, judged on the median of the repeats; `range` is [min, max] where there are repeats. */
export function checkTargets(r) {
  const t = [];
  const add = (name, value, op, limit, range) => {
    if (value === undefined || value === null || Number.isNaN(value)) return;
    const met = op === "<=" ? value <= limit : value === limit;
    t.push({ name, value, ...(range ? { range } : {}), target: `${op} ${limit}`, met });
  };
  const rng = (s) => (s && typeof s === "object" ? [s.min, s.max] : undefined);
  add("backlinks text tokens/row, default columns (100 rows)", r.output?.backlinks_backlinks?.text, "<=", 40);
  add("model-visible tools/list + instructions, default toolset (tokens)", r.tools_list?.default?.model_tokens, "<=", 2000);
  add("  stretch", r.tools_list?.default?.model_tokens, "<=", 1500);
  add("model-visible tools/list + instructions, the 22 endpoint tools (tokens)", r.tools_list?.endpoints?.model_tokens, "<=", 5000);
  add("  stretch", r.tools_list?.endpoints?.model_tokens, "<=", 4500);
  add("model-visible tools/list + instructions, all toolsets with workflows (tokens)", r.tools_list?.all?.model_tokens, "<=", 5000);
  const l = r.latency?.rows_100;
  add("time added per 100-row call p50, ledger on disk (ms)", l?.added_ms_p50?.median, "<=", 1.0, rng(l?.added_ms_p50));
  add("time added per 100-row call p50, state in memory (ms)", l?.added_ms_p50_state_in_memory?.median, "<=", 1.0, rng(l?.added_ms_p50_state_in_memory));
  add("cold start vs bare SDK server, same output schemas (p50 ratio)", r.startup?.ratio_p50?.median, "<=", 1.3, rng(r.startup?.ratio_p50));
  add("peak RSS after 1,000 x 1,000-row calls (MB)", r.memory?.peak_rss_mb, "<=", 200);
  add("peak RSS after 320 x 100-row calls (MB)", r.memory?.peak_rss_mb_small, "<=", 100);
  if (r.memory?.growth_beyond_spread !== undefined) add("RSS growth over 9,000 calls beyond the GC spread", r.memory.growth_beyond_spread, "==", false);
  add("paging duplicates", r.paging?.duplicates, "==", 0);
  add("paging gaps", r.paging?.gaps, "==", 0);
  add("max in flight vs cap", r.concurrency?.max_in_flight, "<=", r.concurrency?.cap ?? 30);
  return t;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

const fmt = (s) => (s && typeof s === "object" ? `${s.median} (${s.min}-${s.max})` : String(s));

export function report(r) {
  const out = [];
  if (r.output) {
    const rows = [["tool", "rows", "text", "text, .ai fields", ".ai JSON", "raw JSON", "equal/.ai", "equal/raw"]];
    for (const [tool, f] of Object.entries(r.output)) {
      if (!f || typeof f !== "object") continue;
      rows.push([tool, f.rows, f.text, f.text_ai_fields, f.ai_json, f.raw_json, f.text_ai_fields_vs_ai_json, f.text_ai_fields_vs_raw_json]);
    }
    out.push(`Output tokens per row (${r.tokenizer})`, table(rows), "");
  }
  const lines = [["figure", "value", "baseline"]];
  if (r.tools_list) {
    for (const k of ["default", "endpoints", "all"]) {
      const x = r.tools_list[k];
      if (!x) continue;
      lines.push([`tools/list model view, ${k}`, `${x.model_tokens} tokens (${x.tools} tools ${x.tools_tokens} + instructions ${x.instructions_tokens})`, `wire ${x.wire_tokens} tokens, ${x.wire_chars} chars`]);
    }
  }
  if (r.startup) lines.push(["cold start p50", `${fmt(r.startup.initialize_ms_p50)} ms`, `bare ${fmt(r.startup.bare_ms_p50)} ms, ratio ${fmt(r.startup.ratio_p50)}`]);
  if (r.latency) {
    for (const n of [10, 100, 1000]) {
      const l = r.latency[`rows_${n}`];
      if (!l) continue;
      const inMemory = l.added_ms_p50_state_in_memory ? `; state in memory: added ${fmt(l.added_ms_p50_state_in_memory)} ms` : "";
      lines.push([`latency ${n} rows p50`, `${fmt(l.disk_ms_p50)} ms, added ${fmt(l.added_ms_p50)} ms`, `direct ${fmt(l.direct_ms_p50)} ms${inMemory}`]);
      lines.push([`  minimal MCP server, ${n} rows`, `added ${fmt(l.minimal_server_added_ms_p50)} ms`, `ours beyond it ${fmt(l.added_beyond_minimal_server_ms_p50)} ms`]);
    }
    const together = r.latency.rows_100?.added_ms_p50_all_in_one_rotation;
    if (together) {
      lines.push([
        "  100 rows, every server in one rotation",
        `added ${fmt(together)} ms`,
        `minimal MCP server ${fmt(r.latency.rows_100.minimal_server_added_ms_p50_all_in_one_rotation)} ms; the method of earlier runs`,
      ]);
    }
    const old = r.latency.rows_100?.added_ms_p50_upstream_in_bench_process;
    if (old) lines.push(["  100 rows, emulator in the bench's process", `added ${fmt(old)} ms`, "the baseline before this round"]);
    lines.push(["bare SDK echo call p50", `${r.latency.bare_call_ms_p50} ms`, "stdio + SDK floor"]);
    lines.push(["100 rows added, beyond that floor", `${r.latency.added_beyond_stdio_floor_ms_p50} ms`, "added p50 - echo p50"]);
  }
  if (r.phases) {
    const names = { before_request_ms: "before the upstream request", upstream_ms: "upstream exchange", after_response_ms: "after the response, to the answer", total_ms: "in the server, in all" };
    for (const [key, label] of Object.entries(names)) {
      lines.push([`100-row call: ${label}`, `${fmt(r.phases.ours[key])} ms`, `minimal MCP server ${fmt(r.phases.minimal[key])} ms`]);
    }
  }
  if (r.cache) {
    const c = r.cache;
    lines.push(["cache hit, 1,000 rows p50", `${fmt(c.hit_ms_p50)} ms`, `upstream ${fmt(c.miss_ms_p50)} ms`]);
    lines.push(["RSS per cached 1,000-row backlinks response", `${fmt(c.rss_per_cached_response_mb)} MB`, `the bound counts ${fmt(c.accounted_per_cached_response_mb)} MB`]);
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(["peak RSS", `${m.peak_rss_mb} MB after ${m.large_calls} x ${m.large_rows_per_call} rows`, `start ${m.start_rss_mb} MB`]);
    lines.push(["peak RSS", `${m.peak_rss_mb_small} MB after ${m.small_calls} x ${m.small_rows_per_call} rows`, ""]);
    lines.push([
      `RSS over ${m.growth_calls} more calls`,
      `median ${m.rss_median_first_window_mb} -> ${m.rss_median_last_window_mb} MB, trend ${m.growth_trend_mb} MB (second half ${m.growth_trend_second_half_mb} MB), floor ${m.rss_floor_first_window_mb} -> ${m.rss_floor_last_window_mb} MB`,
      `sawtooth p5-p95 ${m.rss_p5_mb}-${m.rss_p95_mb} MB (${m.sawtooth_mb} MB)`,
    ]);
  }
  if (r.paging) {
    const p = r.paging;
    lines.push(["paging", `${p.rows} rows / ${p.pages} pages, ${fmt(p.ms_per_page)} ms/page`, `direct ${fmt(p.direct_ms_per_page)} ms/page; duplicates ${p.duplicates}, gaps ${p.gaps}`]);
  }
  if (r.concurrency) {
    const c = r.concurrency;
    lines.push(["concurrency", `peak ${c.max_in_flight} in flight (cap ${c.cap}), ${fmt(c.wall_ms)} ms`, `ideal ${c.ideal_ms} ms (x${c.wall_ratio})`]);
  }
  if (lines.length > 1) out.push(table(lines), "");
  if (r.targets?.length) {
    out.push(
      table([["target", "value", "range", "goal", "met"], ...r.targets.map((t) => [t.name, t.value, t.range ? `${t.range[0]}-${t.range[1]}` : "", t.target, t.met ? "yes" : "NO"])]),
      "",
    );
  }
  return out.join("\n");
}

export async function runBench(opts, log = (line) => process.stderr.write(`${line}\n`)) {
  const started = performance.now();
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    load_average_start: loadavg().map((x) => round(x, 1)),
    emulator_date: PINNED_NOW,
    tokenizer: TOKENIZER,
    quick: opts.quick,
  };
  for (const [name, run] of SECTIONS) {
    if (opts.only && !opts.only.includes(name)) continue;
    log(`${name}...`);
    const t = performance.now();
    // A fresh emulator per section: each emulator account starts with the same balance.
    const emulator = await startBenchEmulator();
    try {
      const value = await run({ emulatorUrl: emulator.url, quick: opts.quick, log });
      if (value !== undefined) results[name] = value;
    } finally {
      await emulator.close();
      removeStateDirs();
    }
    log(`  (${round((performance.now() - t) / 1000, 1)} s)`);
  }
  results.load_average_end = loadavg().map((x) => round(x, 1));
  results.targets = checkTargets(results);
  results.seconds = round((performance.now() - started) / 1000, 1);
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const results = await runBench(opts);
  process.stdout.write(report(results));
  process.stdout.write(`\ntotal ${results.seconds} s on ${results.machine.cores} x ${results.machine.cpu}, node ${results.machine.node}\n`);
  const out = opts.out ?? (opts.quick || opts.only ? null : RESULTS);
  if (out) {
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`results written to ${out}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}

#!/usr/bin/env node
// npm run bench: tokens, start-up, latency overhead, memory, paging and concurrency of the
// server, each against its baseline measured in the same run. Offline, loopback only.
//
//   node bench/run.mjs                   every section; writes bench/results.json
//   node bench/run.mjs --quick           few iterations (smoke test); writes nothing unless --out
//   node bench/run.mjs --only latency    one section (comma-separated for several); writes nothing unless --out
//   node bench/run.mjs --out FILE        write the results to FILE instead
import { existsSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startBenchEmulator } from "./lib/upstream.mjs";
import { TOKENIZER } from "./lib/tokens.mjs";
import { round } from "./lib/stats.mjs";
import { runToolsList } from "./sections/tools-list.mjs";
import { runOutput } from "./sections/output.mjs";
import { runStartup } from "./sections/startup.mjs";
import { runLatency } from "./sections/latency.mjs";
import { runPaging } from "./sections/paging.mjs";
import { runConcurrency } from "./sections/concurrency.mjs";
import { runMemory } from "./sections/memory.mjs";
import { runCache } from "./sections/cache.mjs";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));
const EMULATOR_BENCH = fileURLToPath(new URL("./emulator.mjs", import.meta.url));

/** Section name → results key and runner. Order: cheap first, the long memory run last. */
const SECTIONS = [
  ["tools_list", runToolsList],
  ["output", runOutput],
  ["startup", runStartup],
  ["latency", runLatency],
  ["paging", runPaging],
  ["concurrency", runConcurrency],
  ["cache", runCache],
  ["memory", runMemory],
  ["emulator", runEmulatorSection],
];

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

/** The targets, checked against the results. */
export function checkTargets(r) {
  const t = [];
  const add = (name, value, op, limit) => {
    if (value === undefined) return;
    const met = op === "<=" ? value <= limit : value === limit;
    t.push({ name, value, target: `${op} ${limit}`, met });
  };
  const bl = r.output?.backlinks_backlinks;
  add("backlinks text tokens/row (100 rows)", bl?.text?.tokens_per_row, "<=", 40);
  add("backlinks text vs bare TSV (100 rows)", bl?.text_vs_tsv_ratio, "<=", 1.15);
  add("tools/list tokens", r.tools_list?.tokens, "<=", 1500);
  add("cold start vs bare SDK server (p50)", r.startup?.ratio_p50, "<=", 1.3);
  add("latency overhead ratio p50 (100 rows)", r.latency?.overhead_ratio_p50, "<=", 1.1);
  add("peak RSS MB (1,000 calls x 1,000 rows)", r.memory?.peak_rss_mb, "<=", 80);
  add("RSS growth MB (calls 1,000 -> 10,000)", r.memory?.growth_mb, "<=", 5);
  add("paging duplicates", r.paging?.duplicates, "==", 0);
  add("paging gaps", r.paging?.gaps, "==", 0);
  add("max in flight vs cap", r.concurrency?.max_in_flight, "<=", r.concurrency?.cap ?? 30);
  return t;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

export function report(r) {
  const out = [];
  if (r.output) {
    const rows = [["tool", "format", "tok/row 10", "tok/row 100", "tok/row 1000"]];
    for (const [tool, f] of Object.entries(r.output)) {
      for (const format of ["text", "json", "raw_json", "official_style", "bare_tsv"]) {
        const x = f[format];
        rows.push([tool, format, x.tokens_per_row_10 ?? "-", x.tokens_per_row ?? "-", x.tokens_per_row_1000 ?? "-"]);
      }
      const q = f.text_vs_tsv;
      rows.push([tool, "text/TSV ratio", q.ratio_10 ?? "-", q.ratio ?? "-", q.ratio_1000 ?? "-"]);
    }
    out.push(`Output tokens (${r.tokenizer})`, table(rows), "");
  }
  const lines = [["figure", "value", "baseline"]];
  if (r.tools_list) lines.push(["tools/list", `${r.tools_list.tokens} tokens, ${r.tools_list.chars} chars`, `${r.tools_list.tools} tools`]);
  if (r.startup) {
    const s = r.startup;
    lines.push(["cold start p50 / p90", `${s.initialize_ms_p50} / ${s.initialize_ms_p90} ms`, `bare ${s.bare_ms_p50} / ${s.bare_ms_p90} ms (x${s.ratio_p50} / x${s.ratio_p90})`]);
  }
  if (r.latency) {
    for (const n of [10, 100, 1000]) {
      const l = r.latency[`rows_${n}`];
      if (n === 10 && r.latency.bare_call_ms_p50 !== undefined) {
        lines.push(["bare SDK echo call p50 / p95", `${r.latency.bare_call_ms_p50} / ${r.latency.bare_call_ms_p95} ms`, "stdio + SDK floor"]);
      }
      lines.push([`latency ${n} rows p50 / p95`, `${l.server_ms_p50} / ${l.server_ms_p95} ms`, `direct ${l.direct_ms_p50} / ${l.direct_ms_p95} ms (x${l.ratio_p50} / x${l.ratio_p95})`]);
    }
  }
  if (r.cache) {
    const c = r.cache;
    lines.push(["cache hit, 1,000 rows p50", `${c.hit_ms_p50} ms`, `upstream ${c.miss_ms_p50} ms (x${c.hit_vs_miss_ratio_p50})`]);
    lines.push(["memory per cached 1,000-row response", `${c.rss_per_cached_1000_rows_mb} MB RSS`, `cache accounts ${c.cache_accounted_mb} MB for ${c.cache_entries} responses`]);
  }
  if (r.memory) {
    const m = r.memory;
    lines.push(["peak RSS", `${m.peak_rss_mb} MB after ${m.calls_first} calls`, `start ${m.start_rss_mb} MB`]);
    lines.push(["RSS growth (trend)", `${m.growth_mb} MB over calls ${m.calls_first} -> ${m.calls_total}`, `window medians ${m.rss_at_first_mb} -> ${m.rss_at_end_mb} MB; range ${m.rss_min_mb}-${m.rss_max_mb} MB`]);
    lines.push(["peak RSS, 1 cursor kept", `${m.peak_rss_mb_cursor_max_1} MB`, "DATAFORSEO_CURSOR_MAX=1"]);
  }
  if (r.paging) {
    const p = r.paging;
    lines.push(["paging", `${p.rows} rows / ${p.pages} pages, ${p.ms_per_page} ms/page`, `direct ${p.direct_ms_per_page} ms/page; duplicates ${p.duplicates}, gaps ${p.gaps}`]);
  }
  if (r.concurrency) {
    const c = r.concurrency;
    lines.push(["concurrency", `peak ${c.max_in_flight} in flight (cap ${c.cap}), ${c.wall_ms} ms`, `ideal ${c.ideal_ms} ms (x${c.wall_ratio})`]);
  }
  if (lines.length > 1) out.push(table(lines), "");
  if (r.targets?.length) {
    out.push(table([["target", "value", "goal", "met"], ...r.targets.map((t) => [t.name, t.value, t.target, t.met ? "yes" : "NO"])]), "");
  }
  return out.join("\n");
}

export async function runBench(opts, log = (line) => process.stderr.write(`${line}\n`)) {
  const started = performance.now();
  const results = { date: new Date().toISOString(), machine: machine(), tokenizer: TOKENIZER, quick: opts.quick };
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
    }
    log(`  (${round((performance.now() - t) / 1000, 1)} s)`);
  }
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

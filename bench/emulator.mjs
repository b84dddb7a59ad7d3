#!/usr/bin/env node
// Emulator benchmark: in-process start time, the first (cold) forbes.com page, the latency of
// warm 1,000-row backlinks pages posted directly with undici, and the first call of every live
// endpoint on forbes.com with the graph cache cleared (cold) and repeated.
// Build first: npx tsc -p tsconfig.json
//
//   node bench/emulator.mjs            full run
//   node bench/emulator.mjs --quick    fewer iterations
import { request } from "undici";
import { fileURLToPath } from "node:url";

const AUTH = `Basic ${Buffer.from("demo:demo").toString("base64")}`;

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
const r2 = (n) => Math.round(n * 100) / 100;

/** One forbes.com-sized request per live endpoint (the others are bounded by their inputs). */
const ENDPOINT_CALLS = [
  ["summary", { target: "forbes.com" }],
  ["history", { target: "forbes.com" }],
  ["backlinks", { target: "forbes.com", limit: 100 }],
  ["anchors", { target: "forbes.com" }],
  ["domain_pages", { target: "forbes.com" }],
  ["domain_pages_summary", { target: "forbes.com" }],
  ["referring_domains", { target: "forbes.com" }],
  ["referring_networks", { target: "forbes.com" }],
  ["competitors", { target: "forbes.com" }],
  ["domain_intersection", { targets: { 1: "forbes.com", 2: "cnn.com" } }],
  ["page_intersection", { targets: { 1: "forbes.com", 2: "cnn.com" } }],
  ["timeseries_summary", { target: "forbes.com", group_range: "day" }],
  ["timeseries_new_lost_summary", { target: "forbes.com", group_range: "day" }],
  ["bulk_ranks", { targets: ["forbes.com"] }],
  ["bulk_backlinks", { targets: ["forbes.com"] }],
  ["bulk_spam_score", { targets: ["forbes.com"] }],
  ["bulk_referring_domains", { targets: ["forbes.com"] }],
  ["bulk_new_lost_backlinks", { targets: ["forbes.com"] }],
  ["bulk_new_lost_referring_domains", { targets: ["forbes.com"] }],
  ["bulk_pages_summary", { targets: ["https://www.forbes.com/"] }],
];

async function postPage(url, task, fn = "backlinks") {
  const t0 = performance.now();
  const res = await request(`${url}/v3/backlinks/${fn}/live`, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body: JSON.stringify([task]),
  });
  const text = await res.body.text();
  const ms = performance.now() - t0;
  const body = JSON.parse(text);
  const t = body.tasks?.[0];
  if (res.statusCode !== 200 || t?.status_code !== 20000) throw new Error(`HTTP ${res.statusCode} ${t?.status_message ?? body.status_message}`);
  return { ms, bytes: Buffer.byteLength(text), items: t.result[0].items_count ?? 1 };
}

export async function runEmulatorBench({ quick = false, log = console.log } = {}) {
  const importStart = performance.now();
  const { startEmulator } = await import("../dist/emulator/index.js");
  const { clearGraphCache } = await import("../dist/emulator/graph.js");
  const importMs = performance.now() - importStart;

  const starts = [];
  for (let i = 0; i < (quick ? 10 : 20); i++) {
    const t0 = performance.now();
    const emu = await startEmulator({ port: 0 });
    starts.push(performance.now() - t0);
    await emu.close();
  }

  const emu = await startEmulator({ port: 0 });
  try {
    // Cold: generating the forbes.com graph and sorting it, then serving the first page.
    const cold = await postPage(emu.url, { target: "forbes.com", limit: 1000 });
    // Warm-up, then measure pages at offsets spread over the first 20,000 rows.
    for (let i = 0; i < 5; i++) await postPage(emu.url, { target: "forbes.com", limit: 1000, offset: i * 1000 });
    const runs = quick ? 50 : 200;
    const times = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const p = await postPage(emu.url, { target: "forbes.com", limit: 1000, offset: (i % 20) * 1000 });
      if (p.items !== 1000) throw new Error(`expected 1000 rows, got ${p.items}`);
      times.push(p.ms);
      bytes = p.bytes;
    }
    // First call of every endpoint on forbes.com: cold (graph cache cleared) and repeated (graph and query results memoised).
    const endpoints = {};
    for (const [fn, task] of ENDPOINT_CALLS) {
      clearGraphCache();
      const cold = await postPage(emu.url, task, fn);
      const repeat = await postPage(emu.url, task, fn);
      endpoints[fn] = { cold_ms: r2(cold.ms), repeat_ms: r2(repeat.ms) };
    }
    const result = {
      endpoints_first_call_forbes: endpoints,
      import_ms: r2(importMs),
      start_ms_median: r2(percentile(starts, 50)),
      start_ms_max: r2(Math.max(...starts)),
      start_runs: starts.length,
      cold_first_page_ms: r2(cold.ms),
      page_1000_ms_p50: r2(percentile(times, 50)),
      page_1000_ms_p95: r2(percentile(times, 95)),
      page_1000_runs: runs,
      page_1000_bytes: bytes,
    };
    log("emulator benchmark (in-process, loopback, undici)");
    log(`  module import                  ${result.import_ms} ms`);
    log(`  start (median of ${result.start_runs})          ${result.start_ms_median} ms (max ${result.start_ms_max} ms)`);
    log(`  first forbes.com page (cold)   ${result.cold_first_page_ms} ms  (graph generation + sort)`);
    log(`  1,000-row page, warm           p50 ${result.page_1000_ms_p50} ms  p95 ${result.page_1000_ms_p95} ms  over ${runs}  (${(bytes / 1e6).toFixed(2)} MB each)`);
    log("  first call per endpoint on forbes.com (cold: graph cache cleared; repeat: same call again)");
    for (const [fn, v] of Object.entries(endpoints)) log(`    ${fn.padEnd(32)} cold ${String(v.cold_ms).padStart(8)} ms   repeat ${String(v.repeat_ms).padStart(8)} ms`);
    return result;
  } finally {
    await emu.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runEmulatorBench({ quick: process.argv.includes("--quick") }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

// Measures backlinks_export and backlinks_audit on the built code (npm run build first):
//   node test/workflows/measure.mjs                      (response cache at its default 64 MB)
//   MEASURE_CACHE_MB=0 node test/workflows/measure.mjs   (cache off: the export's own footprint)
//   node --expose-gc test/workflows/measure.mjs          (also the live heap after collections)
//   MEASURE_FORMAT=jsonl node test/workflows/measure.mjs (jsonl or disavow instead of csv)
// The emulator runs in a child process so its memory and CPU are not counted. Reports: export throughput
// of local work (wall time minus time spent waiting for the emulator's answers), the server process's
// memory while exporting all 53,892 forbes.com backlinks, and the scorecard's size in o200k tokens.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { encode } from "gpt-tokenizer/encoding/o200k_base";

const dist = (p) => new URL(`../../dist/${p}`, import.meta.url).href;
const { loadConfig } = await import(dist("config.js"));
const { createDeps } = await import(dist("tools/deps.js"));
const { ENDPOINT_TOOLS } = await import(dist("tools/endpoints/index.js"));
const { runExport } = await import(dist("workflows/export.js"));
const { runAudit } = await import(dist("workflows/audit.js"));

function startEmulatorProcess() {
  const entry = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
  const child = spawn(process.execPath, [entry, "emulator", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve({ url: m[0], child });
    });
    child.on("exit", () => reject(new Error(`emulator exited: ${out}`)));
  });
}

const { url, child } = await startEmulatorProcess();
const exportDir = await mkdtemp(join(tmpdir(), "flows-measure-"));
try {
  const { config } = loadConfig([], { DATAFORSEO_LOGIN: "demo", DATAFORSEO_PASSWORD: "demo", DATAFORSEO_BASE_URL: url, DATAFORSEO_EXPORT_DIR: exportDir, DATAFORSEO_LOG_LEVEL: "silent", DATAFORSEO_STATE_DIR: `${exportDir}-state`, DATAFORSEO_CONFIRM_ABOVE_USD: "1000", DATAFORSEO_CACHE_MAX_MB: process.env.MEASURE_CACHE_MB ?? "64" });
  const deps = createDeps(config);
  const tools = new Map(ENDPOINT_TOOLS.map((t) => [t.name, t]));
  // Time spent waiting for upstream answers (request, emulator work, response body).
  let upstreamMs = 0;
  const post = deps.client.post.bind(deps.client);
  deps.client.post = async (...args) => {
    const t0 = performance.now();
    try {
      return await post(...args);
    } finally {
      upstreamMs += performance.now() - t0;
    }
  };
  // Warm the emulator's graph for forbes.com so its one-off generation is not counted.
  await runExport(deps, tools, { tool: "backlinks_backlinks", arguments: { target: "forbes.com", filters: ["dofollow", "=", false] }, max_rows: 1, max_cost_usd: 1 });
  upstreamMs = 0;
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let peakLive = 0;
  let ticks = 0;
  const sampler = setInterval(() => {
    // With --expose-gc, every fourth sample collects first: the heap that is really held, not garbage.
    const collect = typeof globalThis.gc === "function" && ++ticks % 4 === 0;
    if (collect) globalThis.gc();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    if (collect) peakLive = Math.max(peakLive, m.heapUsed);
  }, 50);
  const t0 = performance.now();
  const format = process.env.MEASURE_FORMAT ?? "csv";
  const result = await runExport(deps, tools, { tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, format, max_rows: 100_000, max_cost_usd: 10 });
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  const out = result.structuredContent;
  const localMs = wallMs - upstreamMs;
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log(`export (${format}): ${out.rows} rows, ${out.pages} pages, cost $${out.cost_usd}, wall ${(wallMs / 1000).toFixed(1)} s, waiting upstream ${(upstreamMs / 1000).toFixed(1)} s`);
  console.log(`export throughput of local work: ${Math.round(out.rows / (localMs / 1000))} rows/s (${(localMs / 1000).toFixed(2)} s local)`);
  console.log(`memory while exporting: rss ${mb(base.rss)} -> peak ${mb(peakRss)} MB, heapUsed ${mb(base.heapUsed)} -> peak ${mb(peakHeap)} MB (response cache holds up to ${mb(config.cacheMaxBytes)} MB)`);
  if (peakLive > 0) console.log(`live heap after GC while exporting: peak ${mb(peakLive)} MB (cache bytes held at the end ${mb(deps.cache.bytes)} MB)`);

  const server = new McpServer({ name: "m", version: "0" });
  void server;
  const audit = await runAudit(deps, tools, { target: "forbes.com" });
  const text = audit.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
  if (audit.isError) console.log(`audit: error: ${text.slice(0, 300)}`);
  else console.log(`scorecard: ${encode(text).length} o200k tokens, ${text.length} chars`);
  await deps.client.close(0);
} finally {
  child.kill();
  await rm(exportDir, { recursive: true, force: true });
  await rm(`${exportDir}-state`, { recursive: true, force: true });
}

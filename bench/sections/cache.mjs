// The response cache: a repeated 1,000-row call answered from memory against the same call going
// upstream (first time), interleaved; and the server's memory per cached 1,000-row response.
import { connect, memoryOf, serverEnv, SERVER_ENTRY, textOf } from "../lib/mcp.mjs";
import { percentile, round, since } from "../lib/stats.mjs";

const TOOL = "backlinks_backlinks";

export async function runCache({ emulatorUrl, quick, log }) {
  const calls = quick ? 4 : 20;
  const fill = quick ? 5 : 40;
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(emulatorUrl, { DATAFORSEO_CACHE_MAX_MB: "1024", DATAFORSEO_RATE_PER_MINUTE: "100000" }),
  );
  try {
    // Warm-up on a query that is not measured.
    await server.call(TOOL, { target: "forbes.com", limit: 1000, offset: 20_000 });
    const miss = [];
    const hit = [];
    for (let i = 0; i < calls; i++) {
      const args = { target: "forbes.com", limit: 1000, offset: i * 500 };
      let start = performance.now();
      await server.call(TOOL, args);
      miss.push(since(start));
      start = performance.now();
      const again = await server.call(TOOL, args);
      hit.push(since(start));
      if (again.structuredContent?.source !== "cache") throw new Error("the repeated call did not come from the cache");
    }
    // Memory: distinct 1,000-row responses kept by the cache (held rows of each reply included).
    const before = memoryOf(server.pid).rssMb;
    for (let i = 0; i < fill; i++) {
      await server.call("backlinks_referring_domains", { target: "forbes.com", limit: 1000, offset: 1 + i });
    }
    const after = memoryOf(server.pid).rssMb;
    const usage = textOf(await server.call("backlinks_usage"));
    const accounted = /^cache\t(\d+) responses, ([\d.]+) of/m.exec(usage);
    const f = {
      calls,
      miss_ms_p50: round(percentile(miss, 50), 2),
      hit_ms_p50: round(percentile(hit, 50), 2),
      hit_ms_p95: round(percentile(hit, 95), 2),
      filled: fill,
      rss_per_cached_1000_rows_mb: round((after - before) / fill, 2),
      cache_entries: accounted ? Number(accounted[1]) : NaN,
      cache_accounted_mb: accounted ? Number(accounted[2]) : NaN,
    };
    f.hit_vs_miss_ratio_p50 = round(f.hit_ms_p50 / f.miss_ms_p50, 3);
    log(`  1,000-row call: upstream p50 ${f.miss_ms_p50} ms, cache hit p50 ${f.hit_ms_p50} ms (x${f.hit_vs_miss_ratio_p50}); ~${f.rss_per_cached_1000_rows_mb} MB RSS per cached response`);
    return f;
  } finally {
    await server.close();
  }
}

// The response cache, one response kind on both sides: backlinks_backlinks with 1,000 rows.
// Time: the first call (upstream) against the same call again (cache), interleaved over distinct
// offsets. Memory: the server's RSS growth while 40 more distinct 1,000-row backlinks responses
// enter the cache, per response, beside what the cache's byte bound counts for the same responses.
// One paging cursor is kept (DATAFORSEO_CURSOR_MAX=1), so held rows do not count as cache. Three
// repeats, each on a fresh server.
import { connect, memoryOf, serverEnv, SERVER_ENTRY, textOf } from "../lib/mcp.mjs";
import { percentile, round, since, spread } from "../lib/stats.mjs";

const TOOL = "backlinks_backlinks";
const REPEATS = 3;

async function cacheStats(server) {
  const usage = textOf(await server.call("backlinks_usage"));
  const m = /^cache\t(\d+) responses, ([\d.]+) of/m.exec(usage);
  return m ? { entries: Number(m[1]), mb: Number(m[2]) } : { entries: NaN, mb: NaN };
}

async function once(emulatorUrl, calls, fill, repeat) {
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(emulatorUrl, { DATAFORSEO_CACHE_MAX_MB: "1024", DATAFORSEO_RATE_PER_MINUTE: "100000", DATAFORSEO_CURSOR_MAX: "1" }),
  );
  try {
    await server.call(TOOL, { target: "forbes.com", limit: 1000, offset: 19_000 }); // warm-up, not measured
    const miss = [];
    const hit = [];
    for (let i = 0; i < calls; i++) {
      const args = { target: "forbes.com", limit: 1000, offset: repeat * 97 + i * 500 };
      let start = performance.now();
      await server.call(TOOL, args);
      miss.push(since(start));
      start = performance.now();
      const again = await server.call(TOOL, args);
      hit.push(since(start));
      if (again.structuredContent?.source !== "cache") throw new Error("the repeated call did not come from the cache");
    }
    const before = { rss: memoryOf(server.pid).rssMb, ...(await cacheStats(server)) };
    for (let i = 0; i < fill; i++) {
      await server.call(TOOL, { target: "forbes.com", limit: 1000, offset: 10_000 + repeat * 131 + i * 7 });
    }
    const after = { rss: memoryOf(server.pid).rssMb, ...(await cacheStats(server)) };
    const added = after.entries - before.entries;
    return {
      miss: percentile(miss, 50),
      hit: percentile(hit, 50),
      rssPer: (after.rss - before.rss) / added,
      accountedPer: (after.mb - before.mb) / added,
    };
  } finally {
    await server.close();
  }
}

export async function runCache({ emulatorUrl, quick, log }) {
  const calls = quick ? 3 : 10;
  const fill = quick ? 5 : 40;
  const runs = [];
  for (let r = 0; r < REPEATS; r++) runs.push(await once(emulatorUrl, calls, fill, r));
  const f = {
    repeats: REPEATS,
    response: "backlinks_backlinks, 1,000 rows",
    miss_ms_p50: spread(runs.map((x) => x.miss), 1),
    hit_ms_p50: spread(runs.map((x) => x.hit), 2),
    hit_vs_miss_ratio_p50: spread(runs.map((x) => x.hit / x.miss), 3),
    rss_per_cached_response_mb: spread(runs.map((x) => x.rssPer), 2),
    accounted_per_cached_response_mb: spread(runs.map((x) => x.accountedPer), 2),
    filled_per_repeat: fill,
  };
  log(
    `  1,000-row backlinks: upstream p50 ${f.miss_ms_p50.median} ms, cache hit ${f.hit_ms_p50.median} ms; ` +
      `${f.rss_per_cached_response_mb.median} MB RSS per cached response, the bound counts ${f.accounted_per_cached_response_mb.median} MB`,
  );
  return f;
}

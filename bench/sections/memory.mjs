// Memory of the server process: peak RSS after 1,000 calls of 1,000 rows, then RSS growth over
// 9,000 more calls (a leak check). Cache off and distinct offsets, so every call goes upstream.
// A second, shorter run with one paging cursor kept shows how much of the peak is held rows.
import { connect, memoryOf, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { startRelay } from "../lib/relay.mjs";
import { median, pool, round, since, slope } from "../lib/stats.mjs";

const SAMPLE_EVERY = 10;
const ROWS = 1000;
// Calls in flight at once: keeps both cores busy (emulator in this process, server in its own).
const WIDTH = 2;

async function measure({ firstCalls, totalCalls, env, log }) {
  // Each emulator account has a fixed balance: a relay moves to a fresh emulator every 1,000 calls.
  const relay = await startRelay({ rotateEvery: 1000 });
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(relay.url, { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_RATE_PER_MINUTE: "100000", ...env }),
  );
  const pid = server.pid;
  const samples = []; // [calls done, RSS MB]
  let done = 0;
  const call = async (i) => {
    await server.call("backlinks_backlinks", { target: "forbes.com", limit: ROWS, offset: (i % 20) * 1000 });
    done++;
    if (done % SAMPLE_EVERY === 0) samples.push([done, memoryOf(pid).rssMb]);
  };
  try {
    const start = performance.now();
    const startRss = memoryOf(pid).rssMb;
    await pool(firstCalls, WIDTH, call);
    const peak = memoryOf(pid).hwmMb;
    log(`  ${firstCalls} calls in ${round(since(start) / 1000, 1)} s, peak RSS ${round(peak, 1)} MB`);
    if (totalCalls > firstCalls) await pool(totalCalls - firstCalls, WIDTH, (i) => call(firstCalls + i));
    // RSS moves with every GC cycle: compare the medians of the last 10% of calls before each mark.
    const window = (mark) => samples.filter(([n]) => n > mark - mark / 10 && n <= mark).map(([, mb]) => mb);
    // The trend: least-squares slope of RSS over the later calls, times their number. Steadier
    // than two points, since RSS swings by tens of MB with each major GC.
    const later = samples.filter(([n]) => n >= firstCalls);
    return {
      startRss,
      peak,
      samples,
      trend: slope(later) * (totalCalls - firstCalls),
      rssFirst: median(window(firstCalls)),
      rssEnd: median(window(totalCalls)),
      peakEnd: memoryOf(pid).hwmMb,
      seconds: since(start) / 1000,
    };
  } finally {
    await server.close();
    await relay.close();
  }
}

export async function runMemory({ quick, log }) {
  const firstCalls = quick ? 10 : 1000;
  const totalCalls = quick ? 30 : 10_000;
  const main = await measure({ firstCalls, totalCalls, env: {}, log });
  log(`  RSS median at call ${firstCalls}: ${round(main.rssFirst, 1)} MB, at call ${totalCalls}: ${round(main.rssEnd, 1)} MB, trend ${round(main.trend, 1)} MB`);
  const oneCursor = await measure({ firstCalls, totalCalls: firstCalls, env: { DATAFORSEO_CURSOR_MAX: "1" }, log });
  return {
    calls_first: firstCalls,
    calls_total: totalCalls,
    rows_per_call: ROWS,
    start_rss_mb: round(main.startRss, 1),
    peak_rss_mb: round(main.peak, 1),
    rss_at_first_mb: round(main.rssFirst, 1),
    rss_at_end_mb: round(main.rssEnd, 1),
    growth_mb: round(main.trend, 1),
    growth_mb_window_medians: round(main.rssEnd - main.rssFirst, 1),
    rss_min_mb: round(Math.min(...main.samples.filter(([n]) => n >= firstCalls).map(([, mb]) => mb)), 1),
    rss_max_mb: round(Math.max(...main.samples.filter(([n]) => n >= firstCalls).map(([, mb]) => mb)), 1),
    peak_rss_end_mb: round(main.peakEnd, 1),
    seconds: round(main.seconds, 1),
    // Same first run with DATAFORSEO_CURSOR_MAX=1: the peak without held rows of old cursors.
    peak_rss_mb_cursor_max_1: round(oneCursor.peak, 1),
    // RSS every 10th sample (every 100 calls), for plotting: [calls, MB].
    rss_series: main.samples.filter((_, i) => i % 10 === 9).map(([n, mb]) => [n, round(mb, 1)]),
  };
}

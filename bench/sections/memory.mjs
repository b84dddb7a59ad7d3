// Memory of the server process, default settings (cache off, so every call goes upstream):
// - large: peak RSS (VmHWM) after 1,000 calls of backlinks_backlinks with 1,000 rows each, two
//   at a time; each call holds ~750 rows for backlinks_next_page, as the default output budget says.
// - small: peak RSS after 320 calls of 100 rows; then the same process goes on to 9,320 calls, with
//   RSS sampled every 10 calls, to see whether it grows: the medians of the first and last 1,000
//   calls of the 9,000, and the least-squares trend, each beside the sawtooth of garbage collection
//   (the spread of RSS within a window).
import { connect, memoryOf, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { startRelay } from "../lib/relay.mjs";
import { median, percentile, pool, round, since, slope } from "../lib/stats.mjs";

const SAMPLE_EVERY = 10;
const WIDTH = 2;

async function run({ rows, first, total, log }) {
  // Each emulator account has a fixed balance: a relay moves to a fresh emulator every 1,000 calls.
  const relay = await startRelay({ rotateEvery: 1000 });
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(relay.url, { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_RATE_PER_MINUTE: "100000" }),
  );
  const pid = server.pid;
  const samples = [];
  let done = 0;
  const span = Math.floor(20_000 / rows);
  const call = async (i) => {
    await server.call("backlinks_backlinks", { target: "forbes.com", limit: rows, offset: (i % span) * rows });
    done++;
    if (done % SAMPLE_EVERY === 0) samples.push([done, memoryOf(pid).rssMb]);
  };
  try {
    const start = performance.now();
    const startRss = memoryOf(pid).rssMb;
    await pool(first, WIDTH, call);
    const peak = memoryOf(pid).hwmMb;
    const firstSeconds = since(start) / 1000;
    log(`  ${first} calls of ${rows} rows in ${round(firstSeconds, 1)} s: peak RSS ${round(peak, 1)} MB`);
    if (total > first) await pool(total - first, WIDTH, (i) => call(first + i));
    return { startRss, peak, samples, seconds: since(start) / 1000, endRss: memoryOf(pid).rssMb, peakEnd: memoryOf(pid).hwmMb };
  } finally {
    await server.close();
    await relay.close();
  }
}

function growth(samples, from, to) {
  const later = samples.filter(([n]) => n > from && n <= to);
  const windowSize = Math.max(SAMPLE_EVERY, Math.round((to - from) / 9));
  const win = (a, b) => later.filter(([n]) => n > a && n <= b).map(([, mb]) => mb);
  const head = win(from, from + windowSize);
  const tail = win(to - windowSize, to);
  const all = later.map(([, mb]) => mb);
  return {
    window_calls: windowSize,
    rss_median_first_window_mb: round(median(head), 1),
    rss_median_last_window_mb: round(median(tail), 1),
    growth_window_medians_mb: round(median(tail) - median(head), 1),
    growth_trend_mb: round(slope(later) * (to - from), 1),
    // Whether RSS has levelled off by the end: the fitted trend over the second half of the calls alone
    // (bounded stores, such as the paging store's cursors and tombstones, fill during the first half).
    growth_trend_second_half_mb: round(slope(later.filter(([n]) => n > (from + to) / 2)) * ((to - from) / 2), 1),
    // The sawtooth: the 5th–95th percentile of RSS over the whole stretch, and of each end window.
    rss_p5_mb: round(percentile(all, 5), 1),
    rss_p95_mb: round(percentile(all, 95), 1),
    sawtooth_mb: round(percentile(all, 95) - percentile(all, 5), 1),
    first_window_p95_mb: round(percentile(head, 95), 1),
    // The floor after garbage collection, which a leak would raise: the 5th percentile of each end window.
    rss_floor_first_window_mb: round(percentile(head, 5), 1),
    rss_floor_last_window_mb: round(percentile(tail, 5), 1),
  };
}

export async function runMemory({ quick, log }) {
  const large = quick ? { rows: 1000, first: 10, total: 10 } : { rows: 1000, first: 1000, total: 1000 };
  const small = quick ? { rows: 100, first: 20, total: 60 } : { rows: 100, first: 320, total: 9320 };
  const a = await run({ ...large, log });
  const b = await run({ ...small, log });
  const g = growth(b.samples, small.first, small.total);
  log(
    `  ${small.total - small.first} more calls of 100 rows: median RSS ${g.rss_median_first_window_mb} -> ${g.rss_median_last_window_mb} MB, trend ${g.growth_trend_mb} MB (second half ${g.growth_trend_second_half_mb} MB), sawtooth ${g.sawtooth_mb} MB`,
  );
  return {
    large_calls: large.first,
    large_rows_per_call: large.rows,
    start_rss_mb: round(a.startRss, 1),
    peak_rss_mb: round(a.peak, 1),
    large_seconds: round(a.seconds, 1),
    small_calls: small.first,
    small_rows_per_call: small.rows,
    peak_rss_mb_small: round(b.peak, 1),
    growth_calls: small.total - small.first,
    ...g,
    // Growth is "beyond the spread" when the rise from the first to the last window (medians) or the fitted
    // trend is larger than the garbage-collection sawtooth over the same calls. (Comparing with the first
    // window's own 95th percentile, as before, read the phase of a sawtooth longer than a window: the
    // same server came out either way from run to run.)
    growth_beyond_spread: Math.max(g.growth_window_medians_mb, g.growth_trend_mb) > g.sawtooth_mb,
    small_seconds: round(b.seconds, 1),
    rss_series_small: b.samples.filter((_, i) => i % 20 === 19).map(([n, mb]) => [n, round(mb, 1)]),
  };
}

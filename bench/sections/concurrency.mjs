// Bounded concurrency: 200 parallel calls against an emulator that answers after 200 ms;
// the server (default cap 30) must never exceed the cap and should finish near the ideal
// ceil(200 / 30) × 200 ms.
import { connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { startBenchEmulator } from "../lib/upstream.mjs";
import { round, since, spread } from "../lib/stats.mjs";

const REPEATS = 3;

const CAP = 30; // the server's default DATAFORSEO_MAX_CONCURRENCY
const LATENCY_MS = 200;

export async function runConcurrency({ log }) {
  const calls = 200;
  const emulator = await startBenchEmulator({ latencyMs: LATENCY_MS });
  const server = await connect(SERVER_ENTRY, serverEnv(emulator.url, { DATAFORSEO_CACHE_TTL_SECONDS: "0" }));
  try {
    // Warm the emulator's graph and the connection, then count only the burst.
    await server.call("backlinks_backlinks", { target: "forbes.com", limit: 10, offset: 0 });
    const walls = [];
    let peak = 0;
    let requests = Infinity;
    for (let rep = 0; rep < REPEATS; rep++) {
      emulator.resetStats();
      const start = performance.now();
      // Distinct offsets (also across repeats): identical concurrent calls would be shared, not sent.
      const results = await Promise.allSettled(
        Array.from({ length: calls }, (_, i) =>
          server.call("backlinks_backlinks", { target: "forbes.com", limit: 10, offset: 10 + rep * calls + i }),
        ),
      );
      walls.push(since(start));
      const failed = results.filter((r) => r.status === "rejected");
      if (failed.length > 0) throw new Error(`${failed.length} of ${calls} calls failed: ${failed[0].reason?.message}`);
      peak = Math.max(peak, emulator.stats().peakInFlight);
      requests = Math.min(requests, emulator.stats().requests);
    }
    const idealMs = Math.ceil(calls / CAP) * LATENCY_MS;
    const r = {
      calls,
      cap: CAP,
      latency_ms: LATENCY_MS,
      repeats: REPEATS,
      max_in_flight: peak,
      upstream_requests: requests,
      wall_ms: spread(walls, 0),
      ideal_ms: idealMs,
      wall_ratio: round(walls.sort((a, b) => a - b)[1] / idealMs, 2),
    };
    log(`  peak in flight ${r.max_in_flight} (cap ${CAP}), wall ${r.wall_ms.median} ms vs ideal ${idealMs} ms`);
    return r;
  } finally {
    await server.close();
    await emulator.close();
  }
}

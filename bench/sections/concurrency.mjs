// Bounded concurrency: 200 parallel calls against an emulator that answers after 200 ms;
// the server (default cap 30) must never exceed the cap and should finish near the ideal
// ceil(200 / 30) × 200 ms.
import { connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { startBenchEmulator } from "../lib/upstream.mjs";
import { round, since } from "../lib/stats.mjs";

const CAP = 30; // the server's default DATAFORSEO_MAX_CONCURRENCY
const LATENCY_MS = 200;

export async function runConcurrency({ log }) {
  const calls = 200;
  const emulator = await startBenchEmulator({ latencyMs: LATENCY_MS });
  const server = await connect(SERVER_ENTRY, serverEnv(emulator.url, { DATAFORSEO_CACHE_TTL_SECONDS: "0" }));
  try {
    // Warm the emulator's graph and the connection, then count only the burst.
    await server.call("backlinks_backlinks", { target: "forbes.com", limit: 10, offset: 0 });
    emulator.resetStats();
    const start = performance.now();
    // Distinct offsets: identical concurrent calls would be shared, not sent.
    const results = await Promise.allSettled(
      Array.from({ length: calls }, (_, i) =>
        server.call("backlinks_backlinks", { target: "forbes.com", limit: 10, offset: 10 + i }),
      ),
    );
    const wallMs = since(start);
    const failed = results.filter((r) => r.status === "rejected");
    if (failed.length > 0) throw new Error(`${failed.length} of ${calls} calls failed: ${failed[0].reason?.message}`);
    const stats = emulator.stats();
    const idealMs = Math.ceil(calls / CAP) * LATENCY_MS;
    const r = {
      calls,
      cap: CAP,
      latency_ms: LATENCY_MS,
      max_in_flight: stats.peakInFlight,
      upstream_requests: stats.requests,
      wall_ms: round(wallMs, 1),
      ideal_ms: idealMs,
      wall_ratio: round(wallMs / idealMs, 3),
    };
    log(`  peak in flight ${r.max_in_flight} (cap ${CAP}), wall ${r.wall_ms} ms vs ideal ${idealMs} ms`);
    return r;
  } finally {
    await server.close();
    await emulator.close();
  }
}

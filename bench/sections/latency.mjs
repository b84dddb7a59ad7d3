// Overhead of the server: a backlinks_backlinks call over stdio (cache off, default text) against
// a direct undici POST of the same task to the emulator, interleaved.
import { BARE_ENTRY, connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { directPost, PATHS } from "../lib/upstream.mjs";
import { percentile, round, since } from "../lib/stats.mjs";

const TOOL = "backlinks_backlinks";

export async function runLatency({ emulatorUrl, quick, log }) {
  const plan = quick
    ? [{ rows: 10, runs: 10 }, { rows: 100, runs: 10 }, { rows: 1000, runs: 4 }]
    : [{ rows: 10, runs: 300 }, { rows: 100, runs: 300 }, { rows: 1000, runs: 100 }];
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(emulatorUrl, { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_RATE_PER_MINUTE: "100000" }),
  );
  const out = {};
  try {
    for (const { rows, runs } of plan) {
      const task = { target: "forbes.com", limit: rows };
      const timeServer = async () => {
        const start = performance.now();
        await server.call(TOOL, task);
        return since(start);
      };
      const timeDirect = async () => {
        const start = performance.now();
        await directPost(emulatorUrl, PATHS[TOOL], task);
        return since(start);
      };
      // Warm-up: JIT, connection pools, the emulator's memo of this query.
      for (let i = 0; i < Math.min(10, runs); i++) {
        await timeServer();
        await timeDirect();
      }
      const viaServer = [];
      const direct = [];
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          viaServer.push(await timeServer());
          direct.push(await timeDirect());
        } else {
          direct.push(await timeDirect());
          viaServer.push(await timeServer());
        }
      }
      const f = {
        runs,
        server_ms_p50: round(percentile(viaServer, 50), 2),
        server_ms_p95: round(percentile(viaServer, 95), 2),
        direct_ms_p50: round(percentile(direct, 50), 2),
        direct_ms_p95: round(percentile(direct, 95), 2),
      };
      f.ratio_p50 = round(f.server_ms_p50 / f.direct_ms_p50, 3);
      f.ratio_p95 = round(f.server_ms_p95 / f.direct_ms_p95, 3);
      // What the server adds in absolute terms: against the real API (hundreds of ms) this is the figure that matters.
      f.added_ms_p50 = round(f.server_ms_p50 - f.direct_ms_p50, 2);
      out[`rows_${rows}`] = f;
      log(`  ${rows} rows: server p50 ${f.server_ms_p50} ms, direct p50 ${f.direct_ms_p50} ms, ratio ${f.ratio_p50}`);
    }
  } finally {
    await server.close();
  }
  // The floor of any stdio tool call: the bare SDK server's echo tool, same client.
  const bare = await connect(BARE_ENTRY, { PATH: process.env.PATH ?? "" });
  const echo = [];
  try {
    const runs = quick ? 10 : 300;
    for (let i = 0; i < runs + 10; i++) {
      const start = performance.now();
      await bare.call("echo", { text: "x" });
      if (i >= 10) echo.push(since(start));
    }
  } finally {
    await bare.close();
  }
  log(`  bare SDK echo call p50 ${round(percentile(echo, 50), 2)} ms`);
  return {
    bare_call_ms_p50: round(percentile(echo, 50), 2),
    bare_call_ms_p95: round(percentile(echo, 95), 2),
    overhead_ratio_p50: out.rows_100.ratio_p50,
    overhead_ratio_p95: out.rows_100.ratio_p95,
    overhead_ratio_p50_10: out.rows_10.ratio_p50,
    overhead_ratio_p95_10: out.rows_10.ratio_p95,
    overhead_ratio_p50_1000: out.rows_1000.ratio_p50,
    overhead_ratio_p95_1000: out.rows_1000.ratio_p95,
    ...out,
  };
}

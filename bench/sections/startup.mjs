// Cold start: spawn → initialize answered → tools/list answered, ours against a bare SDK server.
import { BARE_ENTRY, connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { percentile, round, since } from "../lib/stats.mjs";

async function coldStart(entry, env) {
  const start = performance.now();
  const server = await connect(entry, env);
  await server.client.listTools();
  const ms = since(start);
  await server.close(); // waits for the process to exit, so runs never overlap
  return ms;
}

export async function runStartup({ emulatorUrl, quick, log }) {
  const runs = quick ? 3 : 20;
  const env = serverEnv(emulatorUrl);
  const bareEnv = { PATH: process.env.PATH ?? "" };
  // One untimed start of each first, so both read their files from a warm page cache.
  await coldStart(SERVER_ENTRY, env);
  await coldStart(BARE_ENTRY, bareEnv);
  const ours = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, alternating which goes first.
    if (i % 2 === 0) {
      ours.push(await coldStart(SERVER_ENTRY, env));
      bare.push(await coldStart(BARE_ENTRY, bareEnv));
    } else {
      bare.push(await coldStart(BARE_ENTRY, bareEnv));
      ours.push(await coldStart(SERVER_ENTRY, env));
    }
  }
  const r = {
    runs,
    initialize_ms_p50: round(percentile(ours, 50), 1),
    initialize_ms_p90: round(percentile(ours, 90), 1),
    bare_ms_p50: round(percentile(bare, 50), 1),
    bare_ms_p90: round(percentile(bare, 90), 1),
  };
  r.ratio_p50 = round(r.initialize_ms_p50 / r.bare_ms_p50, 3);
  r.ratio_p90 = round(r.initialize_ms_p90 / r.bare_ms_p90, 3);
  log(`  ours p50 ${r.initialize_ms_p50} ms, bare p50 ${r.bare_ms_p50} ms`);
  return r;
}

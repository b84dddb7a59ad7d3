// Cold start: spawn → initialize answered → tools/list answered, ours against a bare SDK server
// that lists as many output schemas as ours (the client compiles each on tools/list).
// Interleaved, alternating which goes first; 3 repeats, each the p50 of its starts.
import { BARE_ENTRY, connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { percentile, round, since, spread } from "../lib/stats.mjs";

const REPEATS = 3;

async function coldStart(entry, env) {
  const start = performance.now();
  const server = await connect(entry, env);
  const list = await server.client.listTools();
  const ms = since(start);
  await server.close(); // waits for the process to exit, so runs never overlap
  return { ms, outputSchemas: list.tools.filter((t) => t.outputSchema).length };
}

export async function runStartup({ emulatorUrl, quick, log }) {
  const runs = quick ? 2 : 8;
  const env = serverEnv(emulatorUrl);
  // One untimed start of each first, so both read their files from a warm page cache.
  const { outputSchemas } = await coldStart(SERVER_ENTRY, env);
  const bareEnv = { PATH: process.env.PATH ?? "", BARE_OUTPUT_SCHEMAS: String(outputSchemas) };
  await coldStart(BARE_ENTRY, bareEnv);
  const ours = [];
  const bare = [];
  const ratios = [];
  for (let r = 0; r < REPEATS; r++) {
    const o = [];
    const b = [];
    for (let i = 0; i < runs; i++) {
      if ((r * runs + i) % 2 === 0) {
        o.push((await coldStart(SERVER_ENTRY, env)).ms);
        b.push((await coldStart(BARE_ENTRY, bareEnv)).ms);
      } else {
        b.push((await coldStart(BARE_ENTRY, bareEnv)).ms);
        o.push((await coldStart(SERVER_ENTRY, env)).ms);
      }
    }
    ours.push(percentile(o, 50));
    bare.push(percentile(b, 50));
    ratios.push(percentile(o, 50) / percentile(b, 50));
  }
  const r = {
    starts_per_repeat: runs,
    output_schemas_both: outputSchemas,
    initialize_ms_p50: spread(ours, 1),
    bare_ms_p50: spread(bare, 1),
    ratio_p50: spread(ratios, 2),
  };
  log(`  ours p50 ${r.initialize_ms_p50.median} ms, bare p50 ${r.bare_ms_p50.median} ms (${outputSchemas} output schemas each), ratio ${r.ratio_p50.median}`);
  return r;
}

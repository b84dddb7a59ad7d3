// Where a call's time goes, for our server and the minimal one (bench/bare-server.mjs `upstream`),
// measured the same way from outside their code (lib/phases-preload.cjs): before the upstream
// request is created, the upstream exchange, and after the whole response has arrived until the
// answer is written. The two servers' calls are interleaved against one emulator in its own
// process; each phase is the median over the calls of one run, in 3 runs (median, min, max).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BARE_ENTRY, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { PATHS, spawnEmulator } from "../lib/upstream.mjs";
import { spread } from "../lib/stats.mjs";

const PRELOAD = fileURLToPath(new URL("../lib/phases-preload.cjs", import.meta.url));
const TOOL = "backlinks_backlinks";
const PHASES = ["before_request_ms", "upstream_ms", "after_response_ms", "total_ms"];
const REPEATS = 3;

async function start(entry, env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: ["--require", PRELOAD, entry], env, stderr: "pipe" });
  const client = new Client({ name: "backlinks-bench-phases", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

export async function runPhases({ quick, log }) {
  const warm = quick ? 5 : 200;
  const calls = quick ? 10 : 400;
  const rows = 100;
  const upstream = await spawnEmulator();
  const dir = mkdtempSync(join(tmpdir(), "backlinks-bench-phases-"));
  const per = { ours: Object.fromEntries(PHASES.map((p) => [p, []])), minimal: Object.fromEntries(PHASES.map((p) => [p, []])) };
  try {
    for (let r = 0; r < REPEATS; r++) {
      const files = { ours: join(dir, `ours-${r}.json`), minimal: join(dir, `minimal-${r}.json`) };
      const ours = await start(SERVER_ENTRY, {
        ...serverEnv(upstream.url, { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_RATE_PER_MINUTE: "100000" }),
        PHASES_OUT: files.ours,
        // Our server's first request reads the price list; it and the warm-up are not counted.
        PHASES_SKIP: String(warm + 1),
      });
      const minimal = await start(BARE_ENTRY, { PATH: process.env.PATH ?? "", BARE_UPSTREAM_URL: upstream.url, PHASES_OUT: files.minimal, PHASES_SKIP: String(warm) });
      const task = { target: "forbes.com", limit: rows };
      const subjects = [
        () => ours.callTool({ name: TOOL, arguments: task }, undefined, { timeout: 60_000 }),
        () => minimal.callTool({ name: "upstream", arguments: { path: PATHS[TOOL], task } }, undefined, { timeout: 60_000 }),
      ];
      for (let i = 0; i < warm + calls; i++) for (let k = 0; k < 2; k++) await subjects[(i + k) % 2]();
      await ours.close();
      await minimal.close();
      for (const name of ["ours", "minimal"]) {
        const got = await readWhenWritten(files[name]);
        for (const p of PHASES) per[name][p].push(got[p]);
      }
    }
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const out = { rows, calls_per_run: calls, runs: REPEATS };
  for (const name of ["ours", "minimal"]) out[name] = Object.fromEntries(PHASES.map((p) => [p, spread(per[name][p])]));
  for (const p of PHASES) log(`  ${p}: ours ${out.ours[p].median} ms, minimal server ${out.minimal[p].median} ms`);
  return out;
}

/** The phases file, once the closed server has written it at exit. */
async function readWhenWritten(file) {
  for (let i = 0; i < 100; i++) {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no phases were written to ${file}`);
}

// Time the server adds to a call: backlinks_backlinks over stdio (cache off, default text) against
// a direct undici POST of the same task to the emulator.
//
// The emulator runs in a process of its own, as DataForSEO is never inside the process that calls
// it: with the emulator inside the bench's process, the direct POST would skip the two wake-ups of
// another process that every real call, and every call through the server, pays. The figure the old
// way (emulator inside the bench's process) is kept beside it for 100 rows.
//
// Each comparison is a set of subjects timed in rotation, rotating which goes first, in 3 repeats
// (figures: the median of the repeats' p50s, with min and max). A set holds one server of ours at
// most, as a user runs one. Every set first warms each subject up with 1,000 rounds at 10 and 100
// rows (20 at 1,000 rows; 200 for the set whose servers have all run before): on this kind of machine
// every process in the exchange, the direct POST's client and the emulator included, kept getting
// faster for the first few thousand calls. The warm-up is timed in blocks of 200 rounds and reported
// (`warmup_blocks_*`), so what it leaves out is in the results.
//
// Sets, per row count:
// - main: our server with its state (the spend ledger, synced per paid call) in a folder on disk;
//   the minimal MCP server (bench/bare-server.mjs `upstream`: the SDK, one undici POST, JSON.parse,
//   a tab join; no checks, money rules, sanitising or paging); the direct POST; at 10 rows also a
//   bare SDK echo call, the floor of any stdio call;
// - memory (10 and 100 rows): our server with its state in a memory file system, where a sync costs
//   nothing, and the direct POST;
// - together (100 rows): the disk and memory servers, the minimal server and the direct POST in one
//   rotation, the method of earlier runs, for comparison;
// - shared (100 rows): the old baseline, our server and the direct POST both on the emulator inside
//   the bench's process.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BARE_ENTRY, connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { directPost, PATHS, spawnEmulator } from "../lib/upstream.mjs";
import { percentile, round, since, spread } from "../lib/stats.mjs";

const TOOL = "backlinks_backlinks";
const REPEATS = 3;
const WARMUP_BLOCK = 200;
const MEMORY_FS = "/dev/shm";

async function timed(fn) {
  const start = performance.now();
  await fn();
  return since(start);
}

const differences = (a, b) => a.map((v, r) => v - b[r]);

/** `count` rounds of `subjects` in rotation, rotating which goes first; the times of each subject. */
async function rounds(subjects, names, count) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(i + k) % names.length];
      times[n].push(await timed(subjects[n]));
    }
  }
  return times;
}

/**
 * `warmup` rounds, then REPEATS repeats of `runs` rounds. Returns the p50 of each subject per repeat,
 * and per block of WARMUP_BLOCK warm-up rounds (so that what the warm-up leaves out can be seen).
 */
async function rotate(subjects, runs, warmup) {
  const names = Object.keys(subjects);
  const p50s = async (count) => {
    const times = await rounds(subjects, names, count);
    return Object.fromEntries(names.map((n) => [n, percentile(times[n], 50)]));
  };
  const bySubject = (list) => Object.fromEntries(names.map((n) => [n, list.map((p) => p[n])]));
  const blocks = [];
  for (let done = 0; done < warmup; done += WARMUP_BLOCK) blocks.push(await p50s(Math.min(WARMUP_BLOCK, warmup - done)));
  const repeats = [];
  for (let r = 0; r < REPEATS; r++) repeats.push(await p50s(runs));
  return { repeats: bySubject(repeats), warmupBlocks: bySubject(blocks) };
}

export async function runLatency({ emulatorUrl, quick, log }) {
  const plan = quick
    ? [{ rows: 10, runs: 6, warmup: 3 }, { rows: 100, runs: 6, warmup: 3 }, { rows: 1000, runs: 2, warmup: 1 }]
    : [{ rows: 10, runs: 100, warmup: 1000 }, { rows: 100, runs: 150, warmup: 1000 }, { rows: 1000, runs: 30, warmup: 20 }];
  const base = { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_RATE_PER_MINUTE: "100000" };
  const upstream = await spawnEmulator();
  const memDir = existsSync(MEMORY_FS) ? mkdtempSync(join(MEMORY_FS, "backlinks-bench-")) : null;
  const open = [];
  const opened = async (entry, env) => {
    const s = await connect(entry, env);
    open.push(s);
    return s;
  };
  const out = {};
  try {
    const disk = await opened(SERVER_ENTRY, serverEnv(upstream.url, base));
    const mem = memDir ? await opened(SERVER_ENTRY, serverEnv(upstream.url, { ...base, DATAFORSEO_STATE_DIR: memDir })) : null;
    const bare = await opened(BARE_ENTRY, { PATH: process.env.PATH ?? "", BARE_UPSTREAM_URL: upstream.url });
    // The old baseline: a server and the direct POST both on the emulator inside the bench's process.
    const sharedDisk = await opened(SERVER_ENTRY, serverEnv(emulatorUrl, base));
    for (const { rows, runs, warmup } of plan) {
      const task = { target: "forbes.com", limit: rows };
      const direct = () => directPost(upstream.url, PATHS[TOOL], task);
      const ours = () => disk.call(TOOL, task);
      const minimal = () => bare.call("upstream", { path: PATHS[TOOL], task });
      const memory = mem ? () => mem.call(TOOL, task) : null;
      const { repeats: main, warmupBlocks: blocks } = await rotate(
        { disk: ours, minimal, direct, ...(rows === 10 ? { echo: () => bare.call("echo", { text: "x" }) } : {}) },
        runs,
        warmup,
      );
      const f = { runs_per_repeat: runs, warmup_calls: warmup };
      for (const [n, values] of Object.entries(main)) f[`${n}_ms_p50`] = spread(values);
      f.added_ms_p50 = spread(differences(main.disk, main.direct));
      f.minimal_server_added_ms_p50 = spread(differences(main.minimal, main.direct));
      f.added_beyond_minimal_server_ms_p50 = spread(differences(main.disk, main.minimal));
      f.ratio_p50 = spread(main.disk.map((v, r) => v / main.direct[r]));
      // What the warm-up left out: the same figures over each block of its rounds.
      f.warmup_blocks_added_ms_p50 = differences(blocks.disk, blocks.direct).map((v) => round(v, 3));
      f.warmup_blocks_minimal_server_added_ms_p50 = differences(blocks.minimal, blocks.direct).map((v) => round(v, 3));
      f.warmup_blocks_direct_ms_p50 = blocks.direct.map((v) => round(v, 3));
      if (memory && rows <= 100) {
        const { repeats: m } = await rotate({ memory, direct }, runs, warmup);
        f.memory_ms_p50 = spread(m.memory);
        f.added_ms_p50_state_in_memory = spread(differences(m.memory, m.direct));
        // Across two sets, each against its own direct POST.
        f.ledger_disk_ms_p50 = round(f.added_ms_p50.median - f.added_ms_p50_state_in_memory.median, 3);
      }
      if (rows === 100) {
        const { repeats: t } = await rotate({ disk: ours, ...(memory ? { memory } : {}), minimal, direct }, runs, Math.min(warmup, WARMUP_BLOCK));
        f.added_ms_p50_all_in_one_rotation = spread(differences(t.disk, t.direct));
        f.minimal_server_added_ms_p50_all_in_one_rotation = spread(differences(t.minimal, t.direct));
        const { repeats: s } = await rotate({ disk: () => sharedDisk.call(TOOL, task), direct: () => directPost(emulatorUrl, PATHS[TOOL], task) }, runs, warmup);
        f.added_ms_p50_upstream_in_bench_process = spread(differences(s.disk, s.direct));
      }
      out[`rows_${rows}`] = f;
      log(
        `  ${rows} rows: server p50 ${f.disk_ms_p50.median} ms, direct ${f.direct_ms_p50.median} ms, added ${f.added_ms_p50.median} ms` +
          ` (a minimal server adds ${f.minimal_server_added_ms_p50.median} ms)` +
          (f.added_ms_p50_state_in_memory ? `, ${f.added_ms_p50_state_in_memory.median} ms with the state in memory` : "") +
          (f.added_ms_p50_all_in_one_rotation ? `; all in one rotation ${f.added_ms_p50_all_in_one_rotation.median} ms` : ""),
      );
    }
  } finally {
    for (const s of open) await s.close();
    await upstream.close();
    if (memDir) rmSync(memDir, { recursive: true, force: true });
  }
  const r100 = out.rows_100;
  return {
    repeats: REPEATS,
    upstream: "emulator in its own process",
    added_ms_p50: r100.added_ms_p50.median,
    added_ms_p50_min: r100.added_ms_p50.min,
    added_ms_p50_max: r100.added_ms_p50.max,
    added_ms_p50_state_in_memory: r100.added_ms_p50_state_in_memory?.median ?? NaN,
    ledger_disk_ms_p50: r100.ledger_disk_ms_p50 ?? NaN,
    minimal_server_added_ms_p50: r100.minimal_server_added_ms_p50.median,
    added_beyond_minimal_server_ms_p50: r100.added_beyond_minimal_server_ms_p50.median,
    added_ms_p50_all_in_one_rotation: r100.added_ms_p50_all_in_one_rotation.median,
    added_ms_p50_upstream_in_bench_process: r100.added_ms_p50_upstream_in_bench_process.median,
    overhead_ratio_p50: round(r100.ratio_p50.median, 3),
    bare_call_ms_p50: out.rows_10.echo_ms_p50.median,
    // What is left of the 100-row figure once the floor of any stdio call (the bare echo) is taken off.
    added_beyond_stdio_floor_ms_p50: round(r100.added_ms_p50.median - out.rows_10.echo_ms_p50.median, 2),
    ...out,
  };
}

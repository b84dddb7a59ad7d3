// Time a call spends in the spend store (reserve, then settle), file store against memory
// store, in one run. Not a test: figures for the report. Run after a build:
//   npm run build && node test/state/bench-spend-store.mjs [calls]
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FileSpendStore } from "../../dist/state/file-spend-store.js";
import { MemorySpendStore, accountKey } from "../../dist/state/spend-store.js";

const calls = Math.min(Number(process.argv[2] ?? 2000), 20_000);
const account = accountKey("bench@example.com");

async function measure(store) {
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const r = await store.reserve(account, 20_000_000, { dailyNanos: 1e15, monthlyNanos: 1e16 });
    if (!r.ok) throw new Error("refused");
    await store.settle(r.reservation, { tool: "backlinks_backlinks", billedNanos: 20_000_000, possiblyBilledNanos: 0 });
    times.push(performance.now() - t0);
  }
  await store.close();
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { p50: q(0.5), p95: q(0.95), max: times[times.length - 1] };
}

const dirs = [];
const tmp = async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), "bl-spend-bench-"));
  dirs.push(d);
  return d;
};
const rows = [
  ["memory", await measure(new MemorySpendStore())],
  ["file, fdatasync (default)", await measure(new FileSpendStore({ dir: await tmp() }))],
  ["file, no fdatasync", await measure(new FileSpendStore({ dir: await tmp(), sync: false }))],
];
for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
console.log(`${calls} calls each (reserve + settle), ms per call; node ${process.version}, ${os.platform()}`);
console.log("store\tp50\tp95\tmax");
for (const [name, r] of rows) console.log(`${name}\t${r.p50.toFixed(3)}\t${r.p95.toFixed(3)}\t${r.max.toFixed(3)}`);

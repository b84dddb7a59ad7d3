// Heap held by paging cursors whose arguments and tokens are large, under an 8 MB bound:
// the old CursorStore (counts held rows only) against PagingStore (counts everything, spills).
// Not a test: figures for the report. Run after a build:
//   npm run build && node --expose-gc test/paging/measure-paging-memory.mjs [cursors]
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CursorStore } from "../../dist/paging/cursors.js";
import { PagingStore } from "../../dist/paging/paging-store.js";

if (!global.gc) throw new Error("run with node --expose-gc");
const cursors = Math.min(Number(process.argv[2] ?? 300), 2000);
const maxBytes = 8 * 1024 * 1024;
const rows = JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ url_from: `https://example.com/page/${i}`, rank: i })));

// Each cursor gets its own flat copies of the strings, as parsed request bodies would be
// ("x".repeat() alone would build ropes sharing one piece and hide the cost).
function state(i, withRows) {
  return JSON.parse(JSON.stringify({
    tool: "backlinks_backlinks",
    args: { target: "example.com", filters: `["anchor","like","%${"a".repeat(60_000)}%${i}"]` },
    held: withRows ? rows.slice(0, -1) + `,{"n":${i}}]` : null,
    heldRows: withRows ? 401 : 0,
    next: { searchAfterToken: `${i}-` + "t".repeat(16_000) },
    shown: 100,
  }));
}

function heapMb() {
  global.gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function run(withRows) {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), "bl-paging-measure-"));
  const base = heapMb();
  const legacy = new CursorStore({ max: 500, ttlMs: 3_600_000, maxBytes });
  for (let i = 0; i < cursors; i++) legacy.issue(state(i, withRows));
  const legacyMb = heapMb() - base;
  const legacyKept = legacy.size;
  const legacyHeld = legacy.heldBytes;
  // let the old store go before measuring the new one
  legacy.entries.clear();
  const base2 = heapMb();
  const paging = new PagingStore({ ttlMs: 3_600_000, maxBytes, tmpDir });
  for (let i = 0; i < cursors; i++) await paging.issue(state(i, withRows));
  const pagingMb = heapMb() - base2;
  const stats = paging.stats();
  await paging.close();
  await fs.rm(tmpDir, { recursive: true, force: true });
  console.log(
    `${cursors} cursors, each ~60 k chars of arguments and a 16 k char token, ${withRows ? "~20 KB of held rows" : "no held rows"}; bound 8 MB`,
  );
  console.log(
    `  old CursorStore: heap +${legacyMb.toFixed(1)} MB, counted ${(legacyHeld / 1024 / 1024).toFixed(2)} MB, ${legacyKept} cursors kept`,
  );
  console.log(
    `  PagingStore:     heap +${pagingMb.toFixed(1)} MB, counted ${(stats.memoryBytes / 1024 / 1024).toFixed(2)} MB, ` +
      `${stats.inMemory} in memory, ${stats.spilled} spilled (${(stats.spillBytes / 1024 / 1024).toFixed(1)} MB on disk), ${stats.cursors} kept`,
  );
}

await run(true);
await run(false);

// The hosted-mode benchmark section keeps running: one quick pass through bench/run.mjs, checked for
// shape (every figure a finite number, the shared limit of 30 in flight held). Needs `npm run build`
// and redis-server. Figures themselves are not asserted: they belong to the benchmark.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../../bench/run.mjs", import.meta.url));

it("bench/run.mjs --quick --only http reports calls/s and p50/p95 for 1 and 3 replicas and the store's cost per call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-http-"));
  try {
    const out = join(dir, "results.json");
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [RUN, "--quick", "--only", "http", "--out", out], { timeout: 280_000, maxBuffer: 10_000_000 }, (err, _so, se) =>
        err ? reject(new Error(`${err.message}\n${se}`)) : resolve(),
      );
    });
    const r = (JSON.parse(readFileSync(out, "utf8")) as { http: Record<string, any> }).http;
    for (const key of ["one_replica_redis", "three_replicas_redis", "direct_emulator"]) {
      for (const f of ["calls_per_s", "p50_ms", "p95_ms"]) expect(Number.isFinite(r[key][f]), `${key}.${f}`).toBe(true);
    }
    // Three tenants with an account each: at most 30 in flight per account, on one replica or three.
    for (const key of ["one_replica_redis", "three_replicas_redis"]) {
      expect(r[key].peak_in_flight_per_account, key).toBeGreaterThan(0);
      expect(r[key].peak_in_flight_per_account, key).toBeLessThanOrEqual(30);
      expect(r[key].peak_in_flight, key).toBeLessThanOrEqual(90);
    }
    for (const f of ["speedup", "store_ms_per_call", "serial_memory_p50_ms", "serial_redis_p50_ms"]) expect(Number.isFinite(r[f]), f).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

// Hosted mode (backlinks-mcp http): calls/s and p50/p95 of one tools/call returning 100 rows, for one
// replica and for three replicas sharing one Redis, against an emulator answering after 150 ms; and the
// time the shared store adds per call (one replica, calls one at a time, Redis vs embedded memory).
// Replicas are separate processes of the built server; calls go to them in turn (client-side round
// robin standing in for a load balancer) as plain JSON-RPC POSTs, every call distinct (no cache hits).
// The throughput runs use a tenants file of three tenants, each with its own DataForSEO account: one
// account allows 30 requests in flight across all replicas, so with a single account both setups would
// measure that limit (30 / 150 ms = 200 calls/s), not the replicas. Beside each run: the CPU the
// replicas, Redis and this process (emulator and load generator) used, as cores busy over the run.
//
//   node bench/sections/http.mjs [--quick]     (after npm run build; needs redis-server)
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { directPost, startBenchEmulator } from "../lib/upstream.mjs";
import { percentile, round } from "../lib/stats.mjs";

const LATENCY_MS = 150;
const ROWS = 100;
const DIST = new URL("../../dist/", import.meta.url).href;

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const { Redis } = await import("ioredis");
  for (let i = 0; i < 100; i++) {
    const r = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      break;
    } catch {
      r.disconnect();
      await sleep(50);
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const REPLICA = `
const { loadConfig } = await import(${JSON.stringify(DIST + "config.js")});
const { runHttp } = await import(${JSON.stringify(DIST + "transport/http.js")});
await runHttp(loadConfig(["http"]).config);
`;

async function startReplica(env) {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", REPLICA], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("replica did not start within 20 s")), 20_000);
    proc.stdout.on("data", (c) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`replica exited with ${code}`)));
  });
  return {
    url,
    /** CPU time the process has used so far, in ms (Linux /proc; NaN elsewhere). */
    cpuMs() {
      try {
        const fields = readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
    },
  };
}

let seq = 0;
/** One tools/call as a plain JSON-RPC POST (with the tenant's bearer token, if any); resolves with its duration in ms. */
async function call(url, offset, token) {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: ++seq,
    method: "tools/call",
    params: { name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: ROWS, offset, fields: ["url_from", "domain_from_rank"] } },
  });
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const json = await res.json();
  const ms = performance.now() - t0;
  if (res.status !== 200 || json.error || json.result?.isError) {
    throw new Error(`call failed: HTTP ${res.status} ${JSON.stringify(json.error ?? json.result?.content?.[0]?.text ?? "").slice(0, 200)}`);
  }
  return ms;
}

/** CPU time of a process so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** `count` calls, `width` at once, spread over `replicas` in turn (and over `tokens`, the tenants, in turn). */
async function load(replicas, count, width, firstOffset, { tokens = [undefined], redisPid } = {}) {
  const urls = replicas.map((r) => r.url);
  const cpu0 = replicas.reduce((a, r) => a + r.cpuMs(), 0);
  const redis0 = redisPid ? cpuMsOf(redisPid) : 0;
  const own0 = process.cpuUsage();
  const times = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      times.push(await call(urls[i % urls.length], firstOffset + i, tokens[Math.floor(i / urls.length) % tokens.length]));
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  const wallMs = performance.now() - start;
  const own = process.cpuUsage(own0);
  const serverCpu = replicas.reduce((a, r) => a + r.cpuMs(), 0) - cpu0;
  const ownCpu = (own.user + own.system) / 1000;
  const redisCpu = redisPid ? cpuMsOf(redisPid) - redis0 : 0;
  return {
    server_cpu_ms_per_call: round(serverCpu / count, 2),
    emulator_and_client_cpu_ms_per_call: round(ownCpu / count, 2),
    redis_cpu_ms_per_call: round(redisCpu / count, 2),
    // Cores busy over the run: replicas, Redis, and this process (emulator and load generator).
    replica_cores_busy: round(serverCpu / wallMs, 2),
    machine_cores_busy: round((serverCpu + ownCpu + redisCpu) / wallMs, 2),
    calls: count,
    concurrency: width,
    calls_per_s: round((count / wallMs) * 1000, 1),
    p50_ms: round(percentile(times, 50), 1),
    p95_ms: round(percentile(times, 95), 1),
  };
}

/** Requests in flight at the emulator at most: in all, and for the busiest account (DataForSEO allows 30 each). */
function peaks(stats) {
  return { peak_in_flight: stats.peakInFlight, peak_in_flight_per_account: Math.max(0, ...Object.values(stats.peakInFlightByAccount)) };
}

/** Tenants of the throughput runs, each with its own DataForSEO account (and so its own 30 in flight). */
const TENANTS = [0, 1, 2].map((i) => ({ name: `team${i}`, token: `bench-token-${i}`, login: `team${i}`, password: `pw${i}` }));

function writeTenantsFile(dir) {
  const file = join(dir, "tenants.json");
  const tenants = TENANTS.map((t) => ({
    name: t.name,
    token_sha256: createHash("sha256").update(t.token, "utf8").digest("hex"),
    login: t.login,
    password: t.password,
  }));
  writeFileSync(file, JSON.stringify({ tenants }), { mode: 0o600 });
  return file;
}

export async function runHttp({ quick = false, log = console.error } = {}) {
  const count = quick ? 60 : 900;
  const width = Number(process.env.BENCH_HTTP_WIDTH ?? 30 * TENANTS.length);
  const serial = quick ? 10 : 60;
  const emulator = await startBenchEmulator({ latencyMs: LATENCY_MS, moreAccounts: TENANTS.map((t) => ({ login: t.login, password: t.password })) });
  const redis = await startRedis();
  const tenantsDir = mkdtempSync(join(tmpdir(), "bench-tenants-"));
  const tenantsFile = writeTenantsFile(tenantsDir);
  const tokens = TENANTS.map((t) => t.token);
  const base = {
    DATAFORSEO_BASE_URL: emulator.url,
    DATAFORSEO_LOGIN: "demo",
    DATAFORSEO_PASSWORD: "demo",
    DATAFORSEO_HTTP_PORT: "0",
    DATAFORSEO_LOG_LEVEL: "error",
    DATAFORSEO_CACHE_TTL_SECONDS: "0",
    DATAFORSEO_TENANTS_FILE: "",
    DATAFORSEO_REDIS_URL: "",
  };
  const stops = [];
  try {
    // Warm the emulator's graph for the target.
    const warm = await startReplica(base);
    await call(warm.url, 0);
    await warm.stop();

    // The shared store's cost per call: one replica, one call at a time, memory vs Redis.
    const memOne = await startReplica(base);
    stops.push(memOne);
    await call(memOne.url, 0);
    const memSerial = await load([memOne], serial, 1, 1000);
    await memOne.stop();
    const redisOne = await startReplica({ ...base, DATAFORSEO_REDIS_URL: redis.url });
    stops.push(redisOne);
    await call(redisOne.url, 0);
    const redisSerial = await load([redisOne], serial, 1, 2000);
    await redisOne.stop();

    // Throughput: the three tenants' calls, 30 in flight each, on one replica and then on three.
    const team = { ...base, DATAFORSEO_LOGIN: "", DATAFORSEO_PASSWORD: "", DATAFORSEO_TENANTS_FILE: tenantsFile, DATAFORSEO_REDIS_URL: redis.url };
    const teamOne = await startReplica(team);
    stops.push(teamOne);
    for (const token of tokens) await call(teamOne.url, 0, token);
    emulator.resetStats();
    const one = await load([teamOne], count, width, 3000, { tokens, redisPid: redis.pid });
    const onePeak = peaks(emulator.stats());
    await teamOne.stop();

    const three = await Promise.all([0, 1, 2].map(() => startReplica(team)));
    stops.push(...three);
    for (const r of three) for (const token of tokens) await call(r.url, 0, token);
    emulator.resetStats();
    const many = await load(three, count, width, 10_000, { tokens, redisPid: redis.pid });
    const manyPeak = peaks(emulator.stats());
    // The ceiling: the same calls straight to the emulator (no MCP server), same width.
    const direct = [];
    let nextDirect = 0;
    const directStart = performance.now();
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (nextDirect < count) {
          const i = nextDirect++;
          const t0 = performance.now();
          await directPost(emulator.url, "/v3/backlinks/backlinks/live", { target: "forbes.com", limit: ROWS, offset: 15_000 + (i % 4000) });
          direct.push(performance.now() - t0);
        }
      }),
    );
    const directRate = round((count / (performance.now() - directStart)) * 1000, 1);
    const result = {
      latency_ms: LATENCY_MS,
      tenants: TENANTS.length,
      direct_emulator: { calls: count, concurrency: width, calls_per_s: directRate, p50_ms: round(percentile(direct, 50), 1), p95_ms: round(percentile(direct, 95), 1) },
      rows: ROWS,
      one_replica_redis: { ...one, ...onePeak },
      three_replicas_redis: { ...many, ...manyPeak },
      speedup: round(many.calls_per_s / one.calls_per_s, 2),
      serial_memory_p50_ms: memSerial.p50_ms,
      serial_redis_p50_ms: redisSerial.p50_ms,
      store_ms_per_call: round(redisSerial.p50_ms - memSerial.p50_ms, 2),
      serial_memory_server_cpu_ms_per_call: memSerial.server_cpu_ms_per_call,
      serial_redis_server_cpu_ms_per_call: redisSerial.server_cpu_ms_per_call,
      cores: availableParallelism(),
    };
    log(
      `  emulator alone ${directRate} calls/s; 1 replica ${one.calls_per_s} calls/s (p50 ${one.p50_ms} ms, p95 ${one.p95_ms} ms, ` +
        `${one.replica_cores_busy} cores in the replica, ${one.machine_cores_busy} in all); 3 replicas ${many.calls_per_s} calls/s ` +
        `(p50 ${many.p50_ms}, p95 ${many.p95_ms}, ${many.replica_cores_busy} cores in replicas, ${many.machine_cores_busy} in all); ` +
        `x${result.speedup}; Redis adds ${result.store_ms_per_call} ms per call`,
    );
    return result;
  } finally {
    await Promise.all(stops.map((s) => s.stop()));
    await redis.stop();
    await emulator.close();
    rmSync(tenantsDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  runHttp({ quick }).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"),
    (err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exit(1);
    },
  );
}

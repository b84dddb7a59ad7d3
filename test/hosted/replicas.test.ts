// Three replicas (separate processes of the built server) on one throwaway Redis, behind a loopback
// round-robin proxy, against the emulator. Needs `npm run build` and redis-server (scripts/ci-redis.sh).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { hashToken } from "../../src/hosted/tenants.js";
import { RedisState } from "../../src/state/redis-state.js";
import { accountId } from "../../src/tools/deps.js";
import { RoundRobin, TestRedis, connect, nextHandle, paidRequests, raw, textOf } from "./helpers.js";

const RUNNER = fileURLToPath(new URL("./replica.mjs", import.meta.url));
const TOKEN = "team-token-0123456789abcdef";
const CAPPED = "capped-token-0123456789abcdef";
const DAILY_CAP_USD = 3.6; // 149 calls of limit 1 at the worst-case estimate of $0.024036

interface Replica {
  proc: ChildProcess;
  port: number;
  url: string;
}

async function startReplica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const proc = spawn(process.execPath, [RUNNER], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("replica did not start within 15 s")), 15_000);
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`replica exited with ${code}`)));
  });
  return { proc, url, port: Number(new URL(url).port) };
}

function alive(r: Replica): boolean {
  return r.proc.exitCode === null && r.proc.signalCode === null;
}

function kill(r: Replica, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
  if (!alive(r)) return Promise.resolve(r.proc.exitCode);
  return new Promise((resolve) => {
    r.proc.once("exit", (code) => resolve(code));
    r.proc.kill(signal);
  });
}

describe("hosted: three replicas on one Redis", () => {
  const redis = new TestRedis();
  const dir = mkdtempSync(join(tmpdir(), "bmcp-hosted-"));
  let emulator: Emulator;
  let replicas: Replica[] = [];
  let proxy: RoundRobin;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await redis.start();
    emulator = await startEmulator({ login: "demo", password: "demo" });
    const tenantsFile = join(dir, "tenants.json");
    writeFileSync(
      tenantsFile,
      JSON.stringify({
        tenants: [
          { name: "team", token_sha256: hashToken(TOKEN), login: "demo", password: "demo" },
          { name: "capped", token_sha256: hashToken(CAPPED), login: "demo", password: "demo", caps: { daily_usd: DAILY_CAP_USD } },
        ],
      }),
    );
    env = {
      DATAFORSEO_BASE_URL: emulator.url,
      DATAFORSEO_REDIS_URL: redis.url,
      DATAFORSEO_TENANTS_FILE: tenantsFile,
      DATAFORSEO_HTTP_PORT: "0",
      DATAFORSEO_OUTPUT_MAX_CHARS: "5000",
      DATAFORSEO_LOG_LEVEL: "silent",
      DATAFORSEO_LOGIN: "",
      DATAFORSEO_PASSWORD: "",
    };
    replicas = await Promise.all([startReplica(env), startReplica(env), startReplica(env)]);
    proxy = new RoundRobin(replicas.map((r) => r.port));
    await proxy.start();
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(replicas.map((r) => kill(r)));
    await emulator?.close();
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a cursor minted on replica 1 from replica 2 with no new upstream request, and a repeat on replica 3 from the cache", async () => {
    const [c1, c2, c3] = await Promise.all(replicas.map((r) => connect(r.url, TOKEN)));
    try {
      const args = { target: "forbes.com", limit: 100 };
      const first = await c1.callTool({ name: "backlinks_backlinks", arguments: args });
      expect(first.isError).toBeFalsy();
      const handle = nextHandle(textOf(first));
      expect(handle).toBeDefined();
      const before = paidRequests(emulator);
      const page = await c2.callTool({ name: "backlinks_next_page", arguments: { search_after_token: handle! } });
      expect(page.isError).toBeFalsy();
      expect(textOf(page)).toMatch(/\$0\.0000/);
      const repeat = await c3.callTool({ name: "backlinks_backlinks", arguments: args });
      expect(repeat.isError).toBeFalsy();
      expect(textOf(repeat)).toMatch(/cache/i);
      expect(paidRequests(emulator)).toBe(before);
    } finally {
      await Promise.all([c1, c2, c3].map((c) => c.close()));
    }
  }, 60_000);

  it("300 concurrent calls over the replicas never pass a shared daily cap nor 30 requests in flight upstream", async () => {
    emulator.setLatency(60);
    emulator.resetStats();
    const clients: Client[] = await Promise.all(Array.from({ length: 10 }, () => connect(proxy.url, CAPPED)));
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          clients[i % clients.length]!.callTool({ name: "backlinks_backlinks", arguments: { target: `site${i}.example.com`, limit: 1 } }),
        ),
      );
      const ok = results.filter((r) => !r.isError);
      const refused = results.filter((r) => r.isError);
      expect(ok.length).toBeGreaterThan(30);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        // The tenant's cap is the operator's, in the tenants file: the refusal says so, not an env variable.
        expect(textOf(r)).toMatch(/Daily cap reached, nothing was sent/);
        expect(textOf(r)).toContain("this tenant's daily_usd in the server's tenants file");
        expect(textOf(r)).not.toContain("DATAFORSEO_DAILY_MAX_COST_USD");
      }
      const stats = emulator.stats();
      expect(stats.peakInFlight).toBeLessThanOrEqual(30);
      expect(paidRequests(emulator)).toBe(ok.length);
      const state = new RedisState(redis.url);
      try {
        await state.ready();
        const totals = await state.totals({ tenant: "capped", account: accountId(emulator.url, "demo") });
        const spent = totals.today.billedNanos + totals.today.possiblyBilledNanos;
        expect(spent).toBeGreaterThan(0);
        expect(spent).toBeLessThanOrEqual(DAILY_CAP_USD * 1e9);
        expect(totals.today.calls).toBe(ok.length);
        expect(totals.today.refusals).toBe(refused.length);
        expect(totals.reservedNanos).toBe(0);
      } finally {
        await state.close();
      }
      // Every replica took part.
      expect(proxy.served.every((n) => n > 0)).toBe(true);
    } finally {
      emulator.setLatency(0);
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 120_000);

  it("loses no held paid rows when a replica is killed mid-run", async () => {
    const client = await connect(proxy.url, TOKEN);
    const handles: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        if (i === 6) await kill(replicas[0]!);
        const res = await client.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 98 - i } });
        expect(res.isError).toBeFalsy();
        const h = nextHandle(textOf(res));
        expect(h).toBeDefined();
        handles.push(h!);
      }
      const before = paidRequests(emulator);
      for (const h of handles) {
        const page = await client.callTool({ name: "backlinks_next_page", arguments: { search_after_token: h } });
        expect(page.isError).toBeFalsy();
        expect(textOf(page)).toMatch(/\$0\.0000/);
      }
      expect(paidRequests(emulator)).toBe(before);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("refuses spending calls while Redis is down, keeps free calls working, and recovers by itself", async () => {
    const live = replicas.filter(alive);
    const client = await connect(live[0]!.url, TOKEN);
    try {
      await redis.stop();
      const before = paidRequests(emulator);
      const refused = await client.callTool({ name: "backlinks_backlinks", arguments: { target: "down.example.net", limit: 5 } });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/shared state store \(Redis\).*unreachable.*nothing was sent/s);
      expect(paidRequests(emulator)).toBe(before);
      const tools = await client.listTools();
      expect(tools.tools.length).toBeGreaterThan(3);
      const health = await raw(live[0]!.port, { method: "GET", path: "/healthz", headers: { host: `127.0.0.1:${live[0]!.port}` } });
      expect(JSON.parse(health.body)).toMatchObject({ store: "redis", store_reachable: false });

      await redis.start();
      let back = false;
      for (let i = 0; i < 40 && !back; i++) {
        const res = await client.callTool({ name: "backlinks_backlinks", arguments: { target: "down.example.net", limit: 5 } });
        back = !res.isError;
        if (!back) await new Promise((r) => setTimeout(r, 250));
      }
      expect(back).toBe(true);
      expect(paidRequests(emulator)).toBe(before + 1);
    } finally {
      await client.close();
    }
  }, 60_000);
});

// SIGTERM on a replica (built server): stop accepting, give running requests the grace period,
// abort what still waits for DataForSEO, exit 0.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { MCP_HEADERS, raw } from "./helpers.js";

const RUNNER = fileURLToPath(new URL("./replica.mjs", import.meta.url));

describe("hosted: graceful shutdown", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ login: "demo", password: "demo", latencyMs: 20_000 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("exits 0 on SIGTERM after the grace period, answering the call that was still waiting upstream", async () => {
    const proc = spawn(process.execPath, [RUNNER], {
      env: { ...process.env, DATAFORSEO_BASE_URL: emulator.url, DATAFORSEO_LOGIN: "demo", DATAFORSEO_PASSWORD: "demo", DATAFORSEO_HTTP_PORT: "0", DATAFORSEO_LOG_LEVEL: "silent", DATAFORSEO_TENANTS_FILE: "", DATAFORSEO_REDIS_URL: "" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("no URL within 15 s")), 15_000);
      proc.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /:(\d+)\/mcp/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const host = `127.0.0.1:${port}`;
    const call = raw(port, {
      headers: { ...MCP_HEADERS, host },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "backlinks_summary", arguments: { target: "forbes.com" } } }),
    });
    // The call is waiting on the emulator (20 s latency) before the signal.
    for (let i = 0; i < 100 && emulator.stats().inFlight === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(emulator.stats().inFlight).toBe(1);
    proc.kill("SIGTERM");
    const res = await call;
    expect(await exited).toBe(0);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.id).toBe(7);
    // Answered by the abort, not by the emulator (which would have answered with data after 20 s).
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0].text).toMatch(/shutting down|closed/i);
  }, 40_000);

  it("refuses to start beyond loopback without a tenants file: exit code 2 and the reason on stderr", async () => {
    const proc = spawn(process.execPath, [RUNNER], {
      env: { ...process.env, DATAFORSEO_HTTP_HOST: "0.0.0.0", DATAFORSEO_HTTP_PORT: "0", DATAFORSEO_TENANTS_FILE: "", DATAFORSEO_REDIS_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/refusing to listen on 0\.0\.0\.0 without DATAFORSEO_TENANTS_FILE/);
  }, 20_000);
});

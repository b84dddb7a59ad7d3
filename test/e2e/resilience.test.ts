// Upstream faults through the whole server: each row of the fault table asserts the outcome, the
// number of requests sent, and that the server still answers afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultConfig } from "../../src/emulator/index.js";
import { startHarness, textOf, type Harness } from "./harness.js";

const CANARY = "canary-Pw-7f3e91b2";

interface Row {
  name: string;
  fault: FaultConfig;
  ok: boolean;
  requests: number;
  message?: RegExp;
}

// DATAFORSEO_MAX_RETRIES=3 → at most 4 requests per call. Only what provably never ran upstream, or what
// DataForSEO itself answered with a not-billed code, is retried; any other failure after the request was
// sent counts as possibly billed and is not retried (it could bill twice).
const POSSIBLY = /Possibly billed[\s\S]*not retried/;
const TABLE: Row[] = [
  { name: "HTTP 500 page: possibly billed, not retried", fault: { kind: "http500", count: 1 }, ok: false, requests: 1, message: /HTTP 500[\s\S]*Possibly billed/ },
  { name: "502 gateway page: possibly billed, not retried", fault: { kind: "http502_html", count: 2 }, ok: false, requests: 1, message: POSSIBLY },
  { name: "reset after the request was sent: possibly billed, not retried", fault: { kind: "reset", count: 1 }, ok: false, requests: 1, message: POSSIBLY },
  { name: "40202 then OK", fault: { kind: "code40202", count: 1 }, ok: true, requests: 2 },
  { name: "40209 then OK", fault: { kind: "code40209", count: 1 }, ok: true, requests: 2 },
  { name: "429 with Retry-After and 40202 then OK", fault: { kind: "http429", count: 1, retryAfterSec: 1 }, ok: true, requests: 2 },
  { name: "50000 then OK", fault: { kind: "code50000", count: 1 }, ok: true, requests: 2 },
  { name: "50401 then OK", fault: { kind: "code50401", count: 1 }, ok: true, requests: 2 },
  { name: "always 50000: bounded retries", fault: { kind: "code50000" }, ok: false, requests: 4, message: /50000/ },
  { name: "401 / 40100: no retry", fault: { kind: "code40100" }, ok: false, requests: 1, message: /40100[\s\S]*DATAFORSEO_LOGIN/ },
  { name: "40210 funds: no retry", fault: { kind: "code40210" }, ok: false, requests: 1, message: /40210[\s\S]*top up/i },
  { name: "40204 subscription: no retry", fault: { kind: "code40204" }, ok: false, requests: 1, message: /40204[\s\S]*subscription/i },
  { name: "truncated JSON: possibly billed", fault: { kind: "truncated" }, ok: false, requests: 1, message: /JSON[\s\S]*Possibly billed/i },
  { name: "hanging upstream: timeout, possibly billed", fault: { kind: "hang" }, ok: false, requests: 1, message: /DATAFORSEO_TIMEOUT_MS[\s\S]*Possibly billed/ },
  { name: "billed, then the connection reset", fault: { kind: "reset_after_bill" }, ok: false, requests: 1, message: POSSIBLY },
  { name: "billed, then a gateway's 502", fault: { kind: "http502_after_bill" }, ok: false, requests: 1, message: POSSIBLY },
  { name: "billed, then no answer", fault: { kind: "hang_after_bill" }, ok: false, requests: 1, message: /DATAFORSEO_TIMEOUT_MS[\s\S]*Possibly billed/ },
  { name: "a 302 whose body looks like a result is an error", fault: { kind: "redirect_result" }, ok: false, requests: 1, message: /302[\s\S]*Possibly billed/ },
];

describe("fault table", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      emulator: { login: "demo", password: CANARY },
      env: {
        DATAFORSEO_MAX_RETRIES: "3",
        DATAFORSEO_TIMEOUT_MS: "1500",
        DATAFORSEO_CACHE_TTL_SECONDS: "0",
        DATAFORSEO_LOG_LEVEL: "debug",
      },
    });
    // Build the emulator's graphs and read user_data prices once, so the table below counts only its own requests.
    await h.call("backlinks_referring_domains", { target: "cnn.com", limit: 1 });
    await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1 });
  });
  afterAll(async () => {
    await h.close();
  });

  for (const row of TABLE) {
    it(row.name, async () => {
      h.emulator.setFault(row.fault);
      h.emulator.resetStats();
      const res = await h.call("backlinks_referring_domains", { target: "cnn.com", limit: 3 });
      expect(Boolean(res.isError), textOf(res)).toBe(!row.ok);
      if (row.message) expect(textOf(res)).toMatch(row.message);
      expect(h.emulator.stats().requests).toBe(row.requests);
      // What the emulator billed lies between the ledger's billed part and billed + possibly billed.
      const billed = h.emulator.stats().billedUsd;
      const meta = res._meta as { cost_usd?: number } | undefined;
      if (!row.ok && billed > 0) expect(textOf(res)).toMatch(/Possibly billed: .* up to \$0\.0\d+/);
      if (row.ok) expect(meta?.cost_usd).toBeCloseTo(billed, 9);
      // The server keeps answering.
      h.emulator.setFault(null);
      const after = await h.call("backlinks_referring_domains", { target: "cnn.com", limit: 2 });
      expect(after.isError).toBeFalsy();
    });
  }

  it("a validation error from the API (40501) is not retried and names the field", async () => {
    h.emulator.setFault(null);
    h.emulator.resetStats();
    // A forged token passes the local checks (it is opaque) and is refused by the API.
    const res = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1, search_after_token: "forged-token" });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/40501[\s\S]*search_after_token/);
    expect(h.emulator.stats().requests).toBe(1);
  });

  it("never shows the password or the Authorization header, in any output or log", () => {
    const basic = Buffer.from(`demo:${CANARY}`).toString("base64");
    for (const out of [...h.outputs, h.stderr()]) {
      expect(out).not.toContain(CANARY);
      expect(out).not.toContain(basic);
    }
    expect(h.stderr().length).toBeGreaterThan(0);
  });
});

describe("burst and cancellation", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      emulator: { latencyMs: 100 },
      env: { DATAFORSEO_MAX_CONCURRENCY: "5", DATAFORSEO_CACHE_TTL_SECONDS: "0" },
    });
    // The first paid call reads user_data prices and confirms the price of the function.
    await h.call("backlinks_referring_domains", { target: "bbc.com", limit: 1 });
  });
  afterAll(async () => {
    await h.close();
  });

  it("100 parallel calls never exceed the concurrency cap and all succeed", async () => {
    h.emulator.resetStats();
    const calls = Array.from({ length: 100 }, (_, i) => h.call("backlinks_referring_domains", { target: "bbc.com", limit: 1 + i }));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.isError)).toHaveLength(0);
    expect(h.emulator.stats().peakInFlight).toBeLessThanOrEqual(5);
    expect(h.emulator.stats().peakInFlight).toBeGreaterThanOrEqual(2);
    expect(h.emulator.stats().requests).toBe(100);
  });

  it("concurrent identical calls share one upstream request", async () => {
    h.emulator.resetStats();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.call("backlinks_referring_domains", { target: "ibm.com", limit: 4 })),
    );
    expect(results.filter((r) => r.isError)).toHaveLength(0);
    expect(h.emulator.stats().requests).toBe(1);
  });

  it("a cancelled call closes its upstream connection within a second", async () => {
    h.emulator.setFault({ kind: "hang" });
    h.emulator.resetStats();
    const controller = new AbortController();
    const pending = h.client
      .callTool({ name: "backlinks_referring_domains", arguments: { target: "yelp.com", limit: 2 } }, undefined, {
        signal: controller.signal,
      })
      .catch((e: unknown) => e);
    const deadline = Date.now() + 5000;
    while (h.emulator.stats().inFlight === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(h.emulator.stats().inFlight).toBe(1);
    controller.abort("user cancelled");
    const cancelledAt = Date.now();
    while (h.emulator.stats().inFlight > 0 && Date.now() - cancelledAt < 1000) await new Promise((r) => setTimeout(r, 10));
    expect(h.emulator.stats().inFlight).toBe(0);
    await pending;
    h.emulator.setFault(null);
    const after = await h.call("backlinks_referring_domains", { target: "yelp.com", limit: 2 });
    expect(after.isError).toBeFalsy();
  });
});

describe("progress and shutdown", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_MAX_RETRIES: "2", DATAFORSEO_CACHE_TTL_SECONDS: "0" } });
    await h.call("backlinks_referring_domains", { target: "bbc.com", limit: 1 });
  });
  afterAll(async () => {
    await h.close();
  });

  it("reports progress while a call is retried", async () => {
    h.emulator.setFault({ kind: "code50000", count: 1 });
    const messages: string[] = [];
    const res = await h.client.callTool({ name: "backlinks_referring_domains", arguments: { target: "bbc.com", limit: 2 } }, undefined, {
      onprogress: (p) => messages.push(String(p.message ?? "")),
    });
    expect(res.isError).toBeFalsy();
    expect(messages.some((m) => /retry/i.test(m))).toBe(true);
  });

  it("reports progress with the elapsed time while waiting for a slow answer", async () => {
    h.emulator.setLatency(7000);
    const messages: string[] = [];
    try {
      const res = await h.client.callTool({ name: "backlinks_referring_domains", arguments: { target: "cnn.com", limit: 2 } }, undefined, {
        onprogress: (p) => messages.push(String(p.message ?? "")),
        timeout: 30_000,
      });
      expect(res.isError).toBeFalsy();
    } finally {
      h.emulator.setLatency(0);
    }
    const waits = messages.filter((m) => /waiting for DataForSEO: \d+ s/.test(m));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    const seconds = waits.map((m) => Number(/(\d+) s/.exec(m)![1]));
    expect(seconds[1]!).toBeGreaterThan(seconds[0]!);
  }, 30_000);
});

describe("shutdown", () => {
  it("on SIGTERM aborts in-flight upstream requests and exits 0", async () => {
    const { spawn } = await import("node:child_process");
    const { startEmulator } = await import("../../src/emulator/index.js");
    const { SERVER_ENTRY } = await import("./harness.js");
    const emulator = await startEmulator({ fault: { kind: "hang" } });
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", DATAFORSEO_BASE_URL: emulator.url, DATAFORSEO_LOGIN: "demo", DATAFORSEO_PASSWORD: "demo", DATAFORSEO_STATE_DIR: (await import("./harness.js")).tempStateDir() },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "backlinks_backlinks", arguments: { target: "cnn.com" } } });
    const deadline = Date.now() + 10_000;
    while (emulator.stats().inFlight === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(emulator.stats().inFlight).toBe(1);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    const code = await exited;
    expect(code).toBe(0);
    const settle = Date.now() + 1000;
    while (emulator.stats().inFlight > 0 && Date.now() < settle) await new Promise((r) => setTimeout(r, 20));
    expect(emulator.stats().inFlight).toBe(0);
    await emulator.close();
  });
});

describe("client gone", () => {
  it("exits when the client vanishes mid-reply instead of spinning on a closed stdout/stderr", async () => {
    const { spawn } = await import("node:child_process");
    const { SERVER_ENTRY } = await import("./harness.js");
    const child = spawn(process.execPath, [SERVER_ENTRY, "--demo", "--log-level", "debug"], { stdio: ["pipe", "pipe", "pipe"] });
    const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    for (let i = 0; i < 5; i++) {
      send({ jsonrpc: "2.0", id: 2 + i, method: "tools/call", params: { name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 1000, offset: i } } });
    }
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Hang up every pipe at once, as a crashed client would.
    await new Promise((r) => setTimeout(r, 30));
    child.stdout.destroy();
    child.stderr.destroy();
    child.stdin.destroy();
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 8000))]);
    if (code === "still running") child.kill("SIGKILL");
    expect(code).toBe(0);
  });
});

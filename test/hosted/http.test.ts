// Hosted mode over real loopback HTTP with the SDK's Streamable HTTP client, one replica, embedded
// (memory) state: the gate in front of MCP (Host, Origin, size, token) and tenant isolation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { startHttp, type RunningHttp } from "../../src/transport/http.js";
import { ConfigError } from "../../src/config.js";
import { MemoryState } from "../../src/hosted/memory-state.js";
import { StateUnavailableError } from "../../src/hosted/state.js";
import { INIT_BODY, MCP_HEADERS, connect, hostedConfig, nextHandle, raw, paidRequests, tenantsOf, textOf } from "./helpers.js";

const TOKEN_A = "token-a-0123456789";
const TOKEN_B = "token-b-9876543210";

describe("hosted http: gate and tenants", () => {
  let emulator: Emulator;
  let http: RunningHttp;

  beforeAll(async () => {
    emulator = await startEmulator({ login: "demo", password: "demo" });
    http = await startHttp(hostedConfig({ baseUrl: emulator.url, httpMaxBodyBytes: 64 * 1024, outputMaxChars: 5000 }), {
      tenants: tenantsOf([
        { name: "alpha", token: TOKEN_A },
        { name: "beta", token: TOKEN_B },
      ]),
    });
  });

  afterAll(async () => {
    await http?.close(100);
    await emulator?.close();
  });

  it("answers 401 with WWW-Authenticate: Bearer without a token or with a wrong one, and sends nothing upstream", async () => {
    emulator.resetStats();
    const host = `127.0.0.1:${http.port}`;
    const none = await raw(http.port, { headers: { ...MCP_HEADERS, host }, body: INIT_BODY });
    expect(none.status).toBe(401);
    expect(String(none.headers["www-authenticate"])).toMatch(/^Bearer /);
    const wrong = await raw(http.port, { headers: { ...MCP_HEADERS, host, authorization: "Bearer not-a-token" }, body: INIT_BODY });
    expect(wrong.status).toBe(401);
    expect(String(wrong.headers["www-authenticate"])).toContain('error="invalid_token"');
    await expect(connect(http.url)).rejects.toThrow();
    expect(paidRequests(emulator)).toBe(0);
  });

  it("answers 403 to a Host or Origin outside the allow-list (DNS rebinding) and 200 to loopback ones", async () => {
    const auth = { authorization: `Bearer ${TOKEN_A}` };
    const evil = await raw(http.port, { headers: { ...MCP_HEADERS, ...auth, host: "evil.example.com" }, body: INIT_BODY });
    expect(evil.status).toBe(403);
    const evilOrigin = await raw(http.port, {
      headers: { ...MCP_HEADERS, ...auth, host: `localhost:${http.port}`, origin: "http://evil.example.com" },
      body: INIT_BODY,
    });
    expect(evilOrigin.status).toBe(403);
    const ok = await raw(http.port, {
      headers: { ...MCP_HEADERS, ...auth, host: `localhost:${http.port}`, origin: `http://localhost:${http.port}` },
      body: INIT_BODY,
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).result.serverInfo.name).toBe("backlinks-mcp");
  });

  it("answers 413 to a body over the cap, declared or streamed", async () => {
    const host = `127.0.0.1:${http.port}`;
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(70 * 1024) } });
    const res = await raw(http.port, { headers: { ...MCP_HEADERS, host, authorization: `Bearer ${TOKEN_A}` }, body: big });
    expect(res.status).toBe(413);
    const chunked = await raw(http.port, {
      headers: { ...MCP_HEADERS, host, authorization: `Bearer ${TOKEN_A}`, "transfer-encoding": "chunked" },
      body: big,
    });
    expect(chunked.status).toBe(413);
  });

  it("answers plain JSON, or SSE when the call asks for progress; GET and DELETE on /mcp are 405 (stateless)", async () => {
    const headers = { ...MCP_HEADERS, host: `127.0.0.1:${http.port}`, authorization: `Bearer ${TOKEN_A}`, "mcp-protocol-version": "2025-06-18" };
    const call = (meta?: object) =>
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "backlinks_usage", arguments: {}, ...(meta ? { _meta: meta } : {}) } });
    const plain = await raw(http.port, { headers, body: call() });
    expect(plain.status).toBe(200);
    expect(String(plain.headers["content-type"])).toMatch(/^application\/json/);
    expect(JSON.parse(plain.body).result.content[0].text).toMatch(/^# backlinks_usage/);
    const streamed = await raw(http.port, { headers, body: call({ progressToken: "p1" }) });
    expect(streamed.status).toBe(200);
    expect(String(streamed.headers["content-type"])).toMatch(/^text\/event-stream/);
    expect(streamed.body).toMatch(/^data: .*"id":3/m);
    for (const method of ["GET", "DELETE"]) {
      const res = await raw(http.port, { method, headers });
      expect(res.status).toBe(405);
    }
  });

  it("serves /healthz with the store's state, to any Host (load balancers probe by address)", async () => {
    for (const host of [`127.0.0.1:${http.port}`, "10.0.0.5:8787"]) {
      const res = await raw(http.port, { method: "GET", path: "/healthz", headers: { host } });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ status: "ok", store: "memory", store_reachable: true });
    }
  });

  it("serves tools over Streamable HTTP, pages with a cursor, and refuses tenant A's cursor to tenant B", async () => {
    const a = await connect(http.url, TOKEN_A);
    const b = await connect(http.url, TOKEN_B);
    try {
      const tools = await a.listTools();
      expect(tools.tools.map((t) => t.name)).toContain("backlinks_backlinks");
      const first = await a.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 100 } });
      expect(first.isError).toBeFalsy();
      const handle = nextHandle(textOf(first));
      expect(handle).toBeDefined();
      const before = paidRequests(emulator);
      const stolen = await b.callTool({ name: "backlinks_next_page", arguments: { search_after_token: handle! } });
      expect(stolen.isError).toBe(true);
      expect(textOf(stolen)).toMatch(/Unknown paging cursor/);
      const own = await a.callTool({ name: "backlinks_next_page", arguments: { search_after_token: handle! } });
      expect(own.isError).toBeFalsy();
      expect(textOf(own)).toMatch(/rows \d+/);
      // The held rows came from the state, not a new upstream request; B's refusal sent nothing either.
      expect(paidRequests(emulator)).toBe(before);
      // B's identical call is not served from A's cache entry: it is B's own upstream request.
      const bCall = await b.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 100 } });
      expect(bCall.isError).toBeFalsy();
      expect(paidRequests(emulator)).toBe(before + 1);
      const aAgain = await a.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 100 } });
      expect(textOf(aAgain)).toMatch(/cache/i);
      expect(paidRequests(emulator)).toBe(before + 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses to listen beyond loopback without a tenants file, and a tenant with an unknown toolset", async () => {
    await expect(startHttp(hostedConfig({ httpHost: "0.0.0.0" }))).rejects.toThrow(ConfigError);
    await expect(startHttp(hostedConfig(), { tenants: tenantsOf([{ name: "t", token: TOKEN_A, toolsets: ["nope"] }]) })).rejects.toThrow(
      /tenant 't': unknown toolset 'nope'/,
    );
  });

  it("refuses a call over the tenant's per-call cap and calls past DATAFORSEO_MAX_COST_USD, sending nothing", async () => {
    const capped = await startHttp(hostedConfig({ baseUrl: emulator.url, maxCostUsd: 0.05 }), {
      tenants: tenantsOf([{ name: "small", token: TOKEN_A, caps: { per_call_usd: 0.025 } }]),
    });
    const c = await connect(capped.url, TOKEN_A);
    try {
      const before = paidRequests(emulator);
      const big = await c.callTool({ name: "backlinks_backlinks", arguments: { target: "cap.example.com", limit: 100 } });
      expect(big.isError).toBe(true);
      expect(textOf(big)).toMatch(/per-call cap of \$0\.0250.*nothing was sent/);
      expect(paidRequests(emulator)).toBe(before);
      for (const target of ["cap1.example.com", "cap2.example.com"]) {
        const ok = await c.callTool({ name: "backlinks_backlinks", arguments: { target, limit: 1 } });
        expect(ok.isError).toBeFalsy();
      }
      const third = await c.callTool({ name: "backlinks_backlinks", arguments: { target: "cap3.example.com", limit: 1 } });
      expect(third.isError).toBe(true);
      expect(textOf(third)).toMatch(/DATAFORSEO_MAX_COST_USD/);
      expect(paidRequests(emulator)).toBe(before + 2);
    } finally {
      await c.close();
      await capped.close(100);
    }
  });

  it("shows each tenant only its own usage", async () => {
    const server = await startHttp(hostedConfig({ baseUrl: emulator.url }), {
      tenants: tenantsOf([
        { name: "gamma", token: TOKEN_A, caps: { daily_usd: 2.5 } },
        { name: "delta", token: TOKEN_B },
      ]),
    });
    const g = await connect(server.url, TOKEN_A);
    const d = await connect(server.url, TOKEN_B);
    try {
      const paid = await g.callTool({ name: "backlinks_backlinks", arguments: { target: "usage.example.com", limit: 3 } });
      expect(paid.isError).toBeFalsy();
      const paidOf = async (c: typeof g) => {
        const text = textOf(await c.callTool({ name: "backlinks_usage", arguments: {} }));
        return { today: Number(/today_calls\t(\d+) paid/.exec(text)?.[1]), sent: Number(/process_calls\t\d+ \(sent (\d+)/.exec(text)?.[1]) };
      };
      expect(await paidOf(g)).toEqual({ today: 1, sent: 1 });
      expect(await paidOf(d)).toEqual({ today: 0, sent: 0 });
      // Each tenant sees its own caps, and where the operator sets them (not the server's environment).
      const gamma = textOf(await g.callTool({ name: "backlinks_usage", arguments: {} }));
      expect(gamma).toMatch(/today_cap_usd\t\$2\.5000\n/);
      expect(gamma).toMatch(/month_cap_usd\tnone \(set this tenant's monthly_usd in the server's tenants file\)/);
      expect(gamma).not.toContain("DATAFORSEO_DAILY_MAX_COST_USD");
    } finally {
      await g.close();
      await d.close();
      await server.close(100);
    }
  });

  it("keeps held paid rows on the replica when the shared state cannot take the cursor", async () => {
    class FlakyState extends MemoryState {
      failCursorWrites = true;
      override async putCursor(...args: Parameters<MemoryState["putCursor"]>): Promise<void> {
        if (this.failCursorWrites) throw new StateUnavailableError();
        return super.putCursor(...args);
      }
    }
    const state = new FlakyState();
    const server = await startHttp(hostedConfig({ baseUrl: emulator.url, login: "demo", password: "demo", outputMaxChars: 5000 }), { state });
    const c = await connect(server.url);
    try {
      const first = await c.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 97 } });
      expect(first.isError).toBeFalsy();
      const handle = nextHandle(textOf(first));
      expect(handle).toBeDefined();
      const before = paidRequests(emulator);
      const page = await c.callTool({ name: "backlinks_next_page", arguments: { search_after_token: handle! } });
      expect(page.isError).toBeFalsy();
      expect(textOf(page)).toMatch(/\$0\.0000/);
      expect(paidRequests(emulator)).toBe(before);
    } finally {
      await c.close();
      await server.close(100);
    }
  });

  it("keeps each tenant's export files in its own folder: another tenant cannot list or read them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bmcp-exports-"));
    // An export file of tenant "exporter", where backlinks_export writes it (its own folder).
    mkdirSync(join(dir, "exporter"));
    writeFileSync(join(dir, "exporter", "backlinks-forbes.com-2026-11-25.csv"), "url_from\nexample.com/a\n");
    const server = await startHttp(hostedConfig({ baseUrl: emulator.url, exportDir: dir }), {
      tenants: tenantsOf([
        { name: "exporter", token: TOKEN_A },
        { name: "other", token: TOKEN_B },
      ]),
    });
    const a = await connect(server.url, TOKEN_A);
    const b = await connect(server.url, TOKEN_B);
    try {
      const exports = (c: typeof a) => c.listResources().then((r) => r.resources.filter((x) => x.uri.startsWith("backlinks://exports/")));
      const own = await exports(a);
      expect(own.map((r) => r.uri)).toEqual(["backlinks://exports/backlinks-forbes.com-2026-11-25.csv"]);
      const read = await a.readResource({ uri: own[0]!.uri });
      expect(JSON.stringify(read.contents)).toContain("example.com/a");
      expect(await exports(b)).toEqual([]);
      const stolen = await b.readResource({ uri: own[0]!.uri }).then(
        (r) => JSON.stringify(r.contents),
        (err: Error) => err.message,
      );
      expect(stolen).not.toContain("example.com/a");
    } finally {
      await a.close();
      await b.close();
      await server.close(100);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Hosted-mode test helpers: a throwaway redis-server on a free loopback port, configs, MCP clients
// over Streamable HTTP, raw HTTP requests with any Host header, and a round-robin proxy.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { Socket, createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadConfig, type Config } from "../../src/config.js";
import { hashToken, parseTenants, type Tenants } from "../../src/hosted/tenants.js";

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** redis-server on 127.0.0.1 with no persistence, in its own temp dir; stop() and start() again on the same port. */
export class TestRedis {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), "bmcp-redis-"));
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const proc = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir], {
      stdio: "ignore",
    });
    this.proc = proc;
    // Wait (bounded) until it accepts connections.
    for (let i = 0; i < 100; i++) {
      if (await this.accepts()) return;
      if (proc.exitCode !== null) throw new Error("redis-server exited at start");
      await sleep(50);
    }
    throw new Error("redis-server did not start within 5 s");
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = new Socket();
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
      s.connect(this.port, "127.0.0.1");
    });
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGKILL");
    await Promise.race([exited, sleep(3000)]);
    this.proc = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function hostedConfig(overrides: Partial<Config> = {}): Config {
  const { config } = loadConfig(["http"], {});
  return { ...config, httpPort: 0, logLevel: "silent", ...overrides };
}

export interface TenantSpec {
  name: string;
  token: string;
  login?: string;
  password?: string;
  caps?: { per_call_usd?: number; daily_usd?: number; monthly_usd?: number };
  toolsets?: string[];
}

export function tenantsOf(specs: TenantSpec[]): Tenants {
  return parseTenants(
    JSON.stringify({
      tenants: specs.map((s) => ({
        name: s.name,
        token_sha256: hashToken(s.token),
        login: s.login ?? "demo",
        password: s.password ?? "demo",
        ...(s.caps ? { caps: s.caps } : {}),
        ...(s.toolsets ? { toolsets: s.toolsets } : {}),
      })),
    }),
  );
}

export async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "hosted-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  await client.connect(transport);
  return client;
}

export function textOf(result: unknown): string {
  const r = result as CallToolResult;
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export function nextHandle(text: string): string | undefined {
  return /"search_after_token":"(bl_[A-Za-z0-9_-]+)"/.exec(text)?.[1];
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request to 127.0.0.1 with exactly the headers given (Host included). */
export function raw(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method: options.method ?? "POST", path: options.path ?? "/mcp", headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.end(options.body);
  });
}

export const INIT_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

export const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** A loopback proxy that sends each request to the next of `targets` in turn (a test load balancer). */
export class RoundRobin {
  private server?: Server;
  private next = 0;
  url = "";
  readonly served: number[];

  constructor(public targets: number[]) {
    this.served = targets.map(() => 0);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.forward(req, res, Buffer.concat(chunks), this.targets.length));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/mcp`;
    return this.url;
  }

  /** Tries replicas in turn; a replica that refuses the connection is skipped (as a load balancer would). */
  private forward(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, body: Buffer, tries: number): void {
    const i = this.next++ % this.targets.length;
    const port = this.targets[i]!;
    const headers = { ...req.headers, host: `127.0.0.1:${port}` };
    const up = httpRequest({ host: "127.0.0.1", port, method: req.method, path: req.url, headers }, (r) => {
      this.served[i]! += 1;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => {
      if (tries > 1 && !res.headersSent) this.forward(req, res, body, tries - 1);
      else if (!res.headersSent) {
        res.writeHead(502);
        res.end();
      } else res.destroy();
    });
    up.end(body);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Requests the emulator answered, except the free user_data reads (prices, balance). */
export function paidRequests(emulator: { stats(): { byPath: Record<string, number> } }): number {
  return Object.entries(emulator.stats().byPath)
    .filter(([path]) => !path.startsWith("/v3/appendix/"))
    .reduce((sum, [, n]) => sum + n, 0);
}

// backlinks-mcp http: Streamable HTTP at /mcp, stateless (a fresh server and transport per request,
// so any replica can answer any request), plain JSON answers, or SSE when the call asked for progress.
// Before a request reaches MCP: Host and Origin against the allow-list (DNS rebinding → 403), body
// size (→ 413), bearer token → tenant (→ 401). GET /healthz: liveness and the shared store's reach.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { ConfigError, type Config } from "../config.js";
import { createServer, type ServerParts } from "../server.js";
import { makeLogger, type Deps } from "../tools/deps.js";
import { MemoryState } from "../hosted/memory-state.js";
import { LOCAL_TENANT, createTenantRuntime, preload, requestDeps, type TenantRuntime } from "../hosted/runtime.js";
import type { HostedState } from "../hosted/state.js";
import { toNanos } from "../spend/units.js";
import { resolveToolsets } from "../tools/toolsets.js";
import { bearerToken, loadTenants, type Tenant, type Tenants } from "../hosted/tenants.js";

export interface HttpOptions {
  /** Shared state; default: Redis when config.redisUrl is set, else memory. */
  state?: HostedState;
  /** Tenants; default: loaded from config.tenantsFile. */
  tenants?: Tenants;
}

export interface RunningHttp {
  url: string;
  port: number;
  state: HostedState;
  /** Stop accepting, let requests run up to graceMs, then abort upstream calls and close the store. */
  close(graceMs?: number): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Host header values accepted: the loopback names on our port when bound to loopback, plus the allow-list. */
function hostChecker(config: Config, port: number): (host: string | undefined) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  if (isLoopback(config.httpHost)) {
    for (const name of ["localhost", "127.0.0.1", "[::1]"]) exact.add(`${name}:${port}`);
    if (port === 80) for (const name of ["localhost", "127.0.0.1", "[::1]"]) exact.add(name);
  } else if (config.httpHost !== "0.0.0.0" && config.httpHost !== "::") {
    exact.add(`${config.httpHost.includes(":") ? `[${config.httpHost}]` : config.httpHost}:${port}`.toLowerCase());
  }
  for (const h of config.allowedHosts) {
    const v = h.toLowerCase();
    if (/:\d+$/.test(v)) exact.add(v);
    else anyPort.add(v);
  }
  return (host) => {
    if (!host) return false;
    const v = host.toLowerCase();
    if (exact.has(v)) return true;
    return anyPort.has(v.replace(/:\d+$/, ""));
  };
}

/** Origin values accepted (when a browser sends one): our loopback origins and the allow-list. */
function originChecker(config: Config, port: number): (origin: string) => boolean {
  const allowed = new Set(config.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, "")));
  if (isLoopback(config.httpHost)) {
    for (const name of ["localhost", "127.0.0.1", "[::1]"]) allowed.add(`http://${name}:${port}`);
  }
  return (origin) => allowed.has(origin.toLowerCase());
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(text);
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>): void {
  send(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}

class TooLarge extends Error {}

/** Reads the body up to `max` bytes; rejects with TooLarge beyond (declared or streamed). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Does any request in the body ask for progress? Then the answer is streamed (SSE), else plain JSON. */
function wantsProgress(messages: unknown[]): boolean {
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } })?.params?._meta;
    return meta?.progressToken !== undefined;
  });
}

export async function startHttp(config: Config, options: HttpOptions = {}): Promise<RunningHttp> {
  const log = makeLogger(config);
  const tenants = options.tenants ?? (config.tenantsFile ? loadTenants(config.tenantsFile) : undefined);
  if (!tenants && !isLoopback(config.httpHost)) {
    throw new ConfigError(
      `refusing to listen on ${config.httpHost} without DATAFORSEO_TENANTS_FILE: beyond loopback every caller must present a tenant's bearer token`,
    );
  }
  if (!isLoopback(config.httpHost) && config.allowedHosts.length === 0 && (config.httpHost === "0.0.0.0" || config.httpHost === "::")) {
    throw new ConfigError(
      `listening on ${config.httpHost} needs DATAFORSEO_ALLOWED_HOSTS (the Host names clients use, e.g. mcp.example.com) so DNS-rebinding requests can be refused`,
    );
  }
  for (const t of tenants?.list ?? []) {
    try {
      resolveToolsets(t.toolsets ?? config.toolsets);
    } catch (err) {
      throw new ConfigError(`DATAFORSEO_TENANTS_FILE: tenant '${t.name}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let state = options.state;
  if (!state) {
    if (config.redisUrl) {
      const { RedisState } = await import("../state/redis-state.js");
      const redis = new RedisState(config.redisUrl, { log });
      if (!(await redis.ready())) log("error", "the shared state store is not reachable yet: calls that spend are refused until it is");
      state = redis;
    } else {
      state = new MemoryState();
    }
  }
  const store = state;
  // Without a tenants file (loopback only) the server's own credentials serve every local caller.
  const local: Tenant | undefined = tenants
    ? undefined
    : {
        name: LOCAL_TENANT,
        login: config.login ?? "",
        password: config.password ?? "",
        dailyNanos: config.dailyMaxCostUsd === undefined ? undefined : toNanos(config.dailyMaxCostUsd),
        monthlyNanos: config.monthlyMaxCostUsd === undefined ? undefined : toNanos(config.monthlyMaxCostUsd),
      };
  const runtimes = new Map<string, TenantRuntime>();
  // Building a server (tools, schemas, validators) costs more CPU than most calls: idle servers are
  // kept per tenant and reused. Each serves one request at a time; its Deps object is refilled with
  // the request's pieces before it runs (the server reads them at call time).
  const idle = new Map<string, { parts: ServerParts; deps: Deps }[]>();
  const POOL_MAX = 64;
  const takeServer = (rt: TenantRuntime, deps: Deps): { parts: ServerParts; deps: Deps } => {
    const pooled = idle.get(rt.tenant.name)?.pop();
    if (pooled) {
      // Only these two differ between the tenant's requests (the rest is the tenant's runtime).
      pooled.deps.cursors = deps.cursors;
      pooled.deps.cache = deps.cache;
      return pooled;
    }
    const own = { ...deps };
    return { parts: createServer(rt.config, own), deps: own };
  };
  const giveBack = (rt: TenantRuntime, entry: { parts: ServerParts; deps: Deps }) => {
    let list = idle.get(rt.tenant.name);
    if (!list) idle.set(rt.tenant.name, (list = []));
    if (list.length < POOL_MAX && !stopping) list.push(entry);
  };
  const runtimeOf = (tenant: Tenant): TenantRuntime => {
    let rt = runtimes.get(tenant.name);
    if (!rt) runtimes.set(tenant.name, (rt = createTenantRuntime(config, tenant, store)));
    return rt;
  };

  let checkHost: (host: string | undefined) => boolean = () => false;
  let checkOrigin: (origin: string) => boolean = () => false;
  let stopping = false;
  const active = new Set<Promise<void>>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    // Health answers whatever the Host (load balancers probe replicas by address); it reveals nothing.
    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method not allowed" }, { allow: "GET" });
      const reachable = await store.ping();
      return send(res, 200, { status: stopping ? "stopping" : "ok", store: store.kind, store_reachable: reachable });
    }
    if (!checkHost(req.headers.host)) return send(res, 403, { error: "forbidden: Host header not allowed" });
    const origin = req.headers.origin;
    if (origin !== undefined && !checkOrigin(origin)) return send(res, 403, { error: "forbidden: Origin not allowed" });
    if (path !== "/mcp") return send(res, 404, { error: "not found: the MCP endpoint is /mcp" });
    if (stopping) return rpcError(res, 503, -32000, "server is shutting down", { connection: "close", "retry-after": "1" });

    let tenant = local;
    if (tenants) {
      const token = bearerToken(req.headers.authorization);
      tenant = token === undefined ? undefined : tenants.find(token);
      if (!tenant) {
        return rpcError(res, 401, -32001, "a valid bearer token is required (Authorization: Bearer <token>)", {
          "www-authenticate": `Bearer realm="backlinks-mcp"${token === undefined ? "" : ', error="invalid_token"'}`,
        });
      }
    }
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream to resume, no session to delete.
      return rpcError(res, 405, -32000, "method not allowed: send JSON-RPC with POST", { allow: "POST" });
    }

    let parsed: unknown;
    try {
      const body = await readBody(req, config.httpMaxBodyBytes);
      parsed = JSON.parse(body.toString("utf8"));
    } catch (err) {
      if (err instanceof TooLarge) {
        return rpcError(res, 413, -32600, `request body larger than ${config.httpMaxBodyBytes} bytes`, { connection: "close" });
      }
      return rpcError(res, 400, -32700, "parse error: the body is not JSON");
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    const rt = runtimeOf(tenant!);
    const loaded = await preload(rt, messages);
    const unreadable = [];
    for (const handle of loaded.unreadableCursors) if (!(await rt.localCursors.get(handle)).found) unreadable.push(handle);
    if (unreadable.length > 0 && messages.length === 1) {
      const id = (messages[0] as { id?: unknown }).id ?? null;
      return send(res, 200, {
        jsonrpc: "2.0",
        id,
        result: {
          content: [
            {
              type: "text",
              text: "The shared state store of this server is unreachable, so the paging cursor cannot be read right now. Nothing was sent and nothing was charged; the cursor and its rows are kept. Try again in a few seconds.",
            },
          ],
          isError: true,
        },
      });
    }
    const { deps, flush } = requestDeps(rt, loaded);
    const entry = takeServer(rt, deps);
    const { parts } = entry;
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: !wantsProgress(messages) });
    // What the request stored (cursors with held rows, cache entries) is in the shared state before
    // its answer leaves: a next page may arrive at another replica right after.
    const sendRaw = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage, opts?: Parameters<typeof sendRaw>[1]) => {
      if ("result" in message || "error" in message) await flush();
      return sendRaw(message, opts);
    };
    res.on("close", () => {
      // Reused only when the answer went out whole: then no handler of this request still runs.
      const clean = res.writableFinished;
      void (async () => {
        await transport.close().catch(() => undefined);
        await parts.server.close().catch(() => undefined);
        if (clean) giveBack(rt, entry);
      })();
    });
    await parts.server.connect(transport);
    await transport.handleRequest(req, res, parsed);
  };

  const server: Server = createHttpServer((req, res) => {
    const job = handle(req, res).catch((err: unknown) => {
      log("error", `http: ${err instanceof Error ? err.name : "error"} while handling a request`);
      if (!res.headersSent) rpcError(res, 500, -32603, "internal error");
      else res.end();
    });
    active.add(job);
    void job.finally(() => active.delete(job));
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = Math.max(config.timeoutMs * 2, 60_000);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.httpPort, config.httpHost, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  checkHost = hostChecker(config, port);
  checkOrigin = originChecker(config, port);
  const shownHost = config.httpHost.includes(":") ? `[${config.httpHost}]` : config.httpHost;
  const url = `http://${shownHost}:${port}/mcp`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    state: store,
    close(graceMs = 2000) {
      closing ??= (async () => {
        stopping = true;
        server.close();
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...active]),
          new Promise<void>((r) => {
            timer = setTimeout(r, graceMs);
          }),
        ]);
        clearTimeout(timer);
        // Abort upstream calls still running; their requests answer with an error result.
        await Promise.allSettled([...runtimes.values()].map((rt) => rt.client.close(0)));
        // Settlements of calls that just ended go to the store before it closes.
        await Promise.allSettled([...runtimes.values()].flatMap((rt) => [...rt.base.pendingWrites]));
        await Promise.allSettled([...runtimes.values()].map((rt) => rt.localCursors.close()));
        await Promise.race([Promise.allSettled([...active]), new Promise((r) => setTimeout(r, 500))]);
        server.closeAllConnections();
        if (!options.state) await store.close();
      })();
      return closing;
    },
  };
}

/** The CLI: `backlinks-mcp http` (with --demo: against the built-in emulator). Prints its URL on stdout. */
export async function runHttp(config: Config): Promise<void> {
  let stopEmulator: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startEmulator } = await import("../emulator/index.js");
    const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
    stopEmulator = () => emulator.close();
    config = { ...config, baseUrl: emulator.url, login: "demo", password: "demo" };
  }
  let running: RunningHttp;
  try {
    running = await startHttp(config);
  } catch (err) {
    await stopEmulator?.();
    if (err instanceof ConfigError || (err as NodeJS.ErrnoException).code === "EADDRINUSE" || (err as NodeJS.ErrnoException).code === "EACCES") {
      process.stderr.write(`backlinks-mcp: ${err instanceof ConfigError ? err.message : `cannot listen on ${config.httpHost}:${config.httpPort} (${(err as NodeJS.ErrnoException).code})`}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = makeLogger(config);
  const GRACE_MS = 2000;
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), GRACE_MS + 2000).unref();
    log("info", `shutting down (${why})`);
    try {
      await running.close(GRACE_MS);
      await stopEmulator?.();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (reason) => {
    log("error", `unhandled rejection: ${reason instanceof Error ? reason.name : typeof reason}`);
  });
  process.stdout.write(`${running.url}\n`);
}

// The HTTP side: one request goes counters → fault pick → body → latency → faults before billing →
// Basic auth → route → execute and bill (execute.ts) → delivery (normal, or a fault after billing).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Billing } from "./billing.js";
import { findEndpoint } from "./endpoints/registry.js";
import { EnvelopeMaker } from "./envelope.js";
import { execute } from "./execute.js";
import { FaultSwitch, send, sendHtml, sendSlowly, sendTruncated, TASK_FAULT_CODES, TOP_LEVEL_FAULT_CODES } from "./faults.js";
import { Counters } from "./stats.js";
import type { Emulator, EmulatorOptions, FaultConfig } from "./types.js";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

function todayUtc(now?: Date): number {
  const d = now ?? new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** The request body as text, or null when the client went away. Stops reading past the size cap. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) break;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return null;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Timers that close() can cancel. */
class Timers {
  private set = new Set<NodeJS.Timeout>();
  wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        this.set.delete(t);
        resolve();
      }, ms);
      this.set.add(t);
    });
  clear(): void {
    for (const t of this.set) clearTimeout(t);
    this.set.clear();
  }
}

/** Faults that answer before anything is executed or billed; true when the request was answered. */
function answerBeforeBilling(fault: FaultConfig, req: IncomingMessage, res: ServerResponse, envelopes: EnvelopeMaker): boolean {
  switch (fault.kind) {
    case "hang": return true;
    case "reset": req.socket.destroy(); return true;
    case "http500": sendHtml(res, 500, "500 Internal Server Error"); return true;
    case "http502_html": sendHtml(res, 502, "502 Bad Gateway"); return true;
    case "http429":
      send(res, 429, JSON.stringify(envelopes.envelope(40202, null)), { "retry-after": String(fault.retryAfterSec ?? 1) });
      return true;
  }
  const code = TOP_LEVEL_FAULT_CODES[fault.kind];
  if (code === undefined) return false;
  send(res, code === 40100 ? 401 : 200, JSON.stringify(envelopes.envelope(code, null)));
  return true;
}

/** Deliver an executed request, applying a fault that comes after billing. */
async function deliver(fault: FaultConfig | null, req: IncomingMessage, res: ServerResponse, status: number, text: string, timers: Timers): Promise<void> {
  switch (fault?.kind) {
    case "truncated": return sendTruncated(res, status, text);
    case "slow_body": return sendSlowly(res, status, text, fault.slowBodyMs ?? 2000, timers.wait);
    case "reset_after_bill": req.socket.destroy(); return;
    case "hang_after_bill": return;
    case "http502_after_bill": return sendHtml(res, 502, "502 Bad Gateway");
    case "redirect_result": return send(res, 302, text, { location: req.url ?? "/" });
    default: return send(res, status, text);
  }
}

export async function startServer(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  const nowMs = todayUtc(options.now);
  const envelopes = new EnvelopeMaker(seed, nowMs);
  // Accounts by the Authorization header that opens them.
  const accounts = new Map<string, Billing>();
  for (const a of [{ login: options.login ?? "demo", password: options.password ?? "demo" }, ...(options.moreAccounts ?? [])]) {
    accounts.set(`Basic ${Buffer.from(`${a.login}:${a.password}`).toString("base64")}`, new Billing(a.login, options.priceMultiplier ?? 1, undefined, options.depositUsd));
  }
  const counters = new Counters();
  const faults = new FaultSwitch(options.fault ?? null);
  const timers = new Timers();
  const sockets = new Set<Socket>();
  let latencyMs = Math.max(0, options.latencyMs ?? 0);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    const done = counters.track(path, res, req, accounts.get(req.headers.authorization ?? "")?.account.login);
    const fault = faults.take();
    const body = await readBody(req);
    if (body === null) return done();
    if (latencyMs > 0) await timers.wait(latencyMs);
    if (res.destroyed) return;
    if (fault && answerBeforeBilling(fault, req, res, envelopes)) return;

    const billing = accounts.get(req.headers.authorization ?? "");
    if (!billing) return send(res, 401, JSON.stringify(envelopes.envelope(40100, null)));
    const ep = findEndpoint(req.method ?? "GET", path);
    if (!ep) return send(res, 404, JSON.stringify(envelopes.envelope(40400, null)));
    const taskFault = fault ? TASK_FAULT_CODES[fault.kind] ?? null : null;
    const { status, json, billed } = execute({ seed, nowMs, billing, envelopes }, ep, path.split("/").filter(Boolean), body, taskFault);
    counters.billed(billed);
    await deliver(fault, req, res, status, JSON.stringify(json), timers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, JSON.stringify(envelopes.envelope(50000, null)));
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats: () => counters.snapshot(),
    resetStats: () => counters.reset(),
    setFault: (next) => faults.set(next),
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setPriceMultiplier: (m) => {
      for (const billing of accounts.values()) billing.setMultiplier(m);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

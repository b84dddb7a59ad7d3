// The HTTP side: Basic auth, routing, the response envelope, billing, fault injection and counters.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { messageOf, TaskError } from "./errors.js";
import { findEndpoint, type Account, type Endpoint } from "./endpoints/registry.js";
import { DEFAULT_PRICES, money, taskCost, type Prices } from "./pricing.js";
import { hashHex } from "./rng.js";
import type { Task } from "./params.js";
import type { Emulator, EmulatorOptions, EmulatorStats, FaultConfig } from "./types.js";

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TOP_LEVEL_FAULT_CODES: Record<string, number> = { code40202: 40202, code40209: 40209, code40100: 40100 };
const TASK_FAULT_CODES: Record<string, number> = {
  code50000: 50000, code50301: 50301, code50401: 50401, code40204: 40204, code40210: 40210,
};

const pad = (n: number) => String(n).padStart(2, "0");

interface TaskOut {
  id: string;
  status_code: number;
  status_message: string;
  time: string;
  cost: number;
  result_count: number;
  path: string[];
  data: Record<string, unknown>;
  result: unknown[] | null;
}

function todayUtc(now?: Date): number {
  const d = now ?? new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Parse the POST body into tasks: a JSON array, or an object keyed "0", "1", … as some official clients send. */
function parseTasks(body: string): unknown[] | 40502 | 40503 {
  if (body.trim() === "") return 40502;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 40503;
  }
  if (Array.isArray(parsed)) return parsed.length === 0 ? 40502 : parsed;
  if (parsed && typeof parsed === "object") {
    const keys = Object.keys(parsed);
    if (keys.length === 0) return 40502;
    if (keys.every((k) => /^\d+$/.test(k))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => (parsed as Record<string, unknown>)[k]);
    }
  }
  return 40503;
}

const isPlainObject = (v: unknown): v is Task => typeof v === "object" && v !== null && !Array.isArray(v);

export async function startServer(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const login = options.login ?? "demo";
  const password = options.password ?? "demo";
  const seed = options.seed ?? 1;
  const nowMs = todayUtc(options.now);
  const prices: Prices = DEFAULT_PRICES;
  const expectedAuth = `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`;
  const nowDate = new Date(nowMs);
  const version = `0.1.${nowDate.getUTCFullYear()}${pad(nowDate.getUTCMonth() + 1)}${pad(nowDate.getUTCDate())}`;
  const idPrefix = `${pad(nowDate.getUTCMonth() + 1)}${pad(nowDate.getUTCDate())}0000`;

  let latencyMs = Math.max(0, options.latencyMs ?? 0);
  let fault: FaultConfig | null = options.fault ?? null;
  let faultLeft = fault?.count ?? Infinity;
  let taskCounter = 0;
  const stats: EmulatorStats = { requests: 0, inFlight: 0, peakInFlight: 0, byPath: {} };
  const account: Account = { login, deposited: 100, balance: 100, spent: 0, calls: {} };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const nextTaskId = (): string => {
    taskCounter++;
    const tail = hashHex(`${seed}|${nowMs}|${taskCounter}`).slice(-12);
    return `${idPrefix}-1535-${String(taskCounter % 10000).padStart(4, "0")}-0000-${tail}`;
  };

  /** Deterministic stand-in for the server's execution time. */
  const timeFor = (rows: number): string => `${(0.01 + rows * 0.00004).toFixed(4)} sec.`;

  const envelope = (status: number, tasks: TaskOut[] | null, rows = 0) => {
    const cost = money((tasks ?? []).reduce((a, t) => a + t.cost, 0));
    return {
      version,
      status_code: status,
      status_message: messageOf(status),
      time: timeFor(rows + 10),
      cost,
      tasks_count: tasks ? tasks.length : 0,
      tasks_error: tasks ? tasks.filter((t) => t.status_code !== 20000).length : 0,
      tasks,
    };
  };

  /** A task in the documented key order; data echoes the posted task after api and function. */
  const makeTask = (ep: Endpoint, pathParts: string[], raw: unknown, code: number, message: string, rows: number, cost: number, result: unknown[] | null): TaskOut => {
    const data: Record<string, unknown> = { api: ep.api, function: ep.fn };
    if (isPlainObject(raw)) for (const [k, v] of Object.entries(raw)) if (k !== "api" && k !== "function") data[k] = v;
    return {
      id: nextTaskId(),
      status_code: code,
      status_message: message,
      time: timeFor(rows),
      cost,
      result_count: result ? result.length : 0,
      path: pathParts,
      data,
      result,
    };
  };

  const failedTask = (ep: Endpoint, pathParts: string[], raw: unknown, code: number, message?: string): TaskOut =>
    makeTask(ep, pathParts, raw, code, message ?? messageOf(code), 0, 0, null);

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string | number> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };

  const html = (title: string) =>
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

  /** Run a request that passed auth and routing; returns the JSON body and the HTTP status. */
  const execute = (ep: Endpoint, pathParts: string[], body: string, taskFault: number | null): { status: number; json: unknown } => {
    let tasks: unknown[];
    if (ep.method === "GET") tasks = [{}];
    else {
      const parsed = parseTasks(body);
      if (typeof parsed === "number") return { status: 200, json: envelope(parsed, null) };
      tasks = parsed;
    }
    const out: TaskOut[] = [];
    let rows = 0;
    tasks.forEach((raw, i) => {
      if (i > 0) {
        out.push(failedTask(ep, pathParts, raw, 40000));
        return;
      }
      if (taskFault !== null) {
        out.push(failedTask(ep, pathParts, raw, taskFault));
        return;
      }
      if (!isPlainObject(raw)) {
        out.push(failedTask(ep, pathParts, raw, 40503));
        return;
      }
      if (ep.billable && account.balance < prices.perRequest) {
        out.push(failedTask(ep, pathParts, raw, 40210));
        return;
      }
      try {
        const result = ep.run(raw, { seed, nowMs, prices, account });
        let cost = ep.billable ? taskCost(prices, result.rows) : 0;
        if (cost > account.balance) {
          out.push(failedTask(ep, pathParts, raw, 40210));
          return;
        }
        account.balance = money(account.balance - cost);
        account.spent = money(account.spent + cost);
        if (ep.billable) account.calls[ep.fn] = (account.calls[ep.fn] ?? 0) + 1;
        cost = money(cost);
        rows += result.rows;
        out.push(makeTask(ep, pathParts, raw, 20000, messageOf(20000), result.rows, cost, result.result));
      } catch (err) {
        if (err instanceof TaskError) out.push(failedTask(ep, pathParts, raw, err.code, err.message));
        else out.push(failedTask(ep, pathParts, raw, 50000));
      }
    });
    return { status: 200, json: envelope(20000, out, rows) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    stats.inFlight++;
    if (stats.inFlight > stats.peakInFlight) stats.peakInFlight = stats.inFlight;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      stats.inFlight--;
    };
    res.on("close", done);
    res.on("finish", done);

    // The fault is decided on arrival so "the first N requests" is exact under concurrency.
    let active: FaultConfig | null = null;
    if (fault && faultLeft > 0) {
      active = fault;
      faultLeft--;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) break;
        chunks.push(chunk as Buffer);
      }
    } catch {
      done();
      return;
    }
    const body = Buffer.concat(chunks).toString("utf8");
    if (latencyMs > 0) await later(latencyMs);
    if (res.destroyed) return;

    if (active?.kind === "hang") return;
    if (active?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (active?.kind === "http500") {
      send(res, 500, html("500 Internal Server Error"), { "content-type": "text/html" });
      return;
    }
    if (active?.kind === "http502_html") {
      send(res, 502, html("502 Bad Gateway"), { "content-type": "text/html" });
      return;
    }
    if (active?.kind === "http429") {
      send(res, 429, JSON.stringify(envelope(40202, null)), { "retry-after": String(active.retryAfterSec ?? 1) });
      return;
    }
    const topCode = active ? TOP_LEVEL_FAULT_CODES[active.kind] : undefined;
    if (topCode !== undefined) {
      send(res, topCode === 40100 ? 401 : 200, JSON.stringify(envelope(topCode, null)));
      return;
    }

    if (req.headers.authorization !== expectedAuth) {
      send(res, 401, JSON.stringify(envelope(40100, null)));
      return;
    }
    const ep = findEndpoint(req.method ?? "GET", path);
    if (!ep) {
      send(res, 404, JSON.stringify(envelope(40400, null)));
      return;
    }
    const pathParts = path.split("/").filter(Boolean);
    const taskFault = active ? TASK_FAULT_CODES[active.kind] ?? null : null;
    const { status, json } = execute(ep, pathParts, body, taskFault);
    const text = JSON.stringify(json);

    if (active?.kind === "truncated") {
      const cut = Buffer.from(text).subarray(0, Math.max(1, Math.floor(Buffer.byteLength(text) / 2)));
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": cut.length });
      res.end(cut);
      return;
    }
    if (active?.kind === "slow_body") {
      const buf = Buffer.from(text);
      const parts = 10;
      const step = Math.ceil(buf.length / parts);
      const pause = Math.max(1, Math.floor((active.slowBodyMs ?? 2000) / parts));
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": buf.length });
      for (let i = 0; i < buf.length; i += step) {
        if (res.destroyed) return;
        res.write(buf.subarray(i, i + step));
        await later(pause);
      }
      if (!res.destroyed) res.end();
      return;
    }
    send(res, status, text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, JSON.stringify(envelope(50000, null)));
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
    stats: () => ({ ...stats, byPath: { ...stats.byPath } }),
    resetStats() {
      stats.requests = 0;
      stats.byPath = {};
      stats.peakInFlight = stats.inFlight;
    },
    setFault(next) {
      fault = next;
      faultLeft = next?.count ?? Infinity;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

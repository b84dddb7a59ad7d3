// A scripted loopback HTTP server standing in for DataForSEO in the client's unit tests.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { DataForSeoClient, type ClientOptions } from "../../src/dataforseo/client.js";

export interface Reply {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Never answer. */
  hang?: boolean;
  gzip?: boolean;
  /** Send the headers and the first part of the body, then destroy the socket. */
  cutAfterHeaders?: boolean;
  /** Send the headers and the first part of the body, then stall. */
  stallAfterHeaders?: boolean;
  /** Repeat the Authorization header in the body (an upstream that leaks it). */
  echoAuth?: boolean;
}

export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

export function okEnvelope(opts: { cost?: number; result?: unknown[] | null; code?: number; message?: string } = {}) {
  const cost = opts.cost ?? 0.02;
  const code = opts.code ?? 20000;
  return {
    version: "0.1.20250101",
    status_code: 20000,
    status_message: "Ok.",
    time: "0.1 sec.",
    cost,
    tasks_count: 1,
    tasks_error: code === 20000 ? 0 : 1,
    tasks: [
      {
        id: "01010000-1535-0001-0000-abcdef012345",
        status_code: code,
        status_message: opts.message ?? (code === 20000 ? "Ok." : "Error."),
        time: "0.1 sec.",
        cost,
        result_count: opts.result === null ? 0 : 1,
        path: ["v3", "backlinks", "summary", "live"],
        data: { api: "backlinks", function: "summary", target: "example.com" },
        result: opts.result === undefined ? [{ target: "example.com", backlinks: 42 }] : opts.result,
      },
    ],
  };
}

/** An envelope whose top level carries the code (tasks null), as for auth and rate errors. */
export function topEnvelope(code: number, message: string, cost = 0) {
  return { version: "0.1.20250101", status_code: code, status_message: message, time: "0 sec.", cost, tasks_count: 0, tasks_error: 0, tasks: null };
}

export class Stub {
  url = "";
  readonly seen: Seen[] = [];
  inFlight = 0;
  peakInFlight = 0;
  /** Responses closed by the client before they were finished. */
  abortedByClient = 0;
  /** Replies used in order; when empty, `fallback` answers. */
  readonly script: Reply[] = [];
  fallback: Reply = { body: okEnvelope() };
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly closeWaiters: Array<() => void> = [];
  private readonly arrivalWaiters: Array<{ n: number; resolve: () => void }> = [];

  constructor() {
    this.server = createServer((req, res) => {
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      let finished = false;
      res.on("finish", () => {
        finished = true;
      });
      res.on("close", () => {
        this.inFlight--;
        if (!finished) {
          this.abortedByClient++;
          for (const w of this.closeWaiters.splice(0)) w();
        }
      });
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.seen.push({ at: performance.now(), method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        for (const w of [...this.arrivalWaiters]) {
          if (this.seen.length >= w.n) {
            this.arrivalWaiters.splice(this.arrivalWaiters.indexOf(w), 1);
            w.resolve();
          }
        }
        const reply = this.script.shift() ?? this.fallback;
        void this.answer(reply, req.headers.authorization ?? "", req.socket, res);
      });
    });
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  reset(): void {
    this.seen.length = 0;
    this.script.length = 0;
    this.fallback = { body: okEnvelope() };
    this.peakInFlight = this.inFlight;
    this.abortedByClient = 0;
  }

  /** Resolves once `n` requests (in total) have arrived. */
  arrivals(n: number): Promise<void> {
    if (this.seen.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.arrivalWaiters.push({ n, resolve }));
  }

  /** Resolves when the client closes a response before it was finished. */
  nextClientClose(): Promise<void> {
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(reply: Reply, auth: string, socket: Socket, res: ServerResponse): Promise<void> {
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    if (reply.hang) return;
    if (reply.reset) {
      socket.destroy();
      return;
    }
    let text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? "");
    if (reply.echoAuth) text = `${text} you sent: ${auth}`;
    let payload = Buffer.from(text);
    const headers: Record<string, string | number> = { "content-type": "application/json", ...reply.headers };
    if (reply.gzip) {
      payload = gzipSync(payload);
      headers["content-encoding"] = "gzip";
    }
    headers["content-length"] = payload.length;
    res.writeHead(reply.status ?? 200, headers);
    if (reply.cutAfterHeaders) {
      res.write(payload.subarray(0, Math.floor(payload.length / 2)));
      setTimeout(() => socket.destroy(), 10);
      return;
    }
    if (reply.stallAfterHeaders) {
      res.write(payload.subarray(0, Math.floor(payload.length / 2)));
      return;
    }
    res.end(payload);
  }
}

export async function startStub(): Promise<Stub> {
  return new Stub().start();
}

export interface StubSuite {
  readonly stub: Stub;
  /** A client of the stub with the suite's defaults; closed after the suite. */
  client(options?: Partial<ClientOptions>): DataForSeoClient;
  /** Close this client after the suite too. */
  track(client: DataForSeoClient): DataForSeoClient;
}

/** One stub for the enclosing suite: started before it, reset before each test, closed (with its clients) after. */
export function useStub(defaults: Partial<ClientOptions>): StubSuite {
  let stub: Stub | undefined;
  const clients: DataForSeoClient[] = [];
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close(0)));
    await stub?.close();
  });
  beforeEach(() => stub?.reset());
  const suite: StubSuite = {
    get stub() {
      if (!stub) throw new Error("the stub starts in beforeAll");
      return stub;
    },
    client: (options = {}) => suite.track(new DataForSeoClient({ ...defaults, baseUrl: suite.stub.url, ...options })),
    track(client) {
      clients.push(client);
      return client;
    },
  };
  return suite;
}

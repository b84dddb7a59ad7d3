// A loopback upstream that bills like DataForSEO: it charges a task when it runs it (before
// answering), keeps its own billing record in nano-dollars, and can be told to raise its prices,
// charge a flat amount, or fail in ways that hide whether it billed.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { DataForSeoClient, type ClientOptions } from "../../src/dataforseo/client.js";
import { CURRENT_PRICES } from "../../src/spend/pricing.js";

/** What the upstream does with one request. */
export type Fault =
  | "ok"
  /** Bills, then never answers (the client times out after sending). */
  | "hang"
  /** Bills, then resets the connection (after the whole request was sent). */
  | "reset"
  /** Bills, then a gateway answers 502 with an HTML page. */
  | "gateway"
  /** Does not bill; DataForSEO's envelope with 40209 at cost 0 (retried by the client). */
  | "busy";

export class BillingUpstream {
  url = "";
  /** Multiplies the table prices. */
  factor = 1;
  /** When set, every task costs this much whatever its rows. */
  flatUsd: number | undefined;
  /** Picks the fault for the n-th request (0-based). */
  fault: (n: number) => Fault = () => "ok";
  /** Called with the request number when a task is billed at a price above the table's. */
  onBilled?: (n: number, nanos: number) => void;
  requests = 0;
  /** Nano-dollars billed per task tag. */
  readonly billedByTag = new Map<string, number>();
  billedTasks = 0;
  billedNanos = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const n = this.requests++;
        const fault = this.fault(n);
        if (fault === "busy") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(envelope(40209, "Too many simultaneous queries.", 0, null)));
          return;
        }
        let rows = 0;
        let tag = "";
        try {
          const [task] = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Array<{ limit?: number; tag?: string }>;
          rows = typeof task?.limit === "number" ? task.limit : 100;
          tag = typeof task?.tag === "string" ? task.tag : "";
        } catch {
          rows = 0;
        }
        const nanos = this.priceNanos(rows);
        this.billedTasks += 1;
        this.billedNanos += nanos;
        this.billedByTag.set(tag, (this.billedByTag.get(tag) ?? 0) + nanos);
        this.onBilled?.(n, nanos);
        if (fault === "hang") return;
        if (fault === "reset") {
          req.socket.destroy();
          return;
        }
        if (fault === "gateway") {
          res.writeHead(502, { "content-type": "text/html" });
          res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
          return;
        }
        const items = Array.from({ length: rows }, (_, i) => ({ url_from: `https://site${i}.example/`, rank: i }));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(envelope(20000, "Ok.", this.flatUsd ?? nanos / 1e9, [{ total_count: rows, items_count: rows, items }])));
      });
    });
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  /** Nano-dollars the upstream charges for a task of `rows` rows right now. */
  priceNanos(rows: number): number {
    if (this.flatUsd !== undefined) return Math.round(this.flatUsd * 1e9);
    const table = Math.round(CURRENT_PRICES.perRequestUsd * 1e9) + Math.round(CURRENT_PRICES.perRowUsd * 1e9) * rows;
    return Math.round(table * this.factor);
  }

  get billedUsd(): number {
    return this.billedNanos / 1e9;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  client(options: Partial<ClientOptions> = {}): DataForSeoClient {
    return new DataForSeoClient({ baseUrl: this.url, login: "spend@example.com", password: "pw-spend", retryBaseMs: 1, retryMaxMs: 5, ...options });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function envelope(code: number, message: string, cost: number, result: unknown[] | null) {
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
        status_message: message,
        time: "0.1 sec.",
        cost,
        result_count: result ? result.length : 0,
        path: ["v3", "backlinks", "backlinks", "live"],
        data: { api: "backlinks", function: "backlinks" },
        result,
      },
    ],
  };
}

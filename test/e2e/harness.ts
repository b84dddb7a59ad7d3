// End-to-end harness: the built server (dist/index.js) spawned over stdio through the SDK's client,
// talking over loopback HTTP to the emulator, with a recording proxy in between so tests can see
// exactly what went on the wire.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";

export const SERVER_ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** A new temporary spend ledger folder, for servers a test spawns itself (never the user's real one). */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "blmcp-state-"));
}

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** A loopback proxy that records every request before passing it on. */
export class RecordingProxy {
  readonly requests: Recorded[] = [];
  private server?: Server;
  url = "";

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        let body: unknown = raw.toString("utf8");
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          /* keep the text */
        }
        this.requests.push({ method: req.method ?? "", path: req.url ?? "", body, headers: req.headers });
        const forward = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        forward.on("error", () => res.destroy());
        // The server hung up before the answer: hang up upstream too, as a direct connection would.
        res.on("close", () => {
          if (!res.writableFinished) forward.destroy();
        });
        forward.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The task objects sent to a path (each POST body is a one-element array). */
  tasks(pathPart: string): Record<string, unknown>[] {
    return this.requests
      .filter((r) => r.path.includes(pathPart) && Array.isArray(r.body))
      .map((r) => (r.body as Record<string, unknown>[])[0]!);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export interface Harness {
  client: Client;
  emulator: Emulator;
  proxy: RecordingProxy;
  stderr: () => string;
  /** Every text the client received from tool calls, for leak checks. */
  outputs: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The spend ledger folder of this server. */
  stateDir: string;
  /** Messages of the elicitation requests the server sent. */
  elicited: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  /** Credentials the server uses (default: the emulator's). */
  login?: string;
  password?: string;
  /** Spawn with no credentials at all. */
  noCredentials?: boolean;
  /** Spend ledger folder (default: a new temporary one, removed on close). */
  stateDir?: string;
  /** Answers the server's elicitation requests (the client then declares the elicitation capability). */
  onElicit?: (message: string) => { action: "accept" | "decline" | "cancel"; content?: Record<string, unknown> };
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: "text"; text: string } => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const login = options.emulator?.login ?? "demo";
  const password = options.emulator?.password ?? "demo";
  const emulator = await startEmulator({ ...options.emulator, login, password });
  const proxy = new RecordingProxy(emulator.url);
  await proxy.start();
  // Every server gets its own spend ledger folder: tests never touch the user's real one.
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "blmcp-state-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    DATAFORSEO_STATE_DIR: stateDir,
    DATAFORSEO_EXPORT_DIR: join(stateDir, "exports"),
    DATAFORSEO_BASE_URL: proxy.url,
    DATAFORSEO_LOG_LEVEL: "info",
    ...options.env,
  };
  if (!options.noCredentials) {
    env.DATAFORSEO_LOGIN = options.login ?? login;
    env.DATAFORSEO_PASSWORD = options.password ?? password;
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env,
    stderr: "pipe",
  });
  let errText = "";
  transport.stderr?.on("data", (d: Buffer) => {
    errText += d.toString("utf8");
  });
  const client = new Client({ name: "e2e", version: "1.0.0" }, options.onElicit ? { capabilities: { elicitation: {} } } : undefined);
  const elicited: string[] = [];
  if (options.onElicit) {
    const answer = options.onElicit;
    client.setRequestHandler(ElicitRequestSchema, (req) => {
      const message = (req.params as { message: string }).message;
      elicited.push(message);
      return answer(message);
    });
  }
  await client.connect(transport);
  const outputs: string[] = [];
  return {
    client,
    emulator,
    proxy,
    outputs,
    stderr: () => errText,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      outputs.push(JSON.stringify(result));
      return result;
    },
    stateDir,
    elicited,
    async close() {
      await client.close().catch(() => undefined);
      await proxy.close();
      await emulator.close();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Parse a text reply: header, table header, rows (as column arrays) and footer. */
export function parseTable(text: string): { header: string; columns: string[]; rows: string[][]; footer: string } {
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  const footer = lines[lines.length - 1] ?? "";
  const columns = (lines[1] ?? "").split("\t");
  const rows = lines.slice(2, -1).map((l) => l.split("\t"));
  return { header, columns, rows, footer };
}

/** The paging handle from a reply's footer, or undefined. */
export function nextToken(text: string): string | undefined {
  const m = /backlinks_next_page \{"search_after_token":"([^"]+)"\}/.exec(text);
  return m?.[1];
}

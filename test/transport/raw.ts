// A raw line-level JSON-RPC peer for the built server: writes whatever bytes a test wants on stdin
// (including lines no SDK client would send) and collects stdout line by line.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SERVER_ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** Parsed stdout lines so far (only when reading is on). */
  messages: Record<string, unknown>[];
  stderr(): string;
  /** Writes one chunk to stdin, waiting for the pipe to take it. */
  write(text: string | Buffer): Promise<void>;
  send(message: unknown): Promise<void>;
  /** Waits until a message with this id arrives (bounded by `ms`). */
  waitFor(id: string | number, ms?: number): Promise<Record<string, unknown>>;
  initialize(): Promise<void>;
  /** Resident memory of the server process in kB, from /proc. */
  rssKb(): number;
  stop(): Promise<void>;
}

export function startRaw(args: string[] = ["--demo"], options: { read?: boolean } = {}): RawServer {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? "", DATAFORSEO_LOG_LEVEL: "info" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const messages: Record<string, unknown>[] = [];
  let err = "";
  let partial = "";
  const waiters: Array<() => void> = [];
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  child.stdin.on("error", () => undefined);
  if (options.read !== false) {
    child.stdout.on("data", (d: Buffer) => {
      partial += d.toString("utf8");
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") messages.push(JSON.parse(line) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    });
  }
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));

  const server: RawServer = {
    child,
    messages,
    stderr: () => err,
    write(text) {
      return new Promise((resolve, reject) => {
        child.stdin.write(text, (e) => (e ? reject(e) : resolve()));
      });
    },
    send(message) {
      return server.write(JSON.stringify(message) + "\n");
    },
    async waitFor(id, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.find((m) => m.id === id);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no answer with id ${id}; stderr: ${err.slice(-500)}`);
        if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}); stderr: ${err.slice(-500)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 200);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async initialize() {
      await server.send({
        jsonrpc: "2.0",
        id: "init",
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      });
      await server.waitFor("init");
      await server.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    },
    rssKb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  return server;
}

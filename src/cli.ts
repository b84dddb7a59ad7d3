// The command line: `backlinks-mcp` (stdio MCP server), `backlinks-mcp --demo`, `backlinks-mcp emulator`.
// Loaded by src/index.ts once the Node.js version has been checked.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioTransport } from "./transport/stdio.js";
import { loadConfig, ConfigError, settingsHelp, type Config } from "./config.js";
import { createServer, VERSION } from "./server.js";

const USAGE = `backlinks-mcp ${VERSION}: the DataForSEO Backlinks API as MCP tools (stdio).

Usage:
  backlinks-mcp                 serve over stdio (credentials from DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)
  backlinks-mcp --demo          serve over stdio against the built-in offline emulator (no account needed)
  backlinks-mcp http [--host 127.0.0.1] [--port N] [--tenants-file F] [--redis-url U]
                                Streamable HTTP at /mcp for a team (hosted mode; see the README)
  backlinks-mcp emulator [--port N] [--host 127.0.0.1] [--login L --password P] [--seed N]
                                run the offline DataForSEO Backlinks API emulator alone

Settings (environment variable, flag, meaning):
${settingsHelp()}
`;

/** Shown when a person starts the server in a terminal instead of an MCP client starting it. */
export const TTY_HINT =
  "backlinks-mcp: waiting for an MCP client on stdin (JSON-RPC); add this command to your MCP client's config, " +
  "try `backlinks-mcp --demo` for the offline demo, or see `backlinks-mcp --help`. Ctrl+C quits.\n";

async function main(): Promise<void> {
  // stdout belongs to JSON-RPC (and to --help / --version): anything printed by mistake goes to stderr.
  console.log = console.error;
  console.info = console.error;

  let parsed;
  try {
    parsed = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`backlinks-mcp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.command === "version") {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (parsed.command === "emulator") {
    // The emulator is loaded only when it is used, to keep the server's start-up short.
    const { runEmulatorCli } = await import("./emulator/index.js");
    await runEmulatorCli(parsed.rest);
    return;
  }
  if (parsed.command === "http") {
    // Hosted mode is loaded only when it is used.
    const { runHttp } = await import("./transport/http.js");
    await runHttp(parsed.config);
    return;
  }
  await serve(parsed.config);
}

async function serve(config: Config): Promise<void> {
  let stopEmulator: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startEmulator } = await import("./emulator/index.js");
    const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
    stopEmulator = () => emulator.close();
    // Demo money is synthetic: its ledger lives in a temporary folder, never in the user's real one.
    const stateDir = mkdtempSync(join(tmpdir(), "backlinks-mcp-demo-"));
    process.on("exit", () => rmSync(stateDir, { recursive: true, force: true }));
    config = { ...config, baseUrl: emulator.url, login: "demo", password: "demo", stateDir };
  }
  const parts = createServer(config);
  // Spill files of held rows are removed however the process ends.
  process.on("exit", () => parts.deps.cursors.closeSync());
  const transport = new StdioTransport({ log: parts.deps.log });

  const GRACE_MS = 2000;
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    // Whatever happens below, the process ends shortly after the grace period.
    setTimeout(() => process.exit(0), GRACE_MS + 1000).unref();
    parts.deps.log("info", `shutting down (${why})`);
    try {
      await parts.close(GRACE_MS);
      await stopEmulator?.();
    } finally {
      process.exit(0);
    }
  };
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.stdin.on("close", () => void shutdown("stdin closed"));
  // The client closed our stdout: nobody can read an answer any more.
  process.stdout.on("error", () => void shutdown("stdout closed"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (reason) => {
    parts.deps.log("error", `unhandled rejection: ${reason instanceof Error ? reason.name : typeof reason}`);
  });
  process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") {
      void shutdown("output closed");
      return;
    }
    parts.deps.log("error", `uncaught exception: ${err.name}`);
  });

  await parts.server.connect(transport);
  parts.deps.log("info", `ready (${config.demo ? "demo, offline emulator" : config.baseUrl})`);
  if (process.stdin.isTTY) process.stderr.write(TTY_HINT);
}

main().catch((err) => {
  process.stderr.write(`backlinks-mcp: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// Spawning an MCP server over stdio through the SDK client, and reading its memory from /proc.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { tempStateDir } from "./state.mjs";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export const SERVER_ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
export const BARE_ENTRY = fileURLToPath(new URL("../bare-server.mjs", import.meta.url));

/**
 * Environment for our server against an emulator; `extra` overrides or adds settings. Each
 * server gets its own temporary state folder (ledger, spend totals).
 */
export function serverEnv(emulatorUrl, extra = {}) {
  return {
    PATH: process.env.PATH ?? "",
    DATAFORSEO_BASE_URL: emulatorUrl,
    DATAFORSEO_LOGIN: "demo",
    DATAFORSEO_PASSWORD: "demo",
    DATAFORSEO_LOG_LEVEL: "error",
    DATAFORSEO_STATE_DIR: tempStateDir(),
    ...extra,
  };
}

/**
 * Spawn `entry` and connect a client (initialize is part of connect).
 * Returns the client, the child pid and helpers.
 */
export async function connect(entry, env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [entry], env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    if (stderr.length < 20_000) stderr += chunk.toString();
  });
  const client = new Client({ name: "backlinks-bench", version: "0.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    get pid() {
      return transport.pid;
    },
    stderr: () => stderr,
    /** A tool call; throws on protocol errors and on isError results. */
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 300_000 });
      if (result.isError) throw new Error(`${name} failed: ${textOf(result).slice(0, 300)}`);
      return result;
    },
    close: () => client.close(),
  };
}

/** The paging handle of a reply, or null at the end (structuredContent.next: a handle or {search_after_token}). */
export function nextHandle(result) {
  const next = result.structuredContent?.next;
  if (typeof next === "string") return next;
  return next?.search_after_token ?? null;
}

export function textOf(result) {
  return (result.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc (Linux only; NaN elsewhere). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    };
    return { rssMb: kb("VmRSS"), hwmMb: kb("VmHWM") };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

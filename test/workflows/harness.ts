// Workflow tests: a server with the workflow tools, prompts and resources (plus every endpoint tool)
// linked in memory to the SDK's real client, talking over loopback HTTP to the emulator through the
// recording proxy. The export folder is a fresh temporary folder.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadConfig } from "../../src/config.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { createServer } from "../../src/server.js";
import type { Deps } from "../../src/tools/deps.js";
import { RecordingProxy, textOf } from "../e2e/harness.js";

export { textOf };

export interface FlowHarness {
  client: Client;
  emulator: Emulator;
  proxy: RecordingProxy;
  deps: Deps;
  exportDir: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function startFlows(options: { env?: Record<string, string>; emulator?: EmulatorOptions } = {}): Promise<FlowHarness> {
  const emulator = await startEmulator({ login: "demo", password: "demo", ...options.emulator });
  const proxy = new RecordingProxy(emulator.url);
  await proxy.start();
  const exportDir = await mkdtemp(join(tmpdir(), "flows-"));
  const { config } = loadConfig([], {
    DATAFORSEO_LOGIN: "demo",
    DATAFORSEO_PASSWORD: "demo",
    DATAFORSEO_BASE_URL: proxy.url,
    DATAFORSEO_EXPORT_DIR: exportDir,
    DATAFORSEO_STATE_DIR: `${exportDir}-state`,
    DATAFORSEO_LOG_LEVEL: "silent",
    // Confirmation of big spends has its own test; the others run without it.
    DATAFORSEO_CONFIRM_ABOVE_USD: "1000",
    ...options.env,
  });
  // The real server with every toolset on, over the SDK's in-memory pair.
  const parts = createServer({ ...config, toolsets: ["all"] });
  const { server, deps } = parts;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "flows", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    client,
    emulator,
    proxy,
    deps,
    exportDir,
    async call(name, args = {}) {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    },
    async close() {
      await client.close().catch(() => undefined);
      await parts.close(0).catch(() => undefined);
      await proxy.close();
      await emulator.close();
      await rm(exportDir, { recursive: true, force: true });
      await rm(`${exportDir}-state`, { recursive: true, force: true });
    },
  };
}

/** RFC 4180 parser for the tests: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      i += 1;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      i += 1;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 2;
    } else {
      if (ch === "\n" || ch === "\r") throw new Error(`bare line break outside quotes at ${i}`);
      field += ch;
      i += 1;
    }
  }
  if (field !== "" || record.length > 0) throw new Error("last record not terminated by CRLF");
  return records;
}

/** The export's structured reply. */
export function exported(result: CallToolResult): Record<string, unknown> {
  return result.structuredContent as Record<string, unknown>;
}

/** Paid requests sent upstream so far (POSTs; the price list read once per process is a free GET). */
export function paid(h: { proxy: RecordingProxy }): number {
  return h.proxy.requests.filter((r) => r.method === "POST").length;
}

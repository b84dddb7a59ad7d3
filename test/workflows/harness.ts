// Workflow tests: a server with the workflow tools, prompts and resources (plus every endpoint tool)
// linked in memory to the SDK's real client, talking over loopback HTTP to the emulator through the
// recording proxy. The export folder is a fresh temporary folder.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { loadConfig } from "../../src/config.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import type { RegisterTool, ServerContext } from "../../src/server.js";
import { createDeps, type Deps } from "../../src/tools/deps.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { runEndpoint } from "../../src/tools/pipeline.js";
import { argumentProblems } from "../../src/tools/arguments.js";
import { invalidArgs } from "../../src/tools/result.js";
import { registerWorkflows, type TargetMemory } from "../../src/workflows/index.js";
import { RecordingProxy, textOf } from "../e2e/harness.js";

export { textOf };

export interface FlowHarness {
  client: Client;
  emulator: Emulator;
  proxy: RecordingProxy;
  deps: Deps;
  memory: TargetMemory;
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
  const deps = createDeps(config);
  const server = new McpServer({ name: "flows-test", version: "0.0.0" });
  const tools = new Map(ENDPOINT_TOOLS.map((t) => [t.name, t]));
  // Like the server's register, with every toolset on.
  const register: RegisterTool = (entry, _toolsets, input, handler) => {
    server.registerTool(entry.name, { description: entry.description, inputSchema: z.looseObject({}) }, async (raw, extra) => {
      const parsed = input.safeParse(raw ?? {});
      if (!parsed.success) return invalidArgs(entry.name, argumentProblems(entry.name, input, parsed.error));
      return handler(parsed.data as Record<string, unknown>, extra);
    });
  };
  for (const tool of ENDPOINT_TOOLS) {
    register({ name: tool.name, title: tool.overlay.title, description: tool.overlay.description, input: tool.input, annotations: {} }, tool.overlay.toolsets, tool.input, (args, extra) =>
      runEndpoint(deps, tool, args, extra),
    );
  }
  const ctx: ServerContext = { server, deps, tools, register, enabledToolsets: new Set(["*", "workflows"]) };
  const memory = registerWorkflows(ctx);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "flows", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    client,
    emulator,
    proxy,
    deps,
    memory,
    exportDir,
    async call(name, args = {}) {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    },
    async close() {
      await client.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await deps.client.close(0).catch(() => undefined);
      await Promise.all([...deps.pendingWrites]);
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

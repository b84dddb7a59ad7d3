// tools/list: snapshot of every advertised schema, strict JSON Schema compilation, stdout hygiene.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { startHarness, SERVER_ENTRY, tempStateDir, type Harness } from "./harness.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { OTHER_MEMBERS } from "../../src/tools/toolsets.js";

function walk(schema: unknown, visit: (node: Record<string, unknown>, path: string) => void, path = "#"): void {
  if (!schema || typeof schema !== "object") return;
  const node = schema as Record<string, unknown>;
  visit(node, path);
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties" && value && typeof value === "object") {
      for (const [name, sub] of Object.entries(value)) walk(sub, visit, `${path}/properties/${name}`);
    } else if (["items", "additionalProperties", "not"].includes(key)) {
      walk(value, visit, `${path}/${key}`);
    } else if (["anyOf", "oneOf", "allOf"].includes(key) && Array.isArray(value)) {
      value.forEach((sub, i) => walk(sub, visit, `${path}/${key}/${i}`));
    }
  }
}

describe("tools/list", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("every registered tool is listed with all toolsets, each matching its own checked-in snapshot", async () => {
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...ENDPOINT_TOOLS.map((t) => t.name), ...Object.values(OTHER_MEMBERS).flat(), "backlinks_next_page", "backlinks_usage"].sort());
    for (const tool of tools) {
      await expect(`${JSON.stringify(tool, null, 1)}\n`).toMatchFileSnapshot(`./__snapshots__/tools/${tool.name}.json`);
    }
  });

  it("every input schema compiles in a strict validator and is simple enough for strict clients", async () => {
    const { tools } = await h.client.listTools();
    const ajv = new Ajv({ strict: true, allErrors: true });
    for (const tool of tools) {
      const schema = { ...tool.inputSchema } as Record<string, unknown>;
      delete schema.$schema;
      expect(schema.type, tool.name).toBe("object");
      for (const key of ["anyOf", "oneOf", "allOf"]) expect(schema[key], `${tool.name} top-level ${key}`).toBeUndefined();
      expect(() => ajv.compile(schema), tool.name).not.toThrow();
      walk(schema, (node, path) => {
        if (node.type === "array") expect(node.items, `${tool.name} ${path} needs items`).toBeDefined();
      });
      // Every tool only reads, except the export, which writes a file on this machine.
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(tool.name !== "backlinks_export");
      if (tool.outputSchema) {
        const out = { ...tool.outputSchema } as Record<string, unknown>;
        delete out.$schema;
        expect(() => ajv.compile(out), `${tool.name} output`).not.toThrow();
      }
    }
  });

  it("every documented parameter is advertised", async () => {
    const { tools } = await h.client.listTools();
    const props = (name: string) => Object.keys((tools.find((t) => t.name === name)!.inputSchema.properties ?? {}) as object).sort();
    const common = ["target", "limit", "offset", "internal_list_limit", "backlinks_status_type", "filters", "order_by", "include_subdomains", "include_indirect_links", "exclude_internal_backlinks", "rank_scale", "tag", "format", "fields", "confirm_cost_usd"];
    expect(props("backlinks_backlinks")).toEqual(
      [...common, "mode", "custom_mode", "search_after_token"].sort(),
    );
    expect(props("backlinks_referring_domains")).toEqual([...common, "backlinks_filters"].sort());
    expect(props("backlinks_domain_pages_summary")).toEqual([...common, "backlinks_filters"].sort());
    expect(props("backlinks_bulk_new_lost_referring_domains")).toEqual(["targets", "date_from", "tag", "format", "fields", "confirm_cost_usd"].sort());
  });
});

describe("stdout carries JSON-RPC only", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ login: "demo", password: "demo" });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("every stdout line is a JSON-RPC message, logs go to stderr", async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: {
        PATH: process.env.PATH ?? "",
        DATAFORSEO_BASE_URL: emulator.url,
        DATAFORSEO_LOGIN: "demo",
        DATAFORSEO_PASSWORD: "demo",
        DATAFORSEO_LOG_LEVEL: "debug",
        DATAFORSEO_STATE_DIR: tempStateDir(),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 3 } } });
    send({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: -1 } } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer")), 20_000);
      const check = () => {
        if ((out.match(/\n/g) ?? []).length >= 4) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 20);
      };
      check();
    });
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    const lines = out.split("\n").filter((l) => l.length > 0);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      expect(msg.jsonrpc).toBe("2.0");
    }
    expect(err).toMatch(/backlinks-mcp (info|debug):/);
  });
});

// The Claude Desktop bundle: the manifest passes mcpb's own validation and matches the built server,
// the packed .mcpb holds production files only, and, unpacked, it starts exactly as Claude Desktop would start it
// (server.mcp_config with ${__dirname} and ${user_config.*} substituted by mcpb's own code) and answers a tool call.
//
// Cost in CI: one offline `npm ci --omit=dev` into a temporary folder plus packing (20–55 s here, mostly the offline install),
// then one server start in demo mode. Needs `npm run build` first and a warm npm cache (any earlier `npm ci`),
// and makes no network request: dependencies come from the npm cache, the server talks to its own loopback emulator.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getMcpConfigForManifest, unpackExtension, validateManifest } from "@anthropic-ai/mcpb";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
// @ts-expect-error plain ES module script without type declarations
import { buildBundle } from "../../scripts/bundle.mjs";
// @ts-expect-error plain ES module script without type declarations
import { expectedMetadata } from "../../scripts/sync-manifest.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8"));

/** mcpb's validator prints to console.log; keep the test output quiet and hand back what it said. */
function quietly<T>(fn: () => T): { value: T; said: string } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return { value: fn(), said: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

/** The same for an async step: console.log stays captured until the step has finished. */
async function quietlyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

describe("manifest.json", () => {
  it("passes @anthropic-ai/mcpb's validation, icon included", () => {
    const { value, said } = quietly(() => validateManifest(join(ROOT, "manifest.json")));
    expect(said).not.toMatch(/ERROR/);
    expect(value).toBe(true);
  });

  it("lists exactly the tools the built server lists, and carries package.json's name and version", async () => {
    const { differences } = await expectedMetadata();
    // On failure: npm run build && node scripts/sync-manifest.mjs
    expect(differences).toEqual([]);
    expect(manifest.tools.length).toBeGreaterThan(0);
  });

  it("passes every user_config value to the server as an environment variable, password marked sensitive", () => {
    const env: Record<string, string> = manifest.server.mcp_config.env;
    const referenced = Object.values(env).flatMap((v) => [...v.matchAll(/\$\{user_config\.([a-z_]+)\}/g)].map((m) => m[1]));
    expect(referenced.sort()).toEqual(Object.keys(manifest.user_config).sort());
    expect(env.DATAFORSEO_PASSWORD).toBe("${user_config.dataforseo_password}");
    expect(manifest.user_config.dataforseo_password.sensitive).toBe(true);
    expect(manifest.user_config.dataforseo_login.sensitive).toBeUndefined();
    // Every optional value has a default, so no placeholder can reach the server unsubstituted.
    for (const [key, option] of Object.entries<{ required?: boolean; default?: unknown }>(manifest.user_config)) {
      expect(option.required === true || option.default !== undefined, key).toBe(true);
    }
  });

  it("declares the true Node minimum", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(manifest.compatibility.runtimes.node).toBe(">=20.18.1");
    expect(manifest.server.type).toBe("node");
    expect(existsSync(join(ROOT, manifest.server.entry_point.replace(/^dist\//, "dist/")))).toBe(true);
    expect(pkg.name).toBe(manifest.name);
  });
});

describe("backlinks-mcp.mcpb", () => {
  let work = "";
  let unpacked = "";

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "backlinks-mcp-bundle-test-"));
    const out = join(work, "backlinks-mcp.mcpb");
    await quietlyAsync(() => buildBundle({ out, offline: true }));
    unpacked = join(work, "unpacked");
    const ok = await unpackExtension({ mcpbPath: out, outputDir: unpacked, silent: true });
    expect(ok).toBe(true);
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("holds the built server, its production dependencies, manifest, icon and README, and nothing for development", () => {
    for (const file of ["dist/index.js", "manifest.json", "icon.png", "README.md", "package.json"]) {
      expect(existsSync(join(unpacked, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const dep of Object.keys(pkg.dependencies)) {
      expect(existsSync(join(unpacked, "node_modules", dep, "package.json")), dep).toBe(true);
    }
    // The lockfile marks what only development needs (ajv, say, is both: the SDK uses it at run time).
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
    const devOnly = Object.entries<{ dev?: boolean }>(lock.packages)
      .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev === true)
      .map(([path]) => path);
    expect(devOnly).toContain("node_modules/vitest");
    for (const path of devOnly) expect(existsSync(join(unpacked, path)), path).toBe(false);
    for (const dev of ["typescript", "vitest", "@anthropic-ai/mcpb", "fast-check"]) {
      expect(existsSync(join(unpacked, "node_modules", dev)), dev).toBe(false);
    }
    for (const dir of ["src", "test", "bench", "scripts", ".ci"]) {
      expect(existsSync(join(unpacked, dir)), dir).toBe(false);
    }
    const slim = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
    expect(slim.type).toBe("module");
    expect(slim.scripts).toBeUndefined();
    expect(slim.devDependencies).toBeUndefined();
  });

  it("starts as Claude Desktop would from server.mcp_config and answers backlinks_backlinks in demo mode", async () => {
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: unpacked,
      systemDirs: { HOME: tmpdir(), DESKTOP: tmpdir(), DOCUMENTS: tmpdir(), DOWNLOADS: tmpdir() },
      userConfig: { demo: true },
      pathSeparator: sep,
    });
    expect(config).toBeDefined();
    const { command, args = [], env = {} } = config!;
    expect(JSON.stringify({ command, args, env })).not.toContain("${");
    expect(args[0]).toBe(`${unpacked}/dist/index.js`);
    expect(env.DATAFORSEO_DEMO).toBe("true");
    expect(env.DATAFORSEO_MAX_COST_USD).toBe("5");

    // Claude Desktop runs "node" with its own built-in Node; here the Node running the tests stands in for it.
    const transport = new StdioClientTransport({
      command: command === "node" ? process.execPath : command,
      args,
      env: { ...getDefaultEnvironment(), ...env },
      cwd: unpacked,
      stderr: "pipe",
    });
    const client = new Client({ name: "bundle-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const listed = await client.listTools();
      expect(listed.tools.map((t) => t.name)).toContain("backlinks_backlinks");
      const result = (await client.callTool(
        { name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 3 } },
        undefined,
        { timeout: 30_000 },
      )) as CallToolResult;
      expect(result.isError).toBeFalsy();
      const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
      const lines = text.split("\n").filter((l) => l.length > 0);
      const header = lines.findIndex((l) => l.startsWith("url_from\t"));
      expect(header).toBeGreaterThan(-1);
      const rows = lines.slice(header + 1).filter((l) => !l.startsWith("#"));
      expect(rows).toHaveLength(3);
      expect(lines[0]).toMatch(/^# backlinks_backlinks forbes\.com .*rows 1-3/);
    } finally {
      await client.close();
    }
  }, 60_000);
});

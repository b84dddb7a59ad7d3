// Every client configuration the README's install section and mcp.json.example show is valid JSON in the
// documented shape of its client, runs the server from an absolute path (never the unpublished npm name),
// and keeps the password out of any file meant to be shared: a project file may only hold a reference
// that the client expands (${VAR}, ${env:VAR}, ${input:id} backed by a password input).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const example = JSON.parse(readFileSync(join(ROOT, "mcp.json.example"), "utf8"));

const CLIENTS = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf"] as const;
type ClientName = (typeof CLIENTS)[number];

const env = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string());
const args = z.array(z.string());

/** The documented shape of each client's file, as far as these entries use it. */
const SHAPES: Record<ClientName, z.ZodType> = {
  // claude_desktop_config.json: mcpServers → { command, args, env }
  "claude-desktop": z.strictObject({
    mcpServers: z.record(z.string(), z.strictObject({ command: z.string(), args: args.optional(), env: env.optional() })),
  }),
  // Claude Code .mcp.json: mcpServers → { type: "stdio", command, args, env }
  "claude-code": z.strictObject({
    mcpServers: z.record(
      z.string(),
      z.strictObject({ type: z.literal("stdio").optional(), command: z.string(), args: args.optional(), env: env.optional() }),
    ),
  }),
  // Cursor mcp.json: mcpServers → { type?, command, args, env, envFile? }
  cursor: z.strictObject({
    mcpServers: z.record(
      z.string(),
      z.strictObject({
        type: z.literal("stdio").optional(),
        command: z.string(),
        args: args.optional(),
        env: env.optional(),
        envFile: z.string().optional(),
      }),
    ),
  }),
  // VS Code mcp.json: servers (not mcpServers) → { type: "stdio" (required), command, args, env }, inputs[]
  vscode: z.strictObject({
    inputs: z
      .array(
        z.strictObject({
          type: z.literal("promptString"),
          id: z.string().regex(/^[A-Za-z0-9_-]+$/),
          description: z.string().min(1),
          password: z.boolean().optional(),
          default: z.string().optional(),
        }),
      )
      .optional(),
    servers: z.record(
      z.string(),
      z.strictObject({
        type: z.literal("stdio"),
        command: z.string(),
        args: args.optional(),
        env: env.optional(),
        envFile: z.string().optional(),
        cwd: z.string().optional(),
      }),
    ),
  }),
  // Windsurf ~/.codeium/windsurf/mcp_config.json: mcpServers → { command, args, env, disabled? }
  windsurf: z.strictObject({
    mcpServers: z.record(
      z.string(),
      z.strictObject({ command: z.string(), args: args.optional(), env: env.optional(), disabled: z.boolean().optional() }),
    ),
  }),
};

/** How a client's file may hold the password: a reference it expands, or (user-profile files only) a placeholder. */
const PASSWORD_RULE: Record<ClientName, RegExp> = {
  "claude-desktop": /^your-api-password$/,
  "claude-code": /^\$\{DATAFORSEO_PASSWORD\}$/,
  cursor: /^\$\{env:DATAFORSEO_PASSWORD\}$/,
  vscode: /^\$\{input:[A-Za-z0-9_-]+\}$/,
  windsurf: /^\$\{env:DATAFORSEO_PASSWORD\}$/,
};

interface ServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

function serversOf(client: ClientName, config: Record<string, unknown>): Record<string, ServerEntry> {
  return (client === "vscode" ? config.servers : config.mcpServers) as Record<string, ServerEntry>;
}

function checkConfig(client: ClientName, config: Record<string, unknown>): void {
  const parsed = SHAPES[client].safeParse(config);
  expect(parsed.success ? [] : parsed.error.issues, client).toEqual([]);
  const servers = Object.entries(serversOf(client, config));
  expect(servers.length, client).toBeGreaterThan(0);
  for (const [name, server] of servers) {
    const where = `${client} / ${name}`;
    // Runs the server from a path the user controls, never the npm name that is not published.
    expect([server.command, ...(server.args ?? [])].join(" "), where).not.toMatch(/\bnpx\b|(^| )-y( |$)/);
    const entry = server.command === "node" ? server.args?.[0] : server.command;
    expect(entry, where).toMatch(/^(\/absolute\/path\/to\/backlinks-mcp\/dist\/index\.js|backlinks-mcp)$/);
    const password = server.env?.DATAFORSEO_PASSWORD;
    if (server.args?.includes("--demo")) continue;
    expect(password, where).toBeDefined();
    expect(password, where).toMatch(PASSWORD_RULE[client]);
    if (client === "vscode") {
      // The referenced input exists and is a password prompt, and every ${input:…} has its input.
      const inputs = (config.inputs ?? []) as { id: string; password?: boolean }[];
      const id = password!.slice("${input:".length, -1);
      expect(inputs.find((i) => i.id === id)?.password, where).toBe(true);
      for (const value of Object.values(server.env ?? {})) {
        for (const m of value.matchAll(/\$\{input:([^}]+)\}/g)) {
          expect(inputs.map((i) => i.id), where).toContain(m[1]);
        }
      }
    }
  }
}

/** The README's install section, from its heading to the next level-2 heading. */
function installSection(): string {
  const start = readme.search(/^## Install$/m);
  expect(start).toBeGreaterThan(-1);
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** JSON blocks of the install section, each with the client named in the `<!-- client: … -->` line above it. */
function readmeBlocks(): { client: string | undefined; json: string }[] {
  const blocks: { client: string | undefined; json: string }[] = [];
  const re = /(?:<!-- client: ([a-z-]+) -->\n)?```json\n([\s\S]*?)```/g;
  for (const m of installSection().matchAll(re)) blocks.push({ client: m[1], json: m[2] });
  return blocks;
}

describe("README install section", () => {
  it("has one JSON block per client, each marked with its client", () => {
    const blocks = readmeBlocks();
    expect(blocks.map((b) => b.client)).not.toContain(undefined);
    expect(blocks.map((b) => b.client).sort()).toEqual([...CLIENTS].sort());
  });

  for (const client of CLIENTS) {
    it(`shows a ${client} configuration in that client's documented shape, secret kept out`, () => {
      const block = readmeBlocks().find((b) => b.client === client);
      expect(block).toBeDefined();
      checkConfig(client, JSON.parse(block!.json));
    });
  }

  it("adds Claude Code with user scope and the password from a variable, not typed into the command", () => {
    const line = installSection()
      .split("\n")
      .find((l) => l.startsWith("claude mcp add "));
    expect(line).toBeDefined();
    expect(line).toMatch(/ --scope user /);
    expect(line).toMatch(/ -e DATAFORSEO_PASSWORD="\$DATAFORSEO_PASSWORD" /);
    expect(line).toMatch(/ -- node \/absolute\/path\/to\/backlinks-mcp\/dist\/index\.js$/);
  });

  it("puts the bundle first, absolute paths second, and npx last with the publisher warning", () => {
    const section = installSection();
    const bundle = section.indexOf("npm run bundle");
    const checkout = section.search(/node "\$PWD\/dist\/index\.js"/);
    const npx = section.search(/^### .*npx -y backlinks-mcp/m);
    expect(bundle).toBeGreaterThan(-1);
    expect(checkout).toBeGreaterThan(bundle);
    expect(npx).toBeGreaterThan(checkout);
    // Every mention of the unpublished name comes after the heading that explains it.
    const mentions = [...section.matchAll(/npx -y backlinks-mcp/g)].map((m) => m.index!);
    expect(Math.min(...mentions)).toBeGreaterThanOrEqual(npx);
    const npxPart = section.slice(npx);
    expect(npxPart).toMatch(/only once this package is\s+published/);
    expect(npxPart).toMatch(/check the publisher/);
  });

  it("uses npx -y backlinks-mcp nowhere else in the README", () => {
    const outside = readme.replace(installSection(), "");
    expect(outside).not.toMatch(/npx -y backlinks-mcp/);
  });
});

describe("mcp.json.example", () => {
  it("has an entry for every client", () => {
    expect(Object.keys(example.clients).sort()).toEqual([...CLIENTS].sort());
  });

  for (const client of CLIENTS) {
    it(`holds a ${client} configuration in that client's documented shape, secret kept out`, () => {
      const entry = example.clients[client];
      expect(entry.file).toEqual(expect.any(String));
      checkConfig(client, entry.content);
    });
  }

  it("mentions no npx -y backlinks-mcp configuration", () => {
    expect(JSON.stringify(example.clients)).not.toMatch(/"npx"/);
  });
});

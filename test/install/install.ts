// Helpers for install tests: copy the checkout as a fresh clone would see it, run npm, and drive an
// installed `backlinks-mcp --demo` through the SDK's stdio client.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** Set BACKLINKS_MCP_SKIP_INSTALL_TESTS=1 where the npm registry cannot be reached. */
export const SKIP = process.env.BACKLINKS_MCP_SKIP_INSTALL_TESTS === "1";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const exec = promisify(execFile);

/** The environment npm runs in: no lifecycle noise, no audit or funding calls. */
function npmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
}

export async function npm(args: string[], cwd: string, timeoutMs = 180_000): Promise<string> {
  const { stdout } = await exec("npm", args, { cwd, env: npmEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec("git", args, { cwd, timeout: 60_000 });
  return stdout;
}

/**
 * Copies the files git would put in a clone (tracked, plus new files not ignored), so no `dist/` and
 * no `node_modules/`; then links the checkout's node_modules in, as `npm ci` would have filled it.
 */
export async function copyCheckout(to: string): Promise<void> {
  const list = await git(["ls-files", "-co", "--exclude-standard", "-z"], ROOT);
  for (const rel of list.split("\0")) {
    if (rel === "" || rel === "node_modules" || rel.startsWith("node_modules/") || rel.startsWith("dist/")) continue;
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(join(ROOT, rel), join(to, rel), { dereference: false });
  }
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(to, "node_modules"), "dir");
}

/** Starts an installed bin with --demo and calls backlinks_backlinks {target:"forbes.com", limit:3}. */
export async function callInstalled(bin: string): Promise<{ result: CallToolResult; stderr: string }> {
  const transport = new StdioClientTransport({
    command: bin,
    args: ["--demo"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const client = new Client({ name: "install-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    const result = (await client.callTool({
      name: "backlinks_backlinks",
      arguments: { target: "forbes.com", limit: 3 },
    })) as CallToolResult;
    return { result, stderr };
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The rows of a text reply: lines between the header line + column line and the footer line. */
export function rowsOf(result: CallToolResult): string[] {
  const text = result.content
    .filter((c): c is { type: "text"; text: string } => c.type === "text")
    .map((c) => c.text)
    .join("\n");
  const lines = text.split("\n");
  return lines.slice(2, -1);
}

// The README's MCP Inspector lines, run as written against the built server in demo mode.
// The first run fetches the pinned inspector from the npm registry (the one network the project's tests may
// use, like any install step); later runs use npm's cache. Needs `npm run build` first.
// Cost: about 25 s the first time, 15 s once cached.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const lines = readme.split("\n").filter((l) => l.startsWith("npx -y @modelcontextprotocol/inspector@"));

function run(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The README lines hold no quoting, so splitting on spaces gives the exact argv a shell would.
  const [, ...rest] = line.trim().split(/\s+/);
  const argv = rest;
  return new Promise((resolve) => {
    const child = execFile(
      process.platform === "win32" ? "npx.cmd" : "npx",
      argv,
      { cwd: ROOT, timeout: 90_000, maxBuffer: 16 * 1024 * 1024, shell: process.platform === "win32" },
      (err, stdout, stderr) => resolve({ code: err ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("README: MCP Inspector in CLI mode", () => {
  it("shows one line that lists tools and one that calls backlinks_backlinks, both in demo mode", () => {
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/@\d+\.\d+\.\d+ --cli node dist\/index\.js --demo --method tools\/list$/);
    expect(lines[1]).toMatch(/--method tools\/call --tool-name backlinks_backlinks --tool-arg target=forbes\.com --tool-arg limit=3$/);
  });

  it("lists the tools and calls one through the inspector", async () => {
    const listed = await run(lines[0]!);
    expect(listed.code, listed.stderr).toBe(0);
    const tools = JSON.parse(listed.stdout).tools as { name: string }[];
    expect(tools.map((t) => t.name)).toContain("backlinks_backlinks");

    const called = await run(lines[1]!);
    expect(called.code, called.stderr).toBe(0);
    const result = JSON.parse(called.stdout) as { isError?: boolean; content: { type: string; text?: string }[] };
    expect(result.isError).toBeFalsy();
    const text = result.content.map((c) => c.text ?? "").join("\n");
    const rows = text.split("\n").filter((l) => l.length > 0 && !l.startsWith("#"));
    // A header row plus the three rows asked for.
    expect(rows[0]).toMatch(/^url_from\t/);
    expect(rows).toHaveLength(4);
    expect(text).toMatch(/rows 1-3/);
  }, 200_000);
});

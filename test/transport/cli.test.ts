// The bin entry as a person meets it: --help and --version on stdout, a hint when started in a
// terminal, and a clear refusal on a Node.js older than the floor.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SERVER_ENTRY } from "./raw.js";

const run = promisify(execFile);

/** Runs the entry with process.versions.node replaced before any of its code runs. */
function runAsNode(version: string, args: string[]) {
  const preload = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
  return run(process.execPath, ["--import", preload, SERVER_ENTRY, ...args], { timeout: 20_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("--help and --version", () => {
  it("print to stdout, nothing to stderr, exit 0", async () => {
    const version = await run(process.execPath, [SERVER_ENTRY, "--version"]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(version.stderr).toBe("");
    const help = await run(process.execPath, [SERVER_ENTRY, "--help"]);
    expect(help.stdout).toContain("Usage:");
    expect(help.stdout).toContain("backlinks-mcp --demo");
    expect(help.stdout).toContain("DATAFORSEO_LOGIN");
    expect(help.stderr).toBe("");
  });
});

describe("Node.js version check", () => {
  it.each(["20.18.0", "20.9.0", "18.20.4", "16.20.2"])("refuses Node.js %s with a message and exit code 3", async (v) => {
    const r = await runAsNode(v, ["--version"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `backlinks-mcp: this is Node.js ${v}; backlinks-mcp needs Node.js 20.18.1 or newer (a current LTS release from https://nodejs.org works).\n`,
    );
  });

  it.each(["20.18.1", "20.19.0", "22.0.0", "24.1.0"])("accepts Node.js %s", async (v) => {
    const r = await runAsNode(v, ["--version"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("started in a terminal", () => {
  it("says on stderr that it waits for an MCP client and how to try it", async () => {
    // `script` gives the server a pseudo-terminal as stdin, as an interactive shell would.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(SERVER_ENTRY)} --demo`;
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    const seen = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      child.stdout.on("data", () => {
        if (out.includes("--help")) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("exit", () => resolve(out.includes("--help")));
    });
    child.kill("SIGTERM");
    expect(seen).toBe(true);
    expect(out).toContain("backlinks-mcp: waiting for an MCP client on stdin");
    expect(out).toContain("backlinks-mcp --demo");
  });

  it("says nothing of the kind when stdin is a pipe", async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY, "--demo"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "", DATAFORSEO_LOG_LEVEL: "info" },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      child.stderr.on("data", () => {
        if (err.includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.end();
    await new Promise((r) => child.on("exit", r));
    expect(err).toContain("ready");
    expect(err).not.toContain("waiting for an MCP client");
  });
});

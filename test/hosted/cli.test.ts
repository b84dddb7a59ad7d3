// `backlinks-mcp http` from the command line: prints its URL, answers health checks and tools/list,
// and stops cleanly on SIGTERM.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SERVER_ENTRY } from "../e2e/harness.js";

describe("backlinks-mcp http", () => {
  it("prints its loopback URL, serves /mcp and /healthz, and exits 0 on SIGTERM", async () => {
    const state = mkdtempSync(join(tmpdir(), "http-cli-"));
    const child = spawn(process.execPath, [SERVER_ENTRY, "http", "--demo", "--port", "0"], {
      env: { PATH: process.env.PATH ?? "", DATAFORSEO_STATE_DIR: state },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString("utf8");
          const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before printing its URL`)));
        setTimeout(() => reject(new Error("no URL within 20 s")), 20_000);
      });
      const health = await fetch(url.replace(/\/mcp$/, "/healthz"));
      expect(health.status).toBe(200);
      const client = new Client({ name: "cli-test", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("backlinks_summary");
      await client.close();
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(state, { recursive: true, force: true });
    }
  }, 60_000);
});

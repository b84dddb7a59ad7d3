// The built server over real pipes: oversized messages are answered and the session goes on; a
// client that stops reading cannot make the server's memory grow without bound.
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_ENTRY, startRaw, type RawServer } from "./raw.js";

let raw: RawServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  client = undefined;
  await raw?.stop();
  raw = undefined;
});

describe("oversized messages", () => {
  it("an 11 MB argument from the SDK client gets a -32600 error for its id, and a ping after it is answered", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [SERVER_ENTRY, "--demo"],
      env: { PATH: process.env.PATH ?? "" },
      stderr: "pipe",
    });
    client = new Client({ name: "big", version: "1.0.0" });
    await client.connect(transport);
    const target = "a".repeat(11 * 1024 * 1024);
    const error = await client.callTool({ name: "backlinks_backlinks", arguments: { target } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32600);
    expect((error as McpError).message).toMatch(/Message too large: \d+ bytes, over this server's limit of 4194304 bytes/);
    await expect(client.ping()).resolves.toBeDefined();
    const small = await client.callTool({ name: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 2 } });
    expect(small.isError).toBeFalsy();
  });

  it("a 50 MB line on stdin gets an error reply and the next ping is answered", async () => {
    raw = startRaw();
    await raw.initialize();
    await raw.write('{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"backlinks_backlinks","arguments":{"target":"');
    const piece = Buffer.alloc(1024 * 1024, "b");
    for (let i = 0; i < 50; i++) await raw.write(piece);
    await raw.write('"}}}\n');
    await raw.send({ jsonrpc: "2.0", id: "after", method: "ping" });
    const reply = await raw.waitFor("huge");
    expect(reply.error).toMatchObject({ code: -32600, message: expect.stringContaining("Message too large") });
    expect(await raw.waitFor("after")).toMatchObject({ result: {} });
    // The skipped message was never held whole.
    expect(raw.rssKb()).toBeLessThan(200_000);
    expect(raw.stderr()).toMatch(/skipped an incoming message of \d+ bytes/);
  });
});

describe("a client that stops reading", () => {
  it("the server stops reading too: its memory stays bounded, and every answer arrives once the client reads again", async () => {
    const N = 5000;
    raw = startRaw(["--demo"], { read: false });
    // Initialise by hand: nothing reads stdout yet, so the answer stays in the pipe.
    await raw.send({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "slow", version: "1" } },
    });
    await raw.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await new Promise((r) => setTimeout(r, 500));
    const before = raw.rssKb();
    // Each tools/list answer is several kB; the SDK transport buffered all of them (about 75 MB more
    // RSS for 3000 of them, growing with N). Writes are not awaited: the server stops taking them.
    for (let i = 1; i <= N; i++) raw.child.stdin.write(`{"jsonrpc":"2.0","id":${i},"method":"tools/list"}\n`);
    let peak = before;
    for (let i = 0; i < 24; i++) {
      await new Promise((r) => setTimeout(r, 250));
      peak = Math.max(peak, raw.rssKb());
    }
    expect(peak - before).toBeLessThan(40_000);
    // Read again: every request is answered, none lost.
    const seen = new Set<number>();
    let partial = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.size} answers`)), 45_000);
      raw!.child.stdout.on("data", (d: Buffer) => {
        partial += d.toString("utf8");
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) seen.add((JSON.parse(line) as { id: number }).id);
        if (seen.size === N + 1) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(seen.size).toBe(N + 1);
  });
});

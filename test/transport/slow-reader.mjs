// Measures the server's memory when its client sends requests and never reads the answers.
//   node test/transport/slow-reader.mjs [N] [--calls] [--sdk]
// N requests (default 3000) of tools/list, or with --calls of backlinks_backlinks limit 1000 against
// the demo emulator; --sdk runs the same server behind the SDK's StdioServerTransport for comparison.
// Prints the server's VmRSS before and the peak over the next 10 s. Run `npm run build` first.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 3000);
const calls = args.includes("--calls");
const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const sdkServer = `
  import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
  import { createServer } from ${JSON.stringify(dist + "server.js")};
  import { loadConfig } from ${JSON.stringify(dist + "config.js")};
  import { startEmulator } from ${JSON.stringify(dist + "emulator/index.js")};
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
  const { config } = loadConfig([]);
  const parts = createServer({ ...config, demo: true, baseUrl: emulator.url, login: "demo", password: "demo" });
  await parts.server.connect(new StdioServerTransport());
`;
const argv = args.includes("--sdk") ? ["--input-type=module", "-e", sdkServer] : [dist + "index.js", "--demo"];
const child = spawn(process.execPath, argv, {
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  env: { PATH: process.env.PATH, DATAFORSEO_CACHE_TTL_SECONDS: "0" },
  stdio: ["pipe", "pipe", "inherit"],
});
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
child.stdin.on("error", () => undefined);
const send = (m) => child.stdin.write(JSON.stringify(m) + "\n");
send({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "slow", version: "1" } } });
send({ jsonrpc: "2.0", method: "notifications/initialized" });
await sleep(1500);
const before = rss();
for (let i = 1; i <= n; i++) {
  const params = { name: "backlinks_backlinks", arguments: { target: `site${i % 50}.com`, limit: 1000 } };
  send(calls ? { jsonrpc: "2.0", id: i, method: "tools/call", params } : { jsonrpc: "2.0", id: i, method: "tools/list" });
}
let peak = before;
for (let t = 0; t < 40; t++) {
  await sleep(250);
  peak = Math.max(peak, rss());
}
console.log(`${args.includes("--sdk") ? "sdk" : "ours"} ${calls ? "tools/call" : "tools/list"} x${n}: VmRSS ${before} kB before, peak ${peak} kB (+${peak - before} kB)`);
child.kill("SIGKILL");

// npm run demo: starts the server in demo mode through the MCP SDK's real client over stdio and
// walks a short backlink audit, printing each call and exactly what the assistant would read.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));

let countTokens = null;
try {
  const tok = await import("gpt-tokenizer/encoding/o200k_base");
  countTokens = (text) => tok.encode(text).length;
} catch {
  // The tokenizer is a dev dependency; without it only characters are shown.
}

function size(text) {
  return countTokens ? `${text.length} chars, ${countTokens(text)} tokens (o200k)` : `${text.length} chars`;
}

function show(name, args, result) {
  const text = result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  const rule = "─".repeat(78);
  process.stdout.write(`\n${rule}\n▶ ${name} ${JSON.stringify(args)}\n${rule}\n`);
  const lines = text.split("\n");
  const shown = lines.length > 16 ? [...lines.slice(0, 12), `… (${lines.length - 14} more lines) …`, ...lines.slice(-2)] : lines;
  process.stdout.write(`${shown.join("\n")}\n`);
  process.stdout.write(`[${result.isError ? "ERROR, " : ""}the assistant reads ${size(text)}]\n`);
  return text;
}

function nextToken(text) {
  return /backlinks_next_page \{"search_after_token":"([^"]+)"\}/.exec(text)?.[1];
}

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [entry, "--demo"],
  env: { PATH: process.env.PATH ?? "" },
  stderr: "inherit",
});
const client = new Client({ name: "backlinks-mcp-demo", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const listText = JSON.stringify({ tools });
process.stdout.write(`backlinks-mcp demo (offline emulator, synthetic data)\n`);
process.stdout.write(`tools/list: ${tools.map((t) => t.name).join(", ")} — ${size(listText)} of context per turn\n`);

async function call(name, args) {
  const result = await client.callTool({ name, arguments: args });
  return show(name, args, result);
}

const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
const first = await call("backlinks_backlinks", {
  target: "forbes.com",
  limit: 10,
  filters: [["dofollow", "=", true], "and", ["domain_from_rank", ">", 300]],
  order_by: ["domain_from_rank,desc"],
});
const token = nextToken(first);
if (token) await call("backlinks_next_page", { search_after_token: token });
await call("backlinks_referring_domains", { target: "forbes.com", limit: 10, order_by: ["backlinks,desc"] });
await call("backlinks_domain_pages_summary", { target: "forbes.com", limit: 5, order_by: ["referring_domains,desc"] });
await call("backlinks_bulk_new_lost_referring_domains", { targets: ["forbes.com", "cnn.com", "bbc.com"], date_from: monthAgo });
await call("backlinks_backlinks", { target: "forbes.com", filters: ["anchor", "contains", "seo"] });
await call("backlinks_usage", {});

await client.close();

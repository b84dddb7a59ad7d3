#!/usr/bin/env node
// Floors for our server's figures: a bare SDK server with an echo tool and nothing else.
// - With BARE_OUTPUT_SCHEMAS=N it also lists N tools that declare an output schema of the same shape
//   as ours, so a client that compiles output schemas on tools/list does the same work for both
//   (start-up).
// - With BARE_UPSTREAM_URL set it also has `upstream`: the least an MCP server can do for a list
//   call. It POSTs the task it is given to that URL with undici, parses the reply and joins the
//   rows' default backlinks columns with tabs: no checks, no money rules, no sanitising, no paging
//   (latency).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { request } from "undici";
import { z } from "zod";

const server = new McpServer({ name: "bare", version: "0.0.0" });
server.registerTool(
  "echo",
  { description: "Echo the text back.", inputSchema: z.object({ text: z.string() }) },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
const withOutput = Math.min(100, Number(process.env.BARE_OUTPUT_SCHEMAS ?? 0) || 0);
for (let i = 0; i < withOutput; i++) {
  server.registerTool(
    `list_${i}`,
    {
      description: "A list.",
      inputSchema: z.object({ text: z.string() }),
      outputSchema: z.looseObject({ cost_usd: z.number(), next: z.string().nullable(), items: z.array(z.looseObject({})).optional() }),
    },
    async () => ({ content: [{ type: "text", text: "" }], structuredContent: { cost_usd: 0, next: null } }),
  );
}

const upstream = process.env.BARE_UPSTREAM_URL;
if (upstream) {
  const auth = `Basic ${Buffer.from(process.env.BARE_UPSTREAM_AUTH ?? "demo:demo").toString("base64")}`;
  const columns = ["url_from", "anchor", "dofollow", "domain_from_rank", "first_seen"];
  server.registerTool(
    "upstream",
    { description: "POST a task, show its rows.", inputSchema: z.object({ path: z.string(), task: z.looseObject({}) }) },
    async ({ path, task }) => {
      const res = await request(`${upstream}${path}`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify([task]),
      });
      const body = await res.body.json();
      const items = body?.tasks?.[0]?.result?.[0]?.items ?? [];
      const lines = items.map((row) => columns.map((c) => (row[c] === null || row[c] === undefined ? "" : String(row[c]))).join("\t"));
      return { content: [{ type: "text", text: [columns.join("\t"), ...lines].join("\n") }] };
    },
  );
}
await server.connect(new StdioServerTransport());

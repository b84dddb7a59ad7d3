#!/usr/bin/env node
// The floor for start-up time: a bare SDK server with an echo tool and nothing else. With
// BARE_OUTPUT_SCHEMAS=N it also lists N tools that declare an output schema of the same shape as
// ours, so a client that compiles output schemas on tools/list does the same work for both.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
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
await server.connect(new StdioServerTransport());

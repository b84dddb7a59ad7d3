// Asks a built server for its tools/list over stdio, through the SDK's client, the way an MCP client would.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";

/**
 * Every tool the server at `entry` (a path to dist/index.js) advertises with all toolsets switched on,
 * as [{ name, description }] in the server's order.
 */
export async function listServerTools(entry) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry],
    env: { ...getDefaultEnvironment(), DATAFORSEO_TOOLSETS: "all" },
    stderr: "ignore",
  });
  const client = new Client({ name: "backlinks-mcp-manifest-sync", version: "1.0.0" });
  await client.connect(transport);
  try {
    const tools = [];
    let cursor;
    for (let page = 0; page < 20; page++) {
      const res = await client.listTools(cursor ? { cursor } : {});
      tools.push(...res.tools.map((t) => ({ name: t.name, description: t.description ?? "" })));
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    return tools;
  } finally {
    await client.close();
  }
}

// What the assistant reads on every turn: the tools/list result.
import { connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { tokens } from "../lib/tokens.mjs";

export async function runToolsList({ emulatorUrl }) {
  const server = await connect(SERVER_ENTRY, serverEnv(emulatorUrl));
  try {
    const result = await server.client.listTools();
    const json = JSON.stringify(result);
    const perTool = {};
    // Where the tokens go, summed over tools: description, inputSchema, outputSchema, the rest.
    const byPart = { description: 0, inputSchema: 0, outputSchema: 0, other: 0 };
    for (const tool of result.tools) {
      perTool[tool.name] = tokens(JSON.stringify(tool));
      for (const [key, value] of Object.entries(tool)) {
        byPart[key in byPart && key !== "other" ? key : "other"] += tokens(JSON.stringify(value));
      }
    }
    return {
      tokens: tokens(json),
      chars: json.length,
      tools: result.tools.length,
      tokens_by_tool: perTool,
      tokens_by_part: byPart,
    };
  } finally {
    await server.close();
  }
}

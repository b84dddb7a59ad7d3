// What the model sees of the tools, on every turn: for each tool its name, description and input
// schema (as a client hands them to the model; output schemas, titles and annotations stay with the
// client), plus the server instructions once. Measured for the default toolset and for `all`, with
// the wire size of the tools/list result beside it. `endpoints` is the 22 tools without the workflows.
import { connect, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { tokens } from "../lib/tokens.mjs";

/** One tool as the model receives it. */
export function modelView(tool) {
  return JSON.stringify({ name: tool.name, description: tool.description ?? "", input_schema: tool.inputSchema });
}

async function measure(emulatorUrl, toolsets) {
  const env = toolsets ? { DATAFORSEO_TOOLSETS: toolsets } : {};
  const server = await connect(SERVER_ENTRY, serverEnv(emulatorUrl, env));
  try {
    const result = await server.client.listTools();
    const instructions = server.client.getInstructions() ?? "";
    const perTool = {};
    let toolTokens = 0;
    for (const tool of result.tools) {
      const t = tokens(modelView(tool));
      perTool[tool.name] = t;
      toolTokens += t;
    }
    const wire = JSON.stringify(result);
    return {
      tools: result.tools.length,
      model_tokens: toolTokens + tokens(instructions),
      tools_tokens: toolTokens,
      instructions_tokens: tokens(instructions),
      wire_tokens: tokens(wire),
      wire_chars: wire.length,
      tokens_by_tool: perTool,
    };
  } finally {
    await server.close();
  }
}

/** Every toolset but workflows: the 20 endpoint tools plus backlinks_next_page and backlinks_usage. */
const ENDPOINT_TOOLSETS = "core,history,competitors,pages,spam,bulk";

export async function runToolsList({ emulatorUrl }) {
  return {
    default: await measure(emulatorUrl, undefined),
    endpoints: await measure(emulatorUrl, ENDPOINT_TOOLSETS),
    all: await measure(emulatorUrl, "all"),
  };
}

// Tool results: every failure is a result with isError, never a thrown protocol error.
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function errorResult(message: string, meta?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true, ...(meta ? { _meta: meta } : {}) };
}

/** "Invalid arguments for X (nothing was sent, nothing was charged):" and one line per problem. */
export function invalidArgs(tool: string, problems: readonly string[]): CallToolResult {
  return errorResult(`Invalid arguments for ${tool} (nothing was sent, nothing was charged):\n- ${problems.join("\n- ")}`);
}

/** Sends progress notifications when the client asked for them (it sent a progress token). */
export function progressReporter(extra: Extra | undefined): ((message: string) => void) | undefined {
  const token = extra?._meta?.progressToken;
  if (token === undefined || !extra) return undefined;
  let progress = 0;
  return (message: string) => {
    progress += 1;
    extra
      .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, message } })
      .catch(() => undefined);
  };
}

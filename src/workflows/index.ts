// Workflows: answers built from several endpoint calls (audit scorecard, exports), prompts and resources.
import type { ServerContext } from "../server.js";

/** Registers the workflow tools, prompts and resources on a server. */
export function registerWorkflows(_ctx: ServerContext): void {
  // Filled in by the workflows module.
}

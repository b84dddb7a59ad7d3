// Workflows: answers built from several endpoint calls (audit scorecard, exports), prompts and resources.
import type { z } from "zod";
import type { ServerContext } from "../server.js";
import { AUDIT_TOOL, EXPORT_TOOL, auditInput, exportInput } from "./inputs.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import { TargetMemory } from "./targets.js";

export { AUDIT_TOOL, EXPORT_TOOL, TargetMemory };

export const AUDIT_DESCRIPTION =
  "Scorecard in one call (3 API calls, ~$0.07): totals, dofollow share, links/IPs/subnets per referring domain, spam band, top TLDs/countries, new/lost referring domains over 30 and 90 days.";

export const EXPORT_DESCRIPTION =
  "Every row of a list tool's query to a CSV, JSONL or Google disavow file, 1,000 rows a page, bounded by max_rows and max_cost_usd; returns a resource link and a digest. Cached pages are free.";

/** The toolset of the workflow tools. */
export const WORKFLOWS_TOOLSET = "workflows";

/** Registers the workflow tools, prompts and resources on a server; returns the session's target memory. */
export function registerWorkflows(ctx: ServerContext): TargetMemory {
  const { server, deps, tools, register } = ctx;
  const memory = new TargetMemory();
  // Targets of every call, for prompt arguments that complete from the session.
  ctx.onToolCall((_name, args) => {
    memory.addFrom(args);
    if (args.arguments && typeof args.arguments === "object") memory.addFrom(args.arguments);
  });

  register(
    {
      name: AUDIT_TOOL,
      title: "Backlink scorecard",
      description: AUDIT_DESCRIPTION,
      input: auditInput,
      annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: true },
    },
    [WORKFLOWS_TOOLSET],
    auditInput,
    // The implementations load on first use: start-up only needs the schemas. The arguments arrive
    // already parsed by auditInput (register checks them against it).
    async (args, extra) => (await import("./audit.js")).runAudit(deps, tools, args as z.infer<typeof auditInput>, extra),
  );

  register(
    {
      name: EXPORT_TOOL,
      title: "Export every row to a file",
      description: EXPORT_DESCRIPTION,
      input: exportInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    [WORKFLOWS_TOOLSET],
    exportInput,
    async (args, extra) => (await import("./export.js")).runExport(deps, tools, args as z.infer<typeof exportInput>, extra),
  );

  registerPrompts(server, memory);
  registerResources(server, deps);
  return memory;
}

// Workflows: answers built from several endpoint calls (audit scorecard, exports), prompts and resources.
import type { ServerContext } from "../server.js";
import type { Deps } from "../tools/deps.js";
import { AUDIT_TOOL, auditInput, runAudit } from "./audit.js";
import { EXPORT_TOOL, exportInput, runExport } from "./export.js";
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

/**
 * Remember the targets of every request sent upstream (every tool reaches DataForSEO through the one
 * client; a cached answer was sent earlier in the same process, so its target is already known).
 */
function observeTargets(deps: Deps, memory: TargetMemory): void {
  const client = deps.client as unknown as { post?: (...args: unknown[]) => unknown };
  const post = client.post;
  if (typeof post !== "function") return;
  client.post = (...args: unknown[]) => {
    memory.addFrom(args[1]);
    return post.apply(deps.client, args);
  };
}

/** Registers the workflow tools, prompts and resources on a server; returns the session's target memory. */
export function registerWorkflows(ctx: ServerContext): TargetMemory {
  const { server, deps, tools, register } = ctx;
  const memory = new TargetMemory();
  observeTargets(deps, memory);

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
    async (args, extra) => {
      memory.addFrom(args);
      return runAudit(deps, tools, auditInput.parse(args), extra);
    },
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
    async (args, extra) => {
      const input = exportInput.parse(args);
      memory.addFrom(input.arguments);
      return runExport(deps, tools, input, extra);
    },
  );

  registerPrompts(server, memory);
  registerResources(server, deps);
  return memory;
}

// What the workflow tools advertise: names and input schemas, kept apart from their implementations
// (audit.ts, export.ts), which are loaded on the first call rather than at start-up.
import { z } from "zod";
import { CONFIRM } from "../tools/schema.js";

export const AUDIT_TOOL = "backlinks_audit";

export const auditInput = z.strictObject({
  target: z.string().min(1).max(2048),
  include_subdomains: z.boolean().optional(),
  include_indirect_links: z.boolean().optional(),
  exclude_internal_backlinks: z.boolean().optional(),
  confirm_cost_usd: CONFIRM,
});

export const EXPORT_TOOL = "backlinks_export";

export const exportInput = z.strictObject({
  tool: z.string().min(1).max(80).describe("a list tool, e.g. backlinks_backlinks"),
  arguments: z.looseObject({}).describe("that tool's arguments (no limit/format)"),
  format: z.enum(["csv", "jsonl", "disavow"]).optional().describe("csv (default); disavow: Google's domain: list"),
  max_rows: z.number().int().min(1).max(1_000_000).optional().describe("default 10000"),
  max_cost_usd: z.number().min(0).max(100_000).optional().describe("stop before passing this; default 1"),
  confirm_cost_usd: CONFIRM,
});

/** URI of an export file as a resource. */
export const EXPORT_URI_PREFIX = "backlinks://exports/";

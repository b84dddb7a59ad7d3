// Argument errors in our words: what is wrong, what is allowed, that nothing was sent or charged.
// (The SDK's own -32602 text is terse and says neither.)
import type { z } from "zod";
import type { EndpointTool } from "./define.js";
import { sanitizeText } from "../output/sanitize.js";

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "arguments" : path.map(String).join(".");
}

/** One message per issue, the unknown-parameter one listing the valid names. */
export function argumentProblems(tool: string, schema: z.ZodObject, error: z.ZodError, endpoint?: EndpointTool, raw?: unknown): string[] {
  const given = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const valid = Object.keys(schema.shape);
  const out: string[] = [];
  for (const issue of error.issues) {
    const where = pathOf(issue.path);
    if (issue.code === "unrecognized_keys") {
      const keys = (issue as { keys: string[] }).keys.map((k) => `'${sanitizeText(k, 40)}'`).join(", ");
      const at = issue.path.length > 0 ? ` in ${where}` : "";
      out.push(`unknown parameter ${keys}${at} for ${tool}; valid: ${issue.path.length > 0 ? "see the schema" : valid.join(", ")}`);
      continue;
    }
    let message = `${where}: ${sanitizeText(issue.message, 200)}`;
    if (issue.code === "too_big" && issue.path[0] === "offset" && endpoint?.ref.paging === "token") {
      message += `; to go deeper, page with backlinks_next_page (or search_after_token) instead`;
    }
    if (issue.code === "invalid_type" && issue.path.length === 1 && !Object.prototype.hasOwnProperty.call(given, issue.path[0]!)) {
      message = `${where} is required`;
    }
    out.push(message);
  }
  return out;
}

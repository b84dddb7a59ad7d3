// Arguments for end-to-end tests, derived from each endpoint tool's reference data: a target of the
// form the tool takes, the most rows a call can ask for, and the tool's full list of output fields.
import type { EndpointTool } from "../../src/tools/define.js";
import { numericBound } from "../../src/reference/endpoints.js";
import { earliestDate } from "../../src/tools/rows.js";
import { outputFieldsFor, type OutputEndpoint } from "../../src/query/fields.js";

/** Domains the emulator's link graph knows well (many links each). */
export const BIG_DOMAINS = ["forbes.com", "cnn.com", "bbc.com", "nytimes.com", "apple.com", "ibm.com", "moz.com", "ahrefs.com"];

/** Whether the tool's `target` takes a domain only (history, time series, domain pages). */
export function domainOnlyTarget(tool: EndpointTool): boolean {
  const note = tool.ref.param("target")?.note;
  return note !== undefined && /\bdomain\b[^.;]*\bonly\b/i.test(note);
}

/** How many targets the tool accepts at most (0 when it takes one `target`). */
export function maxTargets(tool: EndpointTool): number {
  const p = tool.ref.param("targets");
  if (!p) return 0;
  return p.max_items ?? 1000;
}

/** The documented "at most N distinct domains" of a targets list, when there is one. */
export function distinctDomainLimit(tool: EndpointTool): number | undefined {
  const m = /at most (\d+) distinct domains/.exec(tool.ref.param("targets")?.note ?? "");
  return m ? Number(m[1]) : undefined;
}

/** `n` distinct domain targets: the well-known ones first, then synthetic ones. */
export function domainTargets(n: number): string[] {
  return Array.from({ length: n }, (_, i) => BIG_DOMAINS[i] ?? `site${i}.com`);
}

/** Arguments asking for the most rows the tool can return for a big target. */
export function largestArgs(tool: EndpointTool): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const { ref } = tool;
  if (ref.param("target")) args.target = "forbes.com";
  if (ref.param("targets")) {
    const n = maxTargets(tool);
    const domains = distinctDomainLimit(tool);
    // Where the API allows only so many distinct domains, fill the list with pages of fewer domains.
    args.targets = domains !== undefined && domains < n
      ? Array.from({ length: n }, (_, i) => `https://www.${BIG_DOMAINS[i % Math.min(domains, BIG_DOMAINS.length)]}/page-${i}/`)
      : domainTargets(n);
  }
  const limit = ref.param("limit");
  if (limit) args.limit = numericBound(limit.max) ?? 1000;
  // Date series: the earliest start allowed and the finest grouping give the most rows.
  if (ref.param("date_from") && ref.param("date_to")) {
    const today = Date.now();
    args.date_from = new Date(earliestDate(ref, "date_from", today)).toISOString().slice(0, 10);
  }
  const group = ref.param("group_range");
  if (group?.enum?.includes("day")) args.group_range = "day";
  return args;
}

/** Every output field of the tool (per-target ones expanded for the given targets), at most `max`. */
export function allFields(tool: EndpointTool, targetCount: number | undefined, max = 60): string[] {
  const fields = outputFieldsFor(tool.ref.key as OutputEndpoint, targetCount !== undefined ? { targetCount } : undefined);
  return fields.slice(0, max);
}

// Toolsets: named groups of tools the user switches on (DATAFORSEO_TOOLSETS / --toolsets), so the
// model is only shown the tools an audit needs. Membership is declared in each tool's overlay.
import { ENDPOINT_TOOLS } from "./endpoints/index.js";

/** What each group is for, in the order they are listed. */
export const TOOLSET_PURPOSE: Record<string, string> = {
  core: "the audit essentials: overview, backlinks, referring domains, anchors, pages, link gap, new/lost domains",
  history: "how a profile changed: monthly history, time series, new and lost links",
  competitors: "who competes for the same links: competitors, domain and page intersections",
  pages: "the target's own pages: crawled pages and per-page backlink metrics",
  spam: "link-network and spam signals: referring IPs/subnets, spam scores",
  bulk: "one figure for up to 1,000 targets at once",
  workflows: "answers built from several calls: the backlinks_audit scorecard, backlinks_export to CSV, JSONL or disavow files",
};

/** Tools that are not endpoint overlays, by toolset (the workflow tools register themselves under these names). */
export const OTHER_MEMBERS: Record<string, readonly string[]> = {
  workflows: ["backlinks_audit", "backlinks_export"],
};

/** Tools in every configuration (paging and usage work for whatever else is enabled). */
export const ALWAYS_ON: readonly string[] = ["*"];

export const DEFAULT_TOOLSETS: readonly string[] = ["core"];

/** The toolset names, from the overlays (and the purposes table, which must cover them). */
export function toolsetNames(): string[] {
  const names = new Set<string>(Object.keys(TOOLSET_PURPOSE));
  for (const tool of ENDPOINT_TOOLS) for (const s of tool.overlay.toolsets) names.add(s);
  return [...names];
}

/** The enabled set for a configured list (undefined: the default; "all": every group). Throws on unknown names. */
export function resolveToolsets(configured: readonly string[] | undefined): ReadonlySet<string> {
  const names = toolsetNames();
  const list = configured && configured.length > 0 ? configured : DEFAULT_TOOLSETS;
  const enabled = new Set<string>(ALWAYS_ON);
  for (const raw of list) {
    const name = raw.trim().toLowerCase();
    if (name === "all") {
      for (const n of names) enabled.add(n);
      continue;
    }
    if (!names.includes(name)) {
      throw new Error(`unknown toolset '${raw.slice(0, 40)}' in DATAFORSEO_TOOLSETS; valid: ${names.join(", ")}, all`);
    }
    enabled.add(name);
  }
  return enabled;
}

/** Toolset → the endpoint tools in it. */
export function toolsetsOf(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of toolsetNames()) out[name] = [];
  for (const tool of ENDPOINT_TOOLS) for (const s of tool.overlay.toolsets) out[s]!.push(tool.name);
  for (const [s, names] of Object.entries(OTHER_MEMBERS)) out[s]!.push(...names);
  return out;
}

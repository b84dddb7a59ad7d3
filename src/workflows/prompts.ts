// Prompts: short audit plans that name the tools to call, in order, with cost-conscious arguments
// (small limit, fields). Targets complete from the ones used earlier in the session.
import { z } from "zod";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import type { TargetMemory } from "./targets.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One JSON argument object, inline in the plan. */
function call(tool: string, args: Record<string, unknown>): string {
  return `${tool} ${JSON.stringify(args)}`;
}

/** Competitors as typed: comma or space separated, at most 19 (the intersection takes 20 targets). */
export function competitorList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.length > 0))].slice(0, 19);
}

function isoDaysAgo(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

function message(lines: string[]): GetPromptResult {
  return { messages: [{ role: "user", content: { type: "text", text: lines.join("\n") } }] };
}

const COST = "Each call costs money: keep limit small and use fields; report the total cost at the end (backlinks_usage is free).";

export function backlinkAuditPlan(target: string): GetPromptResult {
  return message([
    `Audit the backlink profile of ${target}. ${COST}`,
    `1. ${call("backlinks_audit", { target })} - the scorecard in one call (3 API calls). Without the workflows toolset: ${call("backlinks_summary", { target })}.`,
    `2. ${call("backlinks_referring_domains", { target, limit: 20, order_by: ["rank,desc"], fields: ["domain", "rank", "backlinks", "backlinks_spam_score", "first_seen"] })} - the strongest referring domains.`,
    `3. ${call("backlinks_anchors", { target, limit: 20, fields: ["anchor", "backlinks", "referring_domains"] })} - the anchor mix.`,
    "4. Report: strengths, risks (spam band, few IPs or subnets per referring domain = link networks, high nofollow share), link velocity (30 and 90 days), and three next steps.",
  ]);
}

export function linkGapPlan(target: string, competitors: string[]): GetPromptResult {
  const targets = competitors.length > 0 ? competitors : ["competitor1.com", "competitor2.com"];
  const args = { targets, exclude_targets: [target], order_by: ["intersections_count,desc", "1.rank,desc"], limit: 50 };
  return message([
    `Find link-gap prospects for ${target}: domains linking to its competitors (${targets.join(", ")}) but not to ${target}. ${COST}`,
    `1. ${call("backlinks_domain_intersection", args)} - one call, no joining by hand: intersections_count says how many of the ${targets.length} competitors each domain links to; the list is ranked by it, then by rank.`,
    `2. If the list is long: ${call("backlinks_export", { tool: "backlinks_domain_intersection", arguments: { targets, exclude_targets: [target], order_by: args.order_by }, max_rows: 5000 })} writes every row to a CSV file.`,
    "3. Report the best 20 prospects (linking to the most competitors, highest rank first), grouped by what kind of site they are, with how many competitors each links to.",
  ]);
}

export function lostLinksPlan(target: string, since: string): GetPromptResult {
  return message([
    `Find and recover links ${target} lost since ${since}. ${COST}`,
    `1. ${call("backlinks_bulk_new_lost_referring_domains", { targets: [target], date_from: since })} - how many referring domains were gained and lost.`,
    `2. ${call("backlinks_backlinks", { target, backlinks_status_type: "lost", filters: [["last_seen", ">=", since], "and", ["dofollow", "=", true]], order_by: ["domain_from_rank,desc"], limit: 50, fields: ["url_from", "url_to", "anchor", "domain_from_rank", "last_seen", "url_to_status_code"] })} - the strongest lost dofollow links.`,
    `3. ${call("backlinks_backlinks", { target, filters: ["url_to_status_code", "=", 404], order_by: ["domain_from_rank,desc"], limit: 20, fields: ["url_from", "url_to", "domain_from_rank"] })} - live links to broken pages (fix with a redirect).`,
    "4. Report a recovery list: link, why it was lost (page gone, link removed, target page 404), and the action (redirect, outreach, replace).",
  ]);
}

export function toxicLinksPlan(target: string): GetPromptResult {
  const risky = ["backlinks_spam_score", ">=", 60];
  return message([
    `Review possibly toxic links of ${target}. ${COST}`,
    `1. ${call("backlinks_summary", { target, fields: ["backlinks", "referring_domains", "referring_ips", "referring_subnets", "backlinks_spam_score", "info.target_spam_score"] })} - spam scores and network spread.`,
    `2. ${call("backlinks_referring_domains", { target, filters: risky, order_by: ["backlinks_spam_score,desc"], limit: 50, fields: ["domain", "backlinks_spam_score", "backlinks", "rank", "referring_ips"] })} - the riskiest referring domains.`,
    `3. ${call("backlinks_referring_networks", { target, network_address_type: "subnet", order_by: ["referring_domains,desc"], limit: 20, fields: ["network_address", "referring_domains", "backlinks"] })} - subnets hosting many linking domains (link networks).`,
    "4. Show the findings and let the user confirm which domains are harmful; never disavow without review.",
    `5. Then: ${call("backlinks_export", { tool: "backlinks_referring_domains", arguments: { target, filters: risky }, format: "disavow" })} - a Google disavow file (domain: lines, never ${target} itself) to check and upload in Search Console.`,
  ]);
}

export function anchorProfilePlan(target: string): GetPromptResult {
  return message([
    `Analyse the anchor text profile of ${target}. ${COST}`,
    `1. ${call("backlinks_summary", { target, fields: ["backlinks", "referring_domains"] })} - totals to compute shares.`,
    `2. ${call("backlinks_anchors", { target, limit: 50, order_by: ["backlinks,desc"], fields: ["anchor", "backlinks", "referring_domains", "first_seen"] })} - the most used anchors.`,
    "3. Classify each anchor (branded, exact-match keyword, partial match, generic like 'click here', naked URL, empty/image) and give each class's share of backlinks.",
    "4. Flag over-optimisation (exact-match share well above branded) and suggest anchors to aim for.",
  ]);
}

export const PROMPT_NAMES = ["backlink_audit", "competitor_link_gap", "lost_links_recovery", "toxic_links_review", "anchor_profile"] as const;

export function registerPrompts(server: McpServer, memory: TargetMemory): void {
  const target = () => completable(z.string().min(1).max(200).describe("domain or page URL"), (value) => memory.complete(value));
  server.registerPrompt(
    "backlink_audit",
    { title: "Backlink audit", description: "Plan: scorecard, strongest referring domains, anchors, report.", argsSchema: { target: target() } },
    ({ target }) => backlinkAuditPlan(target),
  );
  server.registerPrompt(
    "competitor_link_gap",
    {
      title: "Competitor link gap",
      description: "Plan: domains linking to competitors but not to you, in one intersection call.",
      argsSchema: {
        target: target(),
        competitors: completable(z.string().min(1).max(2000).describe("competitor domains, comma separated (up to 19)"), (value) => {
          // Complete the last entry of the list from known targets.
          const parts = (value ?? "").split(",");
          const last = parts.pop()?.trim() ?? "";
          const head = parts.map((p) => p.trim()).filter((p) => p.length > 0);
          return memory.complete(last).filter((t) => !head.includes(t)).map((t) => [...head, t].join(","));
        }),
      },
    },
    ({ target, competitors }) => linkGapPlan(target, competitorList(competitors)),
  );
  server.registerPrompt(
    "lost_links_recovery",
    {
      title: "Lost links recovery",
      description: "Plan: what was lost since a date and how to win it back.",
      argsSchema: { target: target(), since: z.string().regex(DATE).optional().describe("yyyy-mm-dd, default 30 days ago") },
    },
    ({ target, since }) => lostLinksPlan(target, since ?? isoDaysAgo(30)),
  );
  server.registerPrompt(
    "toxic_links_review",
    { title: "Toxic links review", description: "Plan: spam scores, link networks, then a disavow export.", argsSchema: { target: target() } },
    ({ target }) => toxicLinksPlan(target),
  );
  server.registerPrompt(
    "anchor_profile",
    { title: "Anchor profile", description: "Plan: anchor mix and over-optimisation check.", argsSchema: { target: target() } },
    ({ target }) => anchorProfilePlan(target),
  );
}

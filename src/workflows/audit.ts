// backlinks_audit: a backlink profile scorecard in one call. Three upstream calls (summary, and new/lost
// referring domains since 30 and since 90 days ago), their whole worst case reserved before the first is
// sent, so the audit is either refused whole or paid whole. Every figure says which call and field it
// comes from; the ratios are computed here, deterministically.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { EndpointTool } from "../tools/define.js";
import type { Deps, Fetched } from "../tools/deps.js";
import { checkArgs } from "../tools/check.js";
import { fetchPage, spendMeta } from "../tools/fetch.js";
import { apiTask, maxRows, rowsOf, type Args } from "../tools/rows.js";
import { argumentProblems } from "../tools/arguments.js";
import { errorResult, invalidArgs, type Extra } from "../tools/result.js";
import { formatUsd } from "../spend/pricing.js";
import { accountCap } from "../spend/account-cap.js";
import { fromNanos, toNanos } from "../spend/units.js";
import { sanitizeText } from "../output/sanitize.js";
import { confirmSpend } from "../tools/confirm.js";
import { Allotment } from "./allotment.js";
import { AUDIT_TOOL, auditInput } from "./inputs.js";

/** Velocity windows, in days before today (UTC). */
export const WINDOWS = [30, 90] as const;

/** Spam score bands (backlinks_spam_score, 0–100). */
export function spamBand(score: number): string {
  if (score < 30) return "low (0-29)";
  if (score < 60) return "medium (30-59)";
  return "high (60-100)";
}

/** Rounded for display and comparison: 4 decimals. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || b === 0 ? null : round4(a / b);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function daysAgo(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return isoDay(today - days * 86_400_000);
}

export interface Figure {
  section: string;
  name: string;
  value: number | string | null;
  source: string;
}

/** The top entries of a counter map as shares of a total: "com 61.2%, net 5.1%". */
function shares(map: unknown, total: number | undefined, n = 3): { text: string; top: [string, number][] } {
  if (!map || typeof map !== "object" || total === undefined || total === 0) return { text: "n/a", top: [] };
  const top = Object.entries(map as Record<string, unknown>)
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([k, v]) => [k, round4(v / total)] as [string, number]);
  const text = top.map(([k, s]) => `${sanitizeText(k === "" ? "(none)" : k, 40)} ${(s * 100).toFixed(1)}%`).join(", ");
  return { text: text || "n/a", top };
}

/** Every figure of the scorecard from the summary and the two new/lost results. */
export function scorecard(summary: Args, velocity: { days: number; dateFrom: string; item: Args | undefined }[]): Figure[] {
  const s = (field: string) => num(summary[field]);
  const figures: Figure[] = [];
  const totals = ["backlinks", "referring_domains", "referring_main_domains", "referring_ips", "referring_subnets", "referring_pages", "broken_backlinks", "broken_pages", "rank"];
  for (const f of totals) figures.push({ section: "totals", name: f, value: s(f) ?? null, source: `summary.${f}` });
  const backlinks = s("backlinks");
  const rds = s("referring_domains");
  const attributes = summary.referring_links_attributes as Record<string, unknown> | null | undefined;
  const nofollow = num(attributes?.nofollow) ?? (attributes && typeof attributes === "object" ? 0 : undefined);
  const dofollowShare = nofollow === undefined || !backlinks ? null : round4(1 - nofollow / backlinks);
  figures.push({ section: "ratios", name: "dofollow_share", value: dofollowShare, source: `1 - summary.referring_links_attributes.nofollow (${nofollow ?? "n/a"}) / summary.backlinks` });
  figures.push({ section: "ratios", name: "backlinks_per_referring_domain", value: ratio(backlinks, rds), source: "summary.backlinks / summary.referring_domains" });
  figures.push({ section: "ratios", name: "ips_per_referring_domain", value: ratio(s("referring_ips"), rds), source: "summary.referring_ips / summary.referring_domains (low = few networks)" });
  figures.push({ section: "ratios", name: "subnets_per_referring_domain", value: ratio(s("referring_subnets"), rds), source: "summary.referring_subnets / summary.referring_domains" });
  const spam = s("backlinks_spam_score");
  figures.push({ section: "spam", name: "backlinks_spam_score", value: spam === undefined ? null : `${spam} ${spamBand(spam)}`, source: "summary.backlinks_spam_score" });
  const info = summary.info as Record<string, unknown> | null | undefined;
  const targetSpam = num(info?.target_spam_score);
  figures.push({ section: "spam", name: "target_spam_score", value: targetSpam === undefined ? null : `${targetSpam} ${spamBand(targetSpam)}`, source: "summary.info.target_spam_score" });
  figures.push({ section: "mix", name: "top_tlds", value: shares(summary.referring_links_tld, backlinks).text, source: "summary.referring_links_tld / summary.backlinks" });
  figures.push({ section: "mix", name: "top_countries", value: shares(summary.referring_links_countries, backlinks).text, source: "summary.referring_links_countries / summary.backlinks" });
  for (const v of velocity) {
    const src = `bulk_new_lost_referring_domains(date_from ${v.dateFrom})`;
    const gained = num(v.item?.new_referring_domains);
    const lost = num(v.item?.lost_referring_domains);
    figures.push({ section: "velocity", name: `new_referring_domains_${v.days}d`, value: gained ?? null, source: `${src}.new_referring_domains` });
    figures.push({ section: "velocity", name: `lost_referring_domains_${v.days}d`, value: lost ?? null, source: `${src}.lost_referring_domains` });
    figures.push({ section: "velocity", name: `net_referring_domains_${v.days}d`, value: gained === undefined || lost === undefined ? null : gained - lost, source: "new - lost" });
  }
  return figures;
}

interface Planned {
  tool: EndpointTool;
  args: Args;
  estimate: number;
}

function plan(deps: Deps, tool: EndpointTool, args: Args, now: Date): Planned | string[] {
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) return argumentProblems(tool.name, tool.input, parsed.error, tool);
  const problems = checkArgs(tool, parsed.data as Args, now);
  if (problems.length > 0) return problems;
  return { tool, args: parsed.data as Args, estimate: deps.prices.estimate(tool.ref.key, maxRows(tool, parsed.data as Args, now)) };
}

export async function runAudit(
  deps: Deps,
  tools: ReadonlyMap<string, EndpointTool>,
  input: z.infer<typeof auditInput>,
  extra?: Extra,
): Promise<CallToolResult> {
  const now = new Date();
  const summaryTool = tools.get("backlinks_summary");
  const velocityTool = tools.get("backlinks_bulk_new_lost_referring_domains");
  if (!summaryTool || !velocityTool) return errorResult(`${AUDIT_TOOL}: the summary and new/lost endpoints are not available on this server`);
  const summaryArgs: Args = { target: input.target };
  for (const key of ["include_subdomains", "include_indirect_links", "exclude_internal_backlinks"] as const) {
    if (input[key] !== undefined) summaryArgs[key] = input[key];
  }
  // Estimates at the highest price known (the account's price list is read once per process).
  await deps.loadPrices();
  const planned = [plan(deps, summaryTool, summaryArgs, now), ...WINDOWS.map((d) => plan(deps, velocityTool, { targets: [input.target], date_from: daysAgo(now, d) }, now))];
  const problems = planned.filter((p): p is string[] => Array.isArray(p)).flat();
  if (problems.length > 0) return invalidArgs(AUDIT_TOOL, [...new Set(problems)]);
  const calls = planned as Planned[];

  // The whole worst case is confirmed (above the threshold) and held before anything is sent: the audit
  // is refused whole, or every call has its share.
  const totalNanos = calls.reduce((sum, c) => sum + toNanos(c.estimate), 0);
  const total = fromNanos(totalNanos);
  const unconfirmed = await confirmSpend(
    deps,
    { tool: AUDIT_TOOL, estimateUsd: total, confirmedUsd: input.confirm_cost_usd, what: `${calls.length} calls for ${sanitizeText(input.target, 100)}` },
    extra,
  );
  if (unconfirmed) return unconfirmed;
  const refuse = (message: string) => {
    deps.ledger.refused(AUDIT_TOOL);
    return errorResult(`${AUDIT_TOOL} needs ${calls.length} calls costing up to ${formatUsd(total)} in all. ${message}`, spendMeta(deps, 0));
  };
  // The account's daily/monthly caps (shared with other servers) must have room for the whole audit.
  const account = await accountCap({
    store: deps.spendStore,
    account: deps.account,
    caps: deps.accountCaps,
    capNames: deps.capNames,
    tool: AUDIT_TOOL,
    pending: deps.pendingWrites,
    log: (line) => deps.log("error", line),
  }).reserve(total);
  if (!account.ok) return refuse(account.refusal.message);
  account.settle({ billedUsd: 0, possiblyBilledUsd: 0 });
  const allotment = Allotment.take(deps.budget, deps.ledger, total);
  if (!(allotment instanceof Allotment)) return refuse(allotment.message ?? "");
  // Each call reserves its share out of the hold; progress of three calls would interleave, so none is sent.
  const callDeps: Deps = { ...deps, budget: allotment };
  const callExtra = extra ? ({ ...extra, _meta: undefined } as Extra) : undefined;
  let results: (Fetched | CallToolResult)[];
  try {
    results = await Promise.all(
      calls.map((c) =>
        fetchPage(
          callDeps,
          {
            tool: AUDIT_TOOL,
            fn: c.tool.ref.key,
            path: c.tool.ref.path,
            task: apiTask(c.tool, c.args),
            maxRows: maxRows(c.tool, c.args, now),
            confirmedUsd: c.estimate,
            what: `${c.tool.name} for ${sanitizeText(input.target, 100)}`,
          },
          callExtra,
        ),
      ),
    );
  } finally {
    allotment.close();
  }
  const costNanos = results.reduce((sum, r) => sum + toNanos("content" in r ? (typeof r._meta?.cost_usd === "number" ? r._meta.cost_usd : 0) : r.costUsd), 0);
  const failed = results.find((r): r is CallToolResult => "content" in r);
  if (failed) {
    const text = failed.content.map((c) => (c.type === "text" ? c.text : "")).join(" ");
    return errorResult(`${AUDIT_TOOL} ${sanitizeText(input.target, 200)}: a call failed: ${text} (${calls.length} calls, cost ${formatUsd(fromNanos(costNanos))})`, spendMeta(deps, fromNanos(costNanos)));
  }
  const fetched = results as Fetched[];
  const summary = (rowsOf(summaryTool, fetched[0]!.result)[0] ?? {}) as Args;
  const velocity = WINDOWS.map((days, i) => {
    const items = rowsOf(velocityTool, fetched[i + 1]!.result) as Args[];
    return { days, dateFrom: calls[i + 1]!.args.date_from as string, item: items[0] };
  });
  const figures = scorecard(summary, velocity);
  const cached = fetched.filter((f) => f.source === "cache").length;
  const costUsd = fromNanos(costNanos);
  const header = [
    `# ${AUDIT_TOOL} ${sanitizeText(input.target, 200)}`,
    `${calls.length} calls (summary, bulk_new_lost_referring_domains x${WINDOWS.length})${cached > 0 ? `, ${cached} from cache` : ""}`,
    `cost ${formatUsd(costUsd)} (sum of the calls)`,
    `session total ${formatUsd(deps.ledger.spentUsd)}`,
  ].join(" | ");
  const lines = [header, "figure\tvalue\tsource"];
  let section = "";
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push(`## ${section}`);
    }
    lines.push(`${f.name}\t${f.value ?? "n/a"}\t${f.source}`);
  }
  lines.push("# velocity counts referring domains across subdomains (the new/lost endpoint has no include_subdomains); ratios are rounded to 4 decimals");
  if (deps.config.demo) lines.push("# DEMO: synthetic data from the offline emulator");
  return {
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: {
      target: input.target,
      calls: calls.length,
      cost_usd: costUsd,
      figures: Object.fromEntries(figures.map((f) => [f.name, f.value])),
    },
    _meta: spendMeta(deps, costUsd),
  };
}

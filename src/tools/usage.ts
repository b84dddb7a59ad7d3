// backlinks_usage: what this server spent and how, and the account's balance (free to read).
import type { Deps } from "./deps.js";
import { formatUsd } from "../spend/pricing.js";
import { sanitizeText } from "../output/sanitize.js";

export function usageText(deps: Deps, account?: Record<string, unknown>, accountError?: string): string {
  const t = deps.ledger.totals();
  const cap = deps.budget.capUsd;
  const lines = [
    `# backlinks_usage${deps.config.demo ? " | DEMO: offline emulator" : ""}`,
    `calls\t${t.calls}`,
    `upstream_calls\t${t.upstreamCalls}`,
    `cached_calls\t${t.cachedCalls}`,
    `refused_by_budget\t${t.refusedCalls}`,
    `failed_calls\t${t.failedCalls}`,
    `spent_usd\t${formatUsd(t.spentUsd)}`,
    `budget_usd\t${cap === undefined ? "none (set DATAFORSEO_MAX_COST_USD)" : formatUsd(cap)}`,
  ];
  if (cap !== undefined) lines.push(`budget_left_usd\t${formatUsd(Math.max(0, cap - t.spentUsd))}`);
  lines.push(
    `cache\t${deps.cache.size} responses, ${(deps.cache.bytes / 1048576).toFixed(1)} of ${(deps.config.cacheMaxBytes / 1048576).toFixed(0)} MB, TTL ${Math.round(deps.config.cacheTtlMs / 1000)} s`,
  );
  for (const [tool, s] of Object.entries(t.byTool)) lines.push(`tool ${tool}\t${s.calls} calls, ${formatUsd(s.spentUsd)}`);
  if (account) {
    for (const [k, v] of Object.entries(account)) lines.push(`account_${k}\t${sanitizeText(String(v), 80)}`);
  } else if (accountError) {
    lines.push(`account\t${sanitizeText(accountError, 400)}`);
  }
  return lines.join("\n");
}

/** The few account figures worth showing, from GET /v3/appendix/user_data. */
export function summariseUserData(data: unknown): Record<string, unknown> | undefined {
  if (!data || typeof data !== "object") return undefined;
  const d = data as Record<string, any>;
  const out: Record<string, unknown> = {};
  if (d.money && typeof d.money.balance === "number" && Number.isFinite(d.money.balance)) out.balance_usd = d.money.balance;
  const minute = d.rates?.limits?.minute;
  if (typeof minute === "number" && Number.isFinite(minute)) out.rate_limit_per_minute = minute;
  if (typeof d.backlinks_subscription_expiry_date === "string") out.backlinks_subscription_expiry = d.backlinks_subscription_expiry_date;
  return out;
}

// backlinks_usage: what was spent and how — this process, and the DataForSEO account today and this
// month across restarts and servers — each cap and what is left, every kind of call counted, and the
// account's balance (free to read).
import type { Deps } from "./deps.js";
import { formatUsd } from "../spend/pricing.js";
import { sanitizeText } from "../output/sanitize.js";
import { fromNanos } from "../spend/units.js";
import type { PeriodTotals, SpendTotals } from "../state/spend-store.js";

function period(name: string, p: PeriodTotals, capNanos: number | undefined, where: string): string[] {
  const capUsd = capNanos === undefined ? undefined : fromNanos(capNanos);
  const committed = fromNanos(p.billedNanos + p.possiblyBilledNanos);
  const lines = [
    `${name}_billed_usd\t${formatUsd(fromNanos(p.billedNanos))}`,
    `${name}_possibly_billed_usd\t${formatUsd(fromNanos(p.possiblyBilledNanos))}`,
    `${name}_calls\t${p.calls} paid, ${p.refusals} refused by a cap`,
    `${name}_cap_usd\t${capUsd === undefined ? `none (set ${where})` : formatUsd(capUsd)}`,
  ];
  if (capUsd !== undefined) {
    lines.push(`${name}_left_usd\t${formatUsd(Math.max(0, capUsd - committed - fromNanos(p.reservedNanos)))} (resets ${new Date(p.resetsAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`);
  }
  return lines;
}

function kinds(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "0" : entries.map(([k, n]) => `${sanitizeText(k, 40)} ${n}`).join(", ");
}

export function usageText(deps: Deps, account?: Record<string, unknown>, accountError?: string, stored?: SpendTotals, storedError?: string): string {
  const t = deps.ledger.totals();
  const cap = deps.budget.capUsd;
  const lines = [
    `# backlinks_usage${deps.config.demo ? " | DEMO: offline emulator" : ""}`,
    `process_calls\t${t.calls} (sent ${t.upstreamCalls}, from cache or held rows ${t.cachedCalls}, refused ${t.refusedCalls}, failed ${t.failedCalls})`,
    `process_refused\t${kinds(t.refusalsByKind)}`,
    `process_failed\t${kinds(t.failuresByKind)}`,
    `process_billed_usd\t${formatUsd(t.spentUsd)}`,
    `process_possibly_billed_usd\t${formatUsd(t.possiblyBilledUsd)} (${t.possiblyBilledCalls} calls whose outcome is unknown, at their worst case)`,
    `process_cap_usd\t${cap === undefined ? "none (set DATAFORSEO_MAX_COST_USD)" : formatUsd(cap)}`,
  ];
  if (cap !== undefined) lines.push(`process_left_usd\t${formatUsd(Math.max(0, cap - t.committedUsd))}`);
  if (stored) {
    lines.push(...period("today", stored.today, deps.accountCaps.dailyNanos, deps.capNames.daily));
    lines.push(...period("month", stored.month, deps.accountCaps.monthlyNanos, deps.capNames.monthly));
  } else if (storedError) {
    lines.push(`account_ledger\tunavailable: ${sanitizeText(storedError, 300)}`);
  }
  lines.push(`confirm_above_usd\t${formatUsd(deps.config.confirmAboveUsd)}`);
  lines.push(
    `cache\t${deps.cache.size} responses, ${(deps.cache.bytes / 1048576).toFixed(1)} of ${(deps.config.cacheMaxBytes / 1048576).toFixed(0)} MB, TTL ${Math.round(deps.config.cacheTtlMs / 1000)} s`,
  );
  for (const [tool, s] of Object.entries(t.byTool)) {
    const possibly = s.possiblyBilledUsd > 0 ? ` + ${formatUsd(s.possiblyBilledUsd)} possibly billed` : "";
    lines.push(`tool ${sanitizeText(tool, 60)}\t${s.calls} calls, ${formatUsd(s.spentUsd)}${possibly}`);
  }
  if (account) {
    for (const [k, v] of Object.entries(account)) lines.push(`account_${sanitizeText(k, 40)}\t${sanitizeText(String(v), 80)}`);
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

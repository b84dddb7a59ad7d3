// Confirmation before a big spend: above DATAFORSEO_CONFIRM_ABOVE_USD a call or export asks the user
// first (MCP elicitation when the client declares it), or is refused with the estimate and the exact
// way to confirm (confirm_cost_usd ≥ the estimate). Nothing above the threshold is spent without one.
import { ElicitResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { formatUsd } from "../spend/pricing.js";
import type { Deps } from "./deps.js";
import { errorResult, type Extra } from "./result.js";

export interface SpendIntent {
  tool: string;
  /** Worst case of what is about to be spent. */
  estimateUsd: number;
  /** What the caller already agreed to (confirm_cost_usd), if anything. */
  confirmedUsd?: number;
  /** One line saying what the money buys ("up to 1000 rows of backlinks for forbes.com"). */
  what: string;
}

/** null when the spend may go ahead; otherwise the result to return (nothing was sent). */
export async function confirmSpend(deps: Deps, intent: SpendIntent, extra: Extra | undefined): Promise<CallToolResult | null> {
  const threshold = deps.config.confirmAboveUsd;
  if (intent.estimateUsd <= threshold) return null;
  if (intent.confirmedUsd !== undefined && intent.confirmedUsd >= intent.estimateUsd) return null;
  const estimate = formatUsd(intent.estimateUsd);
  if (intent.confirmedUsd !== undefined) {
    deps.ledger.refused(intent.tool, "confirmation");
    return errorResult(
      `Not confirmed, nothing was sent or charged: confirm_cost_usd ${formatUsd(intent.confirmedUsd)} is below this call's worst case of ${estimate} (${intent.what}). Repeat the call with confirm_cost_usd of at least ${intent.estimateUsd}, or ask for fewer rows.`,
    );
  }
  if (extra && deps.clientSupportsElicitation()) {
    let action: string;
    try {
      const answer = await extra.sendRequest(
        {
          method: "elicitation/create",
          params: {
            message: `${intent.tool} may cost up to ${estimate} (${intent.what}); your confirmation threshold is ${formatUsd(threshold)}. Spend it?`,
            requestedSchema: {
              type: "object",
              properties: { confirm: { type: "boolean", title: `Spend up to ${estimate}`, description: "Yes to run the call" } },
              required: ["confirm"],
            },
          },
        },
        ElicitResultSchema,
        { signal: extra.signal },
      );
      action = answer.action === "accept" && answer.content?.confirm === true ? "accept" : answer.action === "accept" ? "decline" : answer.action;
    } catch {
      action = "error";
    }
    if (action === "accept") return null;
    deps.ledger.refused(intent.tool, "confirmation");
    const why = action === "error" ? "the confirmation request failed" : `the user ${action === "cancel" ? "cancelled" : "declined"} it`;
    return errorResult(`Not run, nothing was sent or charged: ${intent.tool} may cost up to ${estimate} (${intent.what}) and ${why}.`);
  }
  deps.ledger.refused(intent.tool, "confirmation");
  return errorResult(
    `Confirmation needed, nothing was sent or charged: ${intent.tool} may cost up to ${estimate} (${intent.what}), above the ${formatUsd(threshold)} threshold (DATAFORSEO_CONFIRM_ABOVE_USD). Ask the user; if they agree, repeat the same call with "confirm_cost_usd": ${intent.estimateUsd} added.`,
  );
}

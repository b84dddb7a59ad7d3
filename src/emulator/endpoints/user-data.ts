// GET /v3/appendix/user_data: account, balance, limits and the Backlinks price list (free).
import endpoints from "../../data/backlinks-endpoints.json" with { type: "json" };
import { formatTime, DAY_MS } from "../graph.js";
import { money } from "../pricing.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const LIVE_FUNCTIONS = endpoints.live_endpoints.map((e) => e.key);
export const RATE_LIMIT_PER_MINUTE = 2000;

function run(_task: unknown, ctx: EndpointContext): EndpointOutput {
  const { account, prices } = ctx;
  const price: Record<string, unknown> = {};
  for (const fn of LIVE_FUNCTIONS) {
    price[fn] = {
      live: {
        priority_normal: [
          { cost_type: "per_request", cost: prices.perRequest },
          { cost_type: "per_result", cost: prices.perRow },
        ],
      },
    };
  }
  const totalCalls = Object.values(account.calls).reduce((a, b) => a + b, 0);
  const callStats = { total: totalCalls, backlinks: { ...account.calls } };
  return {
    result: [{
      login: account.login,
      timezone: "UTC",
      rates: {
        limits: { day: RATE_LIMIT_PER_MINUTE * 1440, minute: RATE_LIMIT_PER_MINUTE },
        statistics: { day: callStats, minute: callStats },
      },
      money: {
        total: account.deposited,
        balance: money(account.balance),
        limits: { day: { total: 0 }, minute: { total: 0 } },
        statistics: { day: { total: money(account.spent) }, minute: { total: money(account.spent) } },
      },
      price: { backlinks: price },
      backlinks_subscription_expiry_date: formatTime(ctx.nowMs + 30 * DAY_MS),
    }],
    rows: 0,
  };
}

export const userDataEndpoint: Endpoint = {
  api: "appendix",
  fn: "user_data",
  method: "GET",
  path: "/v3/appendix/user_data",
  billable: false,
  run,
};

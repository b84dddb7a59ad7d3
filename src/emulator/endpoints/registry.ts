// The endpoint registry: each endpoint is one module exporting an Endpoint; add it to ENDPOINTS.
import type { Prices } from "../pricing.js";
import type { Task } from "../params.js";
import { backlinksEndpoint } from "./backlinks.js";
import { referringDomainsEndpoint } from "./referring-domains.js";
import { domainPagesSummaryEndpoint } from "./domain-pages-summary.js";
import { bulkNewLostReferringDomainsEndpoint } from "./bulk-new-lost-referring-domains.js";
import { userDataEndpoint } from "./user-data.js";
import { summaryEndpoint } from "./summary.js";
import { historyEndpoint, timeseriesNewLostSummaryEndpoint, timeseriesSummaryEndpoint } from "./history.js";
import { anchorsEndpoint } from "./anchors.js";
import { domainPagesEndpoint } from "./domain-pages.js";
import { referringNetworksEndpoint } from "./referring-networks.js";
import { competitorsEndpoint } from "./competitors.js";
import { domainIntersectionEndpoint, pageIntersectionEndpoint } from "./intersection.js";
import {
  bulkBacklinksEndpoint, bulkNewLostBacklinksEndpoint, bulkPagesSummaryEndpoint, bulkRanksEndpoint, bulkReferringDomainsEndpoint,
  bulkSpamScoreEndpoint,
} from "./bulk.js";

export interface Account {
  login: string;
  deposited: number;
  balance: number;
  spent: number;
  /** Successful calls per function. */
  calls: Record<string, number>;
}

export interface EndpointContext {
  seed: number;
  /** Reference "today" at 00:00 UTC, epoch ms. */
  nowMs: number;
  prices: Prices;
  account: Account;
}

export interface EndpointOutput {
  result: unknown[];
  /** Rows billed per row (0 for free endpoints). */
  rows: number;
}

export interface Endpoint {
  api: string;
  fn: string;
  method: "GET" | "POST";
  path: string;
  /** Free endpoints cost nothing. */
  billable: boolean;
  run(task: Task, ctx: EndpointContext): EndpointOutput;
}

export const ENDPOINTS: readonly Endpoint[] = [
  summaryEndpoint,
  historyEndpoint,
  backlinksEndpoint,
  anchorsEndpoint,
  domainPagesEndpoint,
  domainPagesSummaryEndpoint,
  referringDomainsEndpoint,
  referringNetworksEndpoint,
  competitorsEndpoint,
  domainIntersectionEndpoint,
  pageIntersectionEndpoint,
  timeseriesSummaryEndpoint,
  timeseriesNewLostSummaryEndpoint,
  bulkRanksEndpoint,
  bulkBacklinksEndpoint,
  bulkSpamScoreEndpoint,
  bulkReferringDomainsEndpoint,
  bulkNewLostBacklinksEndpoint,
  bulkNewLostReferringDomainsEndpoint,
  bulkPagesSummaryEndpoint,
  userDataEndpoint,
];

const BY_ROUTE = new Map(ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e]));

export function findEndpoint(method: string, path: string): Endpoint | undefined {
  return BY_ROUTE.get(`${method} ${path}`);
}

// POST /v3/backlinks/referring_domains/live: one row per referring main domain, ranked by the domain's rank.
import { aggregateListEndpoint, referringDomainsConfig } from "./aggregate-list.js";

export const referringDomainsEndpoint = aggregateListEndpoint(referringDomainsConfig);

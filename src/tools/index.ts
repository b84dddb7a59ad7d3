// Every endpoint tool. Adding an endpoint = one spec file + one line here.
import { backlinksTool } from "./backlinks.js";
import { referringDomainsTool } from "./referring-domains.js";
import { bulkNewLostReferringDomainsTool } from "./bulk-new-lost-referring-domains.js";
import { domainPagesSummaryTool } from "./domain-pages-summary.js";
import type { EndpointSpec } from "./spec.js";

export const ENDPOINT_TOOLS: readonly EndpointSpec[] = [
  backlinksTool,
  referringDomainsTool,
  bulkNewLostReferringDomainsTool,
  domainPagesSummaryTool,
];

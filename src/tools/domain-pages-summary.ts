import * as p from "./params.js";
import type { EndpointSpec } from "./spec.js";

export const domainPagesSummaryTool: EndpointSpec = {
  name: "backlinks_domain_pages_summary",
  title: "Backlink metrics per page of a domain",
  description:
    'Pages of a domain that have backlinks, one row each: backlinks, referring domains, rank, broken links. A page\'s links: backlinks_backlinks with the URL as target. Example: order_by ["referring_domains,desc"]',
  path: "/v3/backlinks/domain_pages_summary/live",
  endpoint: "domain_pages_summary",
  params: p.aggregateParams,
  paging: "offset",
  defaultColumns: ["url", "rank", "backlinks", "referring_domains", "referring_domains_nofollow", "broken_backlinks", "backlinks_spam_score", "first_seen"],
  lostColumns: ["lost_date"],
  maxRows: (args) => (args.limit as number | undefined) ?? 100,
  subject: (args) => String(args.target),
};

import * as p from "./params.js";
import type { EndpointSpec } from "./spec.js";

export const referringDomainsTool: EndpointSpec = {
  name: "backlinks_referring_domains",
  title: "Referring domains of a domain or page",
  description:
    'Domains linking to a target, one row each: backlinks, rank, nofollow counts, first seen, lost date. The links themselves: backlinks_backlinks. Example: filters ["backlinks",">",10], backlinks_filters ["dofollow","=",true]',
  path: "/v3/backlinks/referring_domains/live",
  endpoint: "referring_domains",
  params: p.aggregateParams,
  paging: "offset",
  defaultColumns: ["domain", "rank", "backlinks", "referring_pages", "referring_pages_nofollow", "backlinks_spam_score", "first_seen"],
  lostColumns: ["lost_date"],
  maxRows: (args) => (args.limit as number | undefined) ?? 100,
  subject: (args) => String(args.target),
};

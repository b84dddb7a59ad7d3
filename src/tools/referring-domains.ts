import * as p from "./params.js";
import type { EndpointSpec } from "./spec.js";

export const referringDomainsTool: EndpointSpec = {
  name: "backlinks_referring_domains",
  title: "Referring domains of a domain or page",
  description:
    'Domains linking to a target, one row each: backlinks, rank, nofollow counts, first seen, lost date. The links themselves: backlinks_backlinks. Example: filters ["backlinks",">",10], backlinks_filters ["dofollow","=",true]',
  path: "/v3/backlinks/referring_domains/live",
  endpoint: "referring_domains",
  params: {
    target: p.target,
    limit: p.limit,
    offset: p.offset,
    internal_list_limit: p.internalListLimit,
    backlinks_status_type: p.backlinksStatusType,
    filters: p.filters,
    order_by: p.orderBy,
    backlinks_filters: p.backlinksFilters,
    include_subdomains: p.bool(true),
    include_indirect_links: p.bool(true),
    exclude_internal_backlinks: p.bool(true),
    rank_scale: p.rankScale,
    tag: p.tag,
  },
  paging: "offset",
  defaultColumns: ["domain", "rank", "backlinks", "referring_pages", "referring_pages_nofollow", "backlinks_spam_score", "first_seen"],
  lostColumns: ["lost_date"],
  maxRows: (args) => (args.limit as number | undefined) ?? 100,
  subject: (args) => String(args.target),
};

import * as p from "./params.js";
import type { EndpointSpec } from "./spec.js";

export const backlinksTool: EndpointSpec = {
  name: "backlinks_backlinks",
  title: "Backlinks of a domain or page",
  description:
    'Individual backlinks to a domain or page: source URL, anchor, dofollow, rank, first seen (add url_to etc. via fields). Per linking domain use backlinks_referring_domains. Filter example: [["dofollow","=",true],"and",["domain_from_rank",">",500]]',
  path: "/v3/backlinks/backlinks/live",
  endpoint: "backlinks",
  params: {
    target: p.target,
    mode: p.mode,
    custom_mode: p.customMode,
    filters: p.filters,
    order_by: p.orderBy,
    offset: p.backlinksOffset,
    search_after_token: p.searchAfterToken,
    limit: p.limit,
    backlinks_status_type: p.backlinksStatusType,
    include_subdomains: p.bool(true),
    include_indirect_links: p.bool(true),
    exclude_internal_backlinks: p.bool(true),
    rank_scale: p.rankScale,
    internal_list_limit: p.internalListLimit,
    tag: p.tag,
  },
  localParams: ["internal_list_limit"],
  paging: "token",
  // url_to is left out by default: it costs ~16 tokens a row; ask for it with fields.
  defaultColumns: ["url_from", "anchor", "dofollow", "domain_from_rank", "first_seen"],
  lostColumns: ["is_lost", "last_seen"],
  maxRows: (args) => (args.limit as number | undefined) ?? 100,
  subject: (args) => String(args.target),
};

import * as p from "./params.js";
import type { EndpointSpec } from "./spec.js";

export const bulkNewLostReferringDomainsTool: EndpointSpec = {
  name: "backlinks_bulk_new_lost_referring_domains",
  title: "New and lost referring domains since a date",
  description:
    "Referring domains gained and lost since date_from, for up to 1000 targets. Which domains: backlinks_referring_domains (backlinks_status_type lost, or a first_seen filter)",
  path: "/v3/backlinks/bulk_new_lost_referring_domains/live",
  endpoint: "bulk_new_lost_referring_domains",
  params: {
    targets: p.targets,
    date_from: p.dateFrom,
    tag: p.tag,
  },
  paging: "none",
  defaultColumns: ["target", "new_referring_domains", "lost_referring_domains", "new_referring_main_domains", "lost_referring_main_domains"],
  maxRows: (args) => (args.targets as unknown[]).length,
  subject: (args) => {
    const list = args.targets as string[];
    return list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} +${list.length - 3} more`;
  },
};

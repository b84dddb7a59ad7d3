// POST /v3/backlinks/domain_pages_summary/live: one row per linked page of the target.
import { aggregateListEndpoint } from "./aggregate-list.js";

export const domainPagesSummaryEndpoint = aggregateListEndpoint({
  fn: "domain_pages_summary",
  typeName: "backlinks_page_summary",
  keyField: "url",
  groupKey: () => (l) => l.url_to,
  defaultOrder: [{ field: "backlinks", desc: true }],
});

// POST /v3/backlinks/referring_domains/live: one row per referring main domain.
import { aggregateListEndpoint } from "./aggregate-list.js";

export const referringDomainsEndpoint = aggregateListEndpoint({
  fn: "referring_domains",
  typeName: "backlinks_referring_domain",
  keyField: "domain",
  groupKey: (l) => l.main_from,
  defaultOrder: [{ field: "rank", desc: true }],
});

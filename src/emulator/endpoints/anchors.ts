// POST /v3/backlinks/anchors/live: one row per anchor text (a link without anchor counts under "").
import { aggregateListEndpoint } from "./aggregate-list.js";

export const anchorsEndpoint = aggregateListEndpoint({
  fn: "anchors",
  typeName: "backlinks_anchor",
  keyField: "anchor",
  groupKey: () => (l) => l.anchor ?? "",
  defaultOrder: [{ field: "backlinks", desc: true }],
});

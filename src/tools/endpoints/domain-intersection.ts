import { defineTool } from "../define.js";

export default defineTool({
  key: "domain_intersection",
  title: "Link gap: domains linking to several targets",
  description:
    "Link gap: referring domains shared by up to 20 targets; your domain in exclude_targets, order_by [\"intersections_count,desc\"].",
  toolsets: ["core", "competitors"],
  columns: ["domain", "intersections_count", "<n>.backlinks", "<n>.rank"],
  rowKey: { column: "domain", from: "target" },
  hints: { targets: "filter/sort paths use their position: 1.rank" },
});

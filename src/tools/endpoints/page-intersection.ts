import { defineTool } from "../define.js";

export default defineTool({
  key: "page_intersection",
  title: "Pages linking to several targets",
  description:
    "Referring pages that link to several of up to 20 targets (e.g. resource pages listing competitors). Per domain instead: backlinks_domain_intersection.",
  toolsets: ["competitors"],
  columns: ["url_from", "intersections_count", "<n>.url_to", "<n>.anchor"],
  rowKey: { column: "url_from", from: "url_from" },
  hints: { targets: "filter/sort paths use their position: 1.anchor" },
});

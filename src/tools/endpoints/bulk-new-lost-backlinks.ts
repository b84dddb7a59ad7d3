import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_new_lost_backlinks",
  title: "New and lost backlinks since a date",
  description: "Backlinks gained and lost since date_from (default a month ago) for up to 1,000 targets. Per referring domain: backlinks_bulk_new_lost_referring_domains.",
  toolsets: ["history", "bulk"],
  columns: ["target", "new_backlinks", "lost_backlinks"],
});

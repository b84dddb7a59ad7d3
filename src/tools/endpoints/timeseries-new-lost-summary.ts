import { defineTool } from "../define.js";

export default defineTool({
  key: "timeseries_new_lost_summary",
  title: "New and lost links over time",
  description:
    "New and lost backlinks and referring domains of a domain per day, week, month or year: link velocity. Totals over time: backlinks_timeseries_summary.",
  toolsets: ["history"],
  columns: ["date", "new_backlinks", "lost_backlinks", "new_referring_domains", "lost_referring_domains", "new_referring_main_domains", "lost_referring_main_domains"],
  hints: { target: "a domain without https:// or www.; pages are not supported" },
});

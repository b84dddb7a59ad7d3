import { defineTool } from "../define.js";

export default defineTool({
  key: "timeseries_summary",
  title: "Backlink totals over time",
  description:
    "A domain's rank, backlinks and referring domains per day, week, month or year between two dates. New/lost per period: backlinks_timeseries_new_lost_summary.",
  toolsets: ["history"],
  columns: ["date", "rank", "backlinks", "referring_domains", "referring_main_domains", "referring_pages", "referring_ips"],
  hints: { target: "a domain without https:// or www.; pages are not supported" },
});

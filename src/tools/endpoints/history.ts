import { defineTool } from "../define.js";

export default defineTool({
  key: "history",
  title: "Monthly backlink history",
  description:
    "Month-by-month totals of a domain since 2019: rank, backlinks, referring domains, new and lost. Daily/weekly series: backlinks_timeseries_summary.",
  toolsets: ["history"],
  columns: ["date", "rank", "backlinks", "referring_domains", "new_backlinks", "lost_backlinks", "new_referring_domains", "lost_referring_domains"],
  hints: { target: "a domain without https:// or www. (forbes.com); pages are not supported" },
});

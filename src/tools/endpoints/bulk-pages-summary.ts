import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_pages_summary",
  title: "Backlink summary of many pages",
  description: "Backlink totals for up to 1,000 pages or domains (at most 100 distinct domains) in one call, one row each.",
  toolsets: ["pages", "bulk"],
  columns: ["url", "rank", "main_domain_rank", "backlinks", "referring_domains", "broken_backlinks", "backlinks_spam_score"],
});

import { defineTool } from "../define.js";

export default defineTool({
  key: "domain_pages_summary",
  title: "Backlink metrics per page of a domain",
  description:
    "Pages of a domain that have backlinks, with backlinks, referring domains, rank and broken links per page.",
  toolsets: ["core", "pages"],
  columns: ["url", "rank", "backlinks", "referring_domains", "referring_domains_nofollow", "broken_backlinks", "backlinks_spam_score", "first_seen"],
  lostColumns: ["lost_date"],
});

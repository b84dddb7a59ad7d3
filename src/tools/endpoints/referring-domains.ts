import { defineTool } from "../define.js";

export default defineTool({
  key: "referring_domains",
  title: "Referring domains",
  description:
    "Domains linking to a target, one row each: backlinks, rank, nofollow counts, spam score, first seen. The links: backlinks_backlinks.",
  toolsets: ["core"],
  columns: ["domain", "rank", "backlinks", "referring_pages", "referring_pages_nofollow", "backlinks_spam_score", "first_seen"],
  lostColumns: ["lost_date"],
});

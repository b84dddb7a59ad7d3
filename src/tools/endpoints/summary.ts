import { defineTool } from "../define.js";

export default defineTool({
  key: "summary",
  title: "Backlink profile overview",
  description:
    "Start here: a target's totals (backlinks, referring domains/IPs/subnets, rank, spam score, broken links, TLD/country counts) in one cheap call.",
  toolsets: ["core"],
  columns: [
    "rank", "backlinks", "referring_domains", "referring_main_domains", "referring_pages", "referring_ips", "referring_subnets",
    "referring_domains_nofollow", "referring_pages_nofollow", "broken_backlinks", "broken_pages", "backlinks_spam_score",
    "info.target_spam_score", "crawled_pages", "internal_links_count", "external_links_count", "first_seen", "lost_date",
    "referring_links_tld", "referring_links_countries", "referring_links_types", "referring_links_attributes",
    "referring_links_platform_types", "referring_links_semantic_locations",
  ],
});

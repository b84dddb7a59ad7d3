import { defineTool } from "../define.js";

export default defineTool({
  key: "domain_pages",
  title: "Pages of a domain with page data",
  description:
    "Crawled pages of a domain with status, title and their backlink summary. Backlink metrics only: backlinks_domain_pages_summary.",
  toolsets: ["pages"],
  columns: ["page", "status_code", "meta.title", "page_summary.backlinks", "page_summary.referring_domains", "page_summary.rank"],
  hints: { target: "a domain or subdomain without https:// or www.; pages are not supported" },
});

import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_referring_domains",
  title: "Referring domain counts of many targets",
  description: "Referring domains (and nofollow, main-domain counts) of up to 1,000 domains or pages, one row each.",
  toolsets: ["bulk"],
  columns: ["target", "referring_domains", "referring_domains_nofollow", "referring_main_domains", "referring_main_domains_nofollow"],
});

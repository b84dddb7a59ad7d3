import { defineTool } from "../define.js";

export default defineTool({
  key: "referring_networks",
  title: "Referring IPs and subnets",
  description:
    "Linking IP addresses or /24 subnets (network_address_type) with their backlinks and domains: many domains on one network hint at a link network (PBN).",
  toolsets: ["spam"],
  columns: ["network_address", "referring_domains", "backlinks", "referring_pages", "rank", "first_seen"],
  lostColumns: ["lost_date"],
});

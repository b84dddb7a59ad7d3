import { defineTool } from "../define.js";

export default defineTool({
  key: "anchors",
  title: "Anchor texts",
  description:
    "Anchor texts of a target's links with backlinks and referring domains per anchor: the anchor profile.",
  toolsets: ["core"],
  columns: ["anchor", "backlinks", "referring_domains", "referring_domains_nofollow", "rank", "first_seen"],
  lostColumns: ["lost_date"],
});

import { z } from "zod";
import { defineTool } from "../define.js";

export default defineTool({
  key: "backlinks",
  title: "Backlinks of a domain or page",
  description:
    "Individual backlinks: source URL, anchor, dofollow, rank, first seen (more via fields). One row per linking domain: backlinks_referring_domains.",
  toolsets: ["core"],
  columns: ["url_from", "anchor", "dofollow", "domain_from_rank", "first_seen"],
  lostColumns: ["is_lost", "last_seen"],
  // The API has no internal_list_limit here; it trims lists in our output only.
  local: { internal_list_limit: z.number().int().min(1).max(1000).optional() },
});

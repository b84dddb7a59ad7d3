import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_new_lost_referring_domains",
  title: "New and lost referring domains since a date",
  description:
    "Referring domains gained and lost since date_from (default a month ago) for up to 1,000 targets.",
  toolsets: ["core", "history", "bulk"],
  columns: ["target", "new_referring_domains", "lost_referring_domains", "new_referring_main_domains", "lost_referring_main_domains"],
});

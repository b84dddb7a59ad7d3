import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_backlinks",
  title: "Backlink counts of many targets",
  description: "Number of live backlinks of up to 1,000 domains or pages, one row each.",
  toolsets: ["bulk"],
  columns: ["target", "backlinks"],
});

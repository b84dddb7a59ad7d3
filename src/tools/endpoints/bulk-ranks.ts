import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_ranks",
  title: "Rank of many targets",
  description: "Rank of up to 1,000 domains or pages in one call, one row each.",
  toolsets: ["bulk"],
  columns: ["target", "rank"],
});

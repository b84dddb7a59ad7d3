import { defineTool } from "../define.js";

export default defineTool({
  key: "bulk_spam_score",
  title: "Spam score of many targets",
  description: "Spam score (0–100) of up to 1,000 domains or pages, one row each: screen referring domains before a disavow.",
  toolsets: ["spam", "bulk"],
  columns: ["target", "spam_score"],
});

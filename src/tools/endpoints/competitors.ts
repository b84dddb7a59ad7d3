import { defineTool } from "../define.js";

export default defineTool({
  key: "competitors",
  title: "Competitors by shared backlinks",
  description:
    "Domains that share referring domains with the target, ranked by intersections. Then compare them: backlinks_domain_intersection.",
  toolsets: ["competitors"],
  columns: ["target", "rank", "intersections"],
});

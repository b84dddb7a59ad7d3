// Every endpoint tool, one overlay file each (order: as advertised).
import type { EndpointTool } from "../define.js";
import summary from "./summary.js";
import backlinks from "./backlinks.js";
import referringDomains from "./referring-domains.js";
import anchors from "./anchors.js";
import domainPagesSummary from "./domain-pages-summary.js";
import domainIntersection from "./domain-intersection.js";
import bulkNewLostReferringDomains from "./bulk-new-lost-referring-domains.js";
import history from "./history.js";
import timeseriesSummary from "./timeseries-summary.js";
import timeseriesNewLostSummary from "./timeseries-new-lost-summary.js";
import bulkNewLostBacklinks from "./bulk-new-lost-backlinks.js";
import competitors from "./competitors.js";
import pageIntersection from "./page-intersection.js";
import domainPages from "./domain-pages.js";
import bulkPagesSummary from "./bulk-pages-summary.js";
import referringNetworks from "./referring-networks.js";
import bulkSpamScore from "./bulk-spam-score.js";
import bulkRanks from "./bulk-ranks.js";
import bulkBacklinks from "./bulk-backlinks.js";
import bulkReferringDomains from "./bulk-referring-domains.js";

export const ENDPOINT_TOOLS: readonly EndpointTool[] = [
  summary, backlinks, referringDomains, anchors, domainPagesSummary, domainIntersection, bulkNewLostReferringDomains,
  history, timeseriesSummary, timeseriesNewLostSummary, bulkNewLostBacklinks,
  competitors, pageIntersection,
  domainPages, bulkPagesSummary,
  referringNetworks, bulkSpamScore,
  bulkRanks, bulkBacklinks, bulkReferringDomains,
];

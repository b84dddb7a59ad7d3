// The declarative shape of one endpoint tool. The pipeline (run.ts) does the rest.
import type { z } from "zod";
import type { EndpointKey } from "../query/catalogue.js";

export type OutputEndpoint = EndpointKey | "bulk_new_lost_referring_domains";

export interface EndpointSpec {
  name: string;
  title: string;
  description: string;
  /** API path of the live endpoint. */
  path: string;
  /** Key into the field catalogue (filters, order_by, fields). */
  endpoint: OutputEndpoint;
  /** The zod shape of the documented API parameters (output controls are added by the pipeline). */
  params: z.ZodRawShape;
  /** How more rows are fetched: DataForSEO's search_after_token, offset, or not at all. */
  paging: "token" | "offset" | "none";
  /** Columns of the text table when the caller names none. */
  defaultColumns: string[];
  /** Extra default columns when lost links are asked for (backlinks_status_type lost or all). */
  lostColumns?: string[];
  /** Rows the call may return, for the worst-case cost estimate. */
  maxRows(args: Record<string, unknown>): number;
  /** What was asked, for the header line. */
  subject(args: Record<string, unknown>): string;
  /** API parameters that exist on the tool but are applied locally and never sent. */
  localParams?: string[];
}

// Shared pieces of the tools' input schemas. Each mirrors a documented DataForSEO parameter
// (type, limits, enum, default). Defaults are advertised but never sent unless the caller sets them,
// so the API applies its own.
import { z } from "zod";

const dflt = <T extends z.ZodType>(schema: T, value: unknown) => schema.meta({ default: value });

export const target = z.string().trim().min(1).describe("domain (forbes.com) or page URL (https://...)");

export const targets = z.array(z.string().trim().min(1)).min(1).max(1000);

export const limit = dflt(z.number().int().min(1).max(1000), 100).optional();
export const offset = dflt(z.number().int().min(0).max(1_000_000_000), 0).optional();
export const backlinksOffset = dflt(
  z
    .number()
    .int()
    .min(0)
    .max(20_000, {
      message: "offset is at most 20000 on backlinks; to go deeper, page with backlinks_next_page (or search_after_token) instead",
    }),
  0,
).optional();

export const searchAfterToken = z.string().optional().describe("from an earlier call with identical params");

export const mode = dflt(z.enum(["as_is", "one_per_domain", "one_per_anchor"]), "as_is").optional();

export const customModeFields = [
  "anchor",
  "domain_from",
  "domain_from_country",
  "tld_from",
  "page_from_encoding",
  "page_from_language",
  "item_type",
  "page_from_status_code",
  "semantic_location",
] as const;

export const customMode = z
  .object({
    field: z.enum(customModeFields),
    value: z.number().int().min(1).max(1000),
  })
  .optional()
  .describe("value links per distinct field; overrides mode");

export const internalListLimit = dflt(z.number().int().min(1).max(1000), 10).optional();

export const backlinksStatusType = dflt(z.enum(["all", "live", "lost"]), "live").optional();

export const filters = z.array(z.unknown()).optional().describe('[field,op,value] or [[..],"and"|"or",[..]]; ≤8 conditions');

export const backlinksFilters = z.array(z.unknown()).optional().describe("filters on backlinks_backlinks fields, before aggregation");

export const orderBy = z.array(z.string()).max(3).optional().describe('"field,asc|desc"');

export const bool = (value: boolean) => dflt(z.boolean(), value).optional();

export const rankScale = dflt(z.enum(["one_hundred", "one_thousand"]), "one_thousand").optional();

export const dateFrom = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "date_from must be yyyy-mm-dd" })
  .optional()
  .describe("yyyy-mm-dd, within the last year; default a month ago");

export const tag = z.string().max(255).optional();

export const format = z.enum(["text", "json"]).default("text");

export const fields = z.array(z.string()).max(60).optional().describe("columns (dot paths ok)");

/** The parameters of the aggregate list endpoints (referring_domains, domain_pages_summary): documented alike. */
export const aggregateParams = {
  target,
  limit,
  offset,
  internal_list_limit: internalListLimit,
  backlinks_status_type: backlinksStatusType,
  filters,
  order_by: orderBy,
  backlinks_filters: backlinksFilters,
  include_subdomains: bool(true),
  include_indirect_links: bool(true),
  exclude_internal_backlinks: bool(true),
  rank_scale: rankScale,
  tag,
};

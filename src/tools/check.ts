// Checks the JSON Schema cannot express, run before anything is spent: the query grammar against the
// endpoint's field catalogues, output fields, dates against the documented range, paging handles.
// Which checks apply comes from the endpoint's reference entry.
import { catalogueFor } from "../query/catalogue.js";
import { checkFilters, checkOrderBy } from "../query/validate.js";
import { checkFields } from "../query/fields.js";
import { PAGE_HANDLE_PREFIX as HANDLE_PREFIX } from "../paging/paging-store.js";
import type { EndpointRef, ParamSpec } from "../reference/endpoints.js";
import type { EndpointTool } from "./define.js";
import type { Args } from "./rows.js";
import { earliestDate } from "./rows.js";

export const NEXT_TOOL = "backlinks_next_page";

const DAY_MS = 86_400_000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Real dates, within the documented range, in order. */
export function checkDates(ref: EndpointRef, args: Args, now: Date): string[] {
  const problems: string[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days: Record<string, number> = {};
  for (const p of ref.params) {
    if (p.format !== "yyyy-mm-dd") continue;
    const value = args[p.name];
    if (typeof value !== "string") continue;
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isFinite(ms) || isoDay(ms) !== value) {
      problems.push(`${p.name} '${value.slice(0, 20)}' is not a real date (yyyy-mm-dd)`);
      continue;
    }
    if (ms > today) {
      problems.push(`${p.name} ${value} is in the future; use a date up to today (${isoDay(today)})`);
      continue;
    }
    const earliest = minimumOf(ref, p, today);
    if (earliest !== undefined && ms < earliest) {
      const why = typeof p.min === "string" && /year/.test(p.min) ? "is more than one year ago" : "is before the earliest date";
      problems.push(`${p.name} ${value} ${why}; the earliest allowed is ${isoDay(earliest)}`);
      continue;
    }
    days[p.name] = ms;
  }
  if (days.date_from !== undefined && days.date_to !== undefined && days.date_from > days.date_to) {
    problems.push(`date_from ${args.date_from} is after date_to ${args.date_to}; swap them`);
  }
  return problems;
}

function minimumOf(ref: EndpointRef, p: ParamSpec, today: number): number | undefined {
  return p.min === undefined ? undefined : earliestDate(ref, p.name, today);
}

/** The date_from the API uses when none is sent, for the header (bulk new/lost: a month ago). */
export function defaultDateFrom(ref: EndpointRef, now: Date): string | undefined {
  const p = ref.param("date_from");
  if (!p || typeof p.default !== "string" || !/month/.test(p.default)) return undefined;
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - 1;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return isoDay(Date.UTC(y, m, Math.min(now.getUTCDate(), last)));
}

/** Every problem at once; [] when the call may go ahead. */
export function checkArgs(tool: EndpointTool, args: Args, now = new Date()): string[] {
  const { ref } = tool;
  const problems: string[] = [];
  const features = ref.features;
  if (features.filters && args.filters !== undefined) problems.push(...checkFilters(args.filters, catalogueFor(ref.key as never), "filters"));
  if (features.order_by && args.order_by !== undefined) problems.push(...checkOrderBy(args.order_by, catalogueFor(ref.key as never), "order_by"));
  if (features.backlinks_filters && args.backlinks_filters !== undefined) {
    problems.push(...checkFilters(args.backlinks_filters, catalogueFor("backlinks"), "backlinks_filters"));
  }
  if (Array.isArray(args.fields)) problems.push(...checkFields(args.fields as string[], ref.key as never));
  problems.push(...checkDates(ref, args, now));
  const token = args.search_after_token;
  if (typeof token === "string" && token.startsWith(HANDLE_PREFIX)) {
    const shown = token.slice(0, 40);
    problems.push(`search_after_token '${shown}' is a paging handle of this server: call ${NEXT_TOOL} {"search_after_token":"${shown}"} instead`);
  }
  return problems;
}

export { DAY_MS };

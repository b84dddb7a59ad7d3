// Checks the JSON Schema cannot express, run before anything is spent: the query grammar against the
// endpoint's field catalogues, output fields, dates against the documented range, paging handles.
// Which checks apply comes from the endpoint's reference entry.
import { catalogueForParam, type QueryParam } from "../query/catalogue.js";
import { checkFilters, checkOrderBy, checkTag } from "../query/validate.js";
import { checkFields } from "../query/fields.js";
import { checkTarget, checkTargetList } from "../query/targets.js";
import { lintQuery } from "../query/lint.js";
import { PAGE_HANDLE_PREFIX as HANDLE_PREFIX } from "../paging/paging-store.js";
import type { EndpointRef, ParamSpec } from "../reference/endpoints.js";
import { NEXT_TOOL, type EndpointTool } from "./define.js";
import type { Args } from "./rows.js";
import { earliestDate } from "./rows.js";


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

/** A target parameter that takes a domain only, by its documented note ("domain only", "domain or subdomain only"). */
function domainOnly(p: ParamSpec | undefined): boolean {
  return p?.note !== undefined && /\bdomain\b[^.;]*\bonly\b/i.test(p.note);
}

/** The documented "at most N distinct domains" of a targets list, when there is one. */
function distinctDomainLimit(p: ParamSpec): number | undefined {
  const m = /at most (\d+) distinct domains/i.exec(p.note ?? "");
  return m ? Number(m[1]) : undefined;
}

/**
 * A lower bound on the domains a target names: the last two labels of its host (an IP stays whole).
 * Two-level suffixes (co.uk) make it count fewer, never more, than DataForSEO does, so a list is
 * refused here only when the API would refuse it too.
 */
function domainFloorOf(target: string): string {
  const host = (/^https?:\/\//i.test(target) ? target.replace(/^https?:\/\//i, "").split(/[/?#:]/)[0]! : target).toLowerCase().replace(/\.$/, "");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  return host.split(".").slice(-2).join(".");
}

/** Lists whose documentation caps the distinct domains they may come from (bulk_pages_summary: 100). */
function checkDistinctDomains(p: ParamSpec, list: unknown): string[] {
  const limit = distinctDomainLimit(p);
  if (limit === undefined || !Array.isArray(list)) return [];
  const domains = new Set(list.filter((t): t is string => typeof t === "string").map(domainFloorOf));
  if (domains.size <= limit) return [];
  return [`targets come from ${domains.size} distinct domains; at most ${limit} are allowed in one call. Split them over several calls by domain`];
}

/** The form of target, targets and exclude_targets: domains or absolute URLs, sane, not our handles, no repeats. */
function checkTargets(ref: EndpointRef, args: Args): string[] {
  const problems: string[] = [];
  const target = ref.param("target");
  if (target && args.target !== undefined) problems.push(...checkTarget(args.target, "target", { domainOnly: domainOnly(target) }));
  const targets = ref.param("targets");
  if (targets && args.targets !== undefined) {
    problems.push(...checkTargetList(args.targets, "targets", { max: targets.max_items ?? 1000, domainOnly: domainOnly(targets) }));
    problems.push(...checkDistinctDomains(targets, args.targets));
  }
  const excluded = ref.param("exclude_targets");
  if (excluded && args.exclude_targets !== undefined) {
    const list = (args.exclude_targets as string[]).map((t) => t.replace(/\*$/, ""));
    problems.push(...checkTargetList(list, "exclude_targets", { max: excluded.max_items ?? 10 }));
  }
  return problems;
}

/** Every problem at once; [] when the call may go ahead. */
export function checkArgs(tool: EndpointTool, args: Args, now = new Date()): string[] {
  const { ref } = tool;
  const problems: string[] = [...checkTargets(ref, args)];
  const targetCount = ref.targetKind === "intersection" && Array.isArray(args.targets) ? args.targets.length : undefined;
  const opts = targetCount === undefined ? undefined : { targetCount };
  const query = (param: QueryParam, check: (catalogue: NonNullable<ReturnType<typeof catalogueForParam>["catalogue"]>) => string[]) => {
    if (args[param] === undefined) return;
    const found = catalogueForParam(ref.key, param);
    problems.push(...(found.catalogue ? check(found.catalogue) : [found.message]));
  };
  query("filters", (c) => checkFilters(args.filters, c, "filters", opts));
  query("order_by", (c) => checkOrderBy(args.order_by, c, "order_by", opts));
  query("backlinks_filters", (c) => checkFilters(args.backlinks_filters, c, "backlinks_filters"));
  if (Array.isArray(args.fields)) {
    // An intersection row's key column (domain, url_from) is ours, made from the per-target entries.
    const key = tool.overlay.rowKey?.column;
    const fields = (args.fields as string[]).filter((f) => f !== key);
    if (fields.length > 0 || key === undefined) problems.push(...checkFields(fields, ref.key, opts));
  }
  if (args.tag !== undefined) problems.push(...checkTag(args.tag));
  problems.push(...checkDates(ref, args, now));
  const token = args.search_after_token;
  if (typeof token === "string" && token.startsWith(HANDLE_PREFIX)) {
    const shown = token.slice(0, 40);
    problems.push(`search_after_token '${shown}' is a paging handle of this server: call ${NEXT_TOOL} {"search_after_token":"${shown}"} instead`);
  }
  // Queries that provably match nothing are refused free, once they are well formed.
  if (problems.length === 0 && (args.filters !== undefined || args.backlinks_filters !== undefined)) {
    problems.push(
      ...lintQuery(ref.key, {
        filters: args.filters,
        backlinks_filters: args.backlinks_filters,
        backlinks_status_type: args.backlinks_status_type,
        rank_scale: args.rank_scale,
        targetCount,
      }),
    );
  }
  return problems;
}

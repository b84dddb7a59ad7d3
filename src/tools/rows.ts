// What the data says about one call of an endpoint tool: the request it sends, the rows its result
// holds, the most rows it can bill, its default columns and what the header names as its subject.
// Nothing here branches on a tool's name: the endpoint's reference entry and overlay decide.
import { literalDefault, type EndpointRef } from "../reference/endpoints.js";
import type { EndpointTool } from "./define.js";

/** Arguments that shape the output only and are never sent. */
const OUTPUT_CONTROLS = new Set(["format", "fields", "confirm_cost_usd"]);

export type Args = Record<string, unknown>;

/** The API task: every parameter the caller set, minus output controls and local ones. */
export function apiTask(tool: EndpointTool, args: Args): Args {
  const task: Args = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || OUTPUT_CONTROLS.has(key) || tool.localParams.has(key)) continue;
    task[key] = value;
  }
  if (tool.ref.targetKind === "intersection" && Array.isArray(task.targets)) {
    // The tool takes a plain list; the API wants {"1": first, "2": second, …}.
    task.targets = Object.fromEntries((task.targets as unknown[]).map((t, i) => [String(i + 1), t]));
  }
  return task;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One intersection item as a row: the key column, intersections_count and "1", "2", … per target. */
function flattenIntersection(tool: EndpointTool, item: unknown): unknown {
  if (!isObject(item)) return item;
  const perTarget = item[tool.ref.intersectionKey!];
  const row: Record<string, unknown> = {};
  const key = tool.overlay.rowKey;
  const entries = isObject(perTarget) ? Object.entries(perTarget) : [];
  const targets: [string, unknown][] = entries.map(([n, v]) => [n, Array.isArray(v) ? v[0] : v]);
  if (key) {
    const first = targets.find(([, v]) => isObject(v) && v[key.from] !== undefined);
    row[key.column] = first ? (first[1] as Record<string, unknown>)[key.from] : null;
  }
  const summary = item.summary;
  row.intersections_count = isObject(summary) ? summary.intersections_count : undefined;
  for (const [n, v] of targets) row[n] = v;
  return row;
}

/** The rows of a task result, where the endpoint keeps them. */
export function rowsOf(tool: EndpointTool, result: Args): unknown[] {
  switch (tool.ref.rows) {
    case "record":
      return [result];
    case "intersection":
      return Array.isArray(result.items) ? result.items.map((item) => flattenIntersection(tool, item)) : [];
    case "items":
      return Array.isArray(result.items) ? result.items : [];
  }
}

/** total_count when the result reports one. */
export function totalCountOf(result: Args): number | undefined {
  return typeof result.total_count === "number" && Number.isFinite(result.total_count) ? result.total_count : undefined;
}

function targetCount(args: Args): number {
  return Array.isArray(args.targets) ? args.targets.length : 0;
}

const DAY_MS = 86_400_000;

function dayOf(value: unknown, fallback: number): number {
  if (typeof value !== "string") return fallback;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : fallback;
}

/** The earliest date a date parameter allows, from its documented minimum. */
export function earliestDate(ref: EndpointRef, name: string, today: number): number {
  const min = ref.param(name)?.min;
  if (typeof min === "string" && /^\d{4}-\d{2}-\d{2}$/.test(min)) return Date.parse(`${min}T00:00:00Z`);
  if (typeof min === "string" && /year/.test(min)) {
    const d = new Date(today);
    d.setUTCFullYear(d.getUTCFullYear() - 1);
    return d.getTime();
  }
  return Date.parse("2019-01-01T00:00:00Z");
}

/** Periods a date series may return (the worst case when dates are left out). */
function periods(ref: EndpointRef, args: Args, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = dayOf(args.date_from, earliestDate(ref, "date_from", today));
  const to = dayOf(args.date_to, today);
  const days = Math.max(1, Math.floor((to - from) / DAY_MS) + 1);
  const group = (args.group_range as string | undefined) ?? (ref.param("group_range") ? literalDefault(ref.param("group_range")!) : "month");
  switch (group) {
    case "day":
      return days;
    case "week":
      return Math.ceil(days / 7) + 1;
    case "year":
      return Math.ceil(days / 365) + 1;
    default:
      return Math.ceil(days / 28) + 1;
  }
}

/** The most rows one call can return (and bill), for the worst-case cost estimate. */
export function maxRows(tool: EndpointTool, args: Args, now = new Date()): number {
  const { ref } = tool;
  const limit = ref.param("limit");
  if (limit) return (args.limit as number | undefined) ?? (literalDefault(limit) as number | undefined) ?? 100;
  if (ref.targetKind === "targets") return targetCount(args);
  if (ref.rows === "record") return 1;
  if (ref.param("date_from")) return periods(ref, args, now);
  return 1;
}

/** What was asked, for the header line. */
export function subjectOf(args: Args): string {
  if (typeof args.target === "string") return args.target;
  const list = Array.isArray(args.targets) ? (args.targets as unknown[]).map(String) : [];
  const shown = list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} +${list.length - 3} more`;
  const excluded = Array.isArray(args.exclude_targets) && args.exclude_targets.length > 0
    ? ` not ${(args.exclude_targets as unknown[]).slice(0, 3).map(String).join(", ")}`
    : "";
  return shown + excluded;
}

/** Default columns: the overlay's, "<n>." expanded per target, lost columns when lost links are asked for. */
export function defaultColumns(tool: EndpointTool, args: Args): string[] {
  const { columns, lostColumns } = tool.overlay;
  const status = args.backlinks_status_type;
  const base = (status === "lost" || status === "all") && lostColumns ? [...columns, ...lostColumns] : columns;
  const n = targetCount(args);
  const out: string[] = [];
  for (const column of base) {
    if (column.startsWith("<n>.")) {
      for (let i = 1; i <= n; i++) out.push(`${i}.${column.slice(4)}`);
    } else {
      out.push(column);
    }
  }
  return out;
}

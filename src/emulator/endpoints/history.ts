// history, timeseries_summary and timeseries_new_lost_summary: a domain's profile over time, all from
// the links' first_seen and lost dates (statuses all, indirect links in, internal links out).
import { invalidField } from "../errors.js";
import { DAY_MS, formatTime } from "../graph.js";
import { memo, trimMap, type Selection } from "../dataset.js";
import type { Task } from "../params.js";
import { hash32 } from "../rng.js";
import { domainRank, targetInfo } from "../ranks.js";
import { byTree, checkRequest, formatDate, itemTree, monthsBefore } from "../spec.js";
import { newLost, periods, snapshots, type GroupRange } from "../timeline.js";
import { hundredOf, linksOf, scaled, targetFrom } from "./common.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

/** New / lost figures in history start in May 2021, as documented; earlier months read 0. */
export const HISTORY_NEW_LOST_FROM = Date.UTC(2021, 4, 1);
export const TIMESERIES_EARLIEST = Date.UTC(2019, 0, 30);

function dateRange(p: Record<string, unknown>, nowMs: number, defaultFrom: (to: number) => number): [number, number] {
  const to = (p.date_to as number | undefined) ?? nowMs;
  const from = (p.date_from as number | undefined) ?? defaultFrom(to);
  if (from > to) throw invalidField("date_from", "date_from must not be after date_to.");
  return [from, to];
}

const selectionFor = (includeSubdomains: boolean): Selection => ({ status: "all", includeSubdomains, includeIndirect: true, excludeInternal: true });

const HISTORY_TREE = itemTree("history");

function runHistory(task: Task, ctx: EndpointContext): EndpointOutput {
  const p = checkRequest("history", task, ctx.nowMs);
  const t = targetFrom(p.target, "target", { domainOnly: true });
  const [from, to] = dateRange(p, ctx.nowMs, () => Date.UTC(2019, 0, 1));
  const hundred = hundredOf(p);
  const { graph, links } = linksOf(t, selectionFor(true), ctx.seed, ctx.nowMs);
  const months = periods(from, to, "month");
  // Each month is reported as of its first day (end of that day); new / lost count the whole month.
  const [snaps, flows] = memo(graph, `history|${t.host}|${from}|${to}`, () =>
    [snapshots(links, months.map((m) => m.start + DAY_MS - 1), true), newLost(links, months)] as const);
  const rank = domainRank(ctx.seed, t.host);
  const info = targetInfo(ctx.seed, t.host);
  const items = months.map((m, i) => {
    const s = snaps[i];
    const f = m.start >= HISTORY_NEW_LOST_FROM ? flows[i] : null;
    return byTree(HISTORY_TREE, {
      ...s,
      type: "backlinks_history",
      date: formatTime(m.start),
      rank: s.backlinks > 0 ? scaled(rank, hundred) : 0,
      new_backlinks: f?.new_backlinks ?? 0,
      lost_backlinks: f?.lost_backlinks ?? 0,
      new_referring_domains: f?.new_referring_domains ?? 0,
      lost_referring_domains: f?.lost_referring_domains ?? 0,
      info,
      internal_links_count: 0,
      external_links_count: hash32(`${ctx.seed}|ext|${t.host}`) % 5000,
      ...Object.fromEntries(Object.entries(s.maps!).map(([k, v]) => [k, trimMap(v, 10)])),
    });
  });
  return {
    result: [{ target: task.target, date_from: formatDate(from), date_to: formatDate(to), items_count: items.length, items }],
    rows: items.length,
  };
}

export const historyEndpoint: Endpoint = {
  api: "backlinks", fn: "history", method: "POST", path: "/v3/backlinks/history/live", billable: true, run: runHistory,
};

function timeseries(fn: "timeseries_summary" | "timeseries_new_lost_summary"): Endpoint {
  const tree = itemTree(fn);
  function run(task: Task, ctx: EndpointContext): EndpointOutput {
    const p = checkRequest(fn, task, ctx.nowMs);
    const t = targetFrom(p.target, "target", { domainOnly: true });
    const [from, to] = dateRange(p, ctx.nowMs, (end) => Math.max(TIMESERIES_EARLIEST, monthsBefore(end, 12)));
    const range = p.group_range as GroupRange;
    const { graph, links } = linksOf(t, selectionFor(p.include_subdomains as boolean), ctx.seed, ctx.nowMs);
    const ps = periods(from, to, range);
    const memoKey = `${fn}|${t.host}|${p.include_subdomains}|${from}|${to}|${range}`;
    let items: Record<string, unknown>[];
    if (fn === "timeseries_summary") {
      // Each period is reported as it stood at the end of its last day (the date it carries).
      const snaps = memo(graph, memoKey, () => snapshots(links, ps.map((x) => x.last + DAY_MS - 1), false));
      const rank = scaled(domainRank(ctx.seed, t.host), hundredOf(p));
      items = ps.map((x, i) => byTree(tree, {
        ...snaps[i], type: "backlinks_timeseries_summary", date: formatTime(x.last), rank: snaps[i].backlinks > 0 ? rank : 0,
      }));
    } else {
      const flows = memo(graph, memoKey, () => newLost(links, ps));
      items = ps.map((x, i) => byTree(tree, { ...flows[i], type: "backlinks_timeseries_new_lost_summary", date: formatTime(x.last) }));
    }
    return {
      result: [{ target: task.target, date_from: formatDate(from), date_to: formatDate(to), group_range: range, items_count: items.length, items }],
      rows: items.length,
    };
  }
  return { api: "backlinks", fn, method: "POST", path: `/v3/backlinks/${fn}/live`, billable: true, run };
}

export const timeseriesSummaryEndpoint = timeseries("timeseries_summary");
export const timeseriesNewLostSummaryEndpoint = timeseries("timeseries_new_lost_summary");

// POST /v3/backlinks/bulk_new_lost_referring_domains/live: new / lost referring (main) domains since date_from.
//
// Computed from each target's backlinks (all statuses, subdomains and indirect links included,
// internal links excluded), grouping by domain_from and by its main domain:
//   new  = the group's earliest first_seen >= date_from and it still has a live link;
//   lost = every link of the group is lost, the latest lost_date >= date_from and the group
//          was first seen before date_from.
import { invalidField } from "../errors.js";
import { graphFor, type Link } from "../graph.js";
import { memo, selectLinks } from "../dataset.js";
import { rejectUnknown, tag, type Task } from "../params.js";
import { parseTarget } from "../targets.js";
import type { Endpoint, EndpointContext, EndpointOutput } from "./registry.js";

const PARAMS = ["targets", "date_from", "tag"] as const;
const MAX_TARGETS = 1000;

/** The same calendar day n months earlier (clamped to the month's last day), epoch ms. */
export function monthsBefore(nowMs: number, months: number): number {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last));
}

function parseDateFrom(raw: unknown, nowMs: number): number {
  if (raw === undefined || raw === null) return monthsBefore(nowMs, 1);
  const m = typeof raw === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw) : null;
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== +m[3]) throw invalidField("date_from", "Use the format yyyy-mm-dd.");
  if (ms < monthsBefore(nowMs, 12)) throw invalidField("date_from", "date_from can be at most one year before today.");
  if (ms > nowMs) throw invalidField("date_from", "date_from cannot be in the future.");
  return ms;
}

interface GroupState {
  first: number;
  live: boolean;
  lost: number;
}

function countNewLost(links: Link[], keyOf: (l: Link) => string, from: number): [number, number] {
  const groups = new Map<string, GroupState>();
  for (const l of links) {
    const k = keyOf(l);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { first: Infinity, live: false, lost: 0 }));
    if (l.first_seen < g.first) g.first = l.first_seen;
    if (l.lost_date === null) g.live = true;
    else if (l.lost_date > g.lost) g.lost = l.lost_date;
  }
  let added = 0;
  let lost = 0;
  for (const g of groups.values()) {
    if (g.live && g.first >= from) added++;
    if (!g.live && g.lost >= from && g.first < from) lost++;
  }
  return [added, lost];
}

function run(task: Task, ctx: EndpointContext): EndpointOutput {
  rejectUnknown(task, PARAMS);
  tag(task);
  const raw = task.targets;
  if (!Array.isArray(raw) || raw.length === 0) throw invalidField("targets", "Give an array of 1 to 1000 domains or URLs.");
  if (raw.length > MAX_TARGETS) throw invalidField("targets", `At most ${MAX_TARGETS} targets are allowed.`);
  const targets = raw.map((x) => {
    const t = parseTarget(x);
    if (!t) throw invalidField("targets", `${JSON.stringify(x)} is not a domain or an absolute http(s) URL.`);
    return t;
  });
  const from = parseDateFrom(task.date_from, ctx.nowMs);
  const sel = { status: "all", includeSubdomains: true, includeIndirect: true, excludeInternal: true } as const;
  const items = targets.map((t) => {
    const graph = graphFor(t, ctx.seed, ctx.nowMs);
    const [nd, ld, nm, lm] = memo(graph, `bulk_new_lost|${t.kind}|${t.host}|${t.pageKey ?? ""}|${from}`, () => {
      const links = selectLinks(graph, t, sel);
      return [...countNewLost(links, (l) => l.domain_from, from), ...countNewLost(links, (l) => l.main_from, from)];
    });
    return { target: t.raw, new_referring_domains: nd, lost_referring_domains: ld, new_referring_main_domains: nm, lost_referring_main_domains: lm };
  });
  return { result: [{ items_count: items.length, items }], rows: items.length };
}

export const bulkNewLostReferringDomainsEndpoint: Endpoint = {
  api: "backlinks",
  fn: "bulk_new_lost_referring_domains",
  method: "POST",
  path: "/v3/backlinks/bulk_new_lost_referring_domains/live",
  billable: true,
  run,
};


// The link graph over time: snapshots of the profile at given instants (a link is alive at T when
// first_seen <= T < lost date) and new / lost counts per period. One sweep over the sorted
// first-seen and lost events serves every instant, so a profile of 66,000 links costs one pass.
import { DAY_MS, type Link } from "./graph.js";
import { MAP_NAMES, type MapName } from "./dataset.js";

class RefCount {
  private m = new Map<string, number>();
  change(key: string, by: number): void {
    const n = (this.m.get(key) ?? 0) + by;
    if (n === 0) this.m.delete(key);
    else this.m.set(key, n);
  }
  get size(): number {
    return this.m.size;
  }
  copy(): Record<string, number> {
    return Object.fromEntries(this.m);
  }
}

export interface Snapshot {
  backlinks: number;
  backlinks_nofollow: number;
  broken_backlinks: number;
  broken_pages: number;
  crawled_pages: number;
  referring_domains: number;
  referring_domains_nofollow: number;
  referring_main_domains: number;
  referring_main_domains_nofollow: number;
  referring_ips: number;
  referring_subnets: number;
  referring_pages: number;
  referring_pages_nofollow: number;
  maps: Record<MapName, Record<string, number>> | null;
}

/** The profile at each instant (ascending epoch ms); counter maps only when asked for. */
export function snapshots(links: Link[], instants: number[], withMaps: boolean): Snapshot[] {
  const adds = [...links].sort((a, b) => a.first_seen - b.first_seen);
  const dels = links.filter((l) => l.lost_date !== null).sort((a, b) => a.lost_date! - b.lost_date!);
  const rc = {
    pages: new RefCount(), pagesNf: new RefCount(), domains: new RefCount(), domainsNf: new RefCount(),
    mains: new RefCount(), mainsNf: new RefCount(), ips: new RefCount(), subnets: new RefCount(),
    brokenPages: new RefCount(), crawled: new RefCount(),
  };
  const maps = Object.fromEntries(MAP_NAMES.map((n) => [n, new RefCount()])) as Record<MapName, RefCount>;
  let backlinks = 0;
  let nofollow = 0;
  let broken = 0;
  const apply = (l: Link, s: 1 | -1) => {
    backlinks += s;
    rc.pages.change(l.url_from, s);
    rc.domains.change(l.domain_from, s);
    rc.mains.change(l.main_from, s);
    rc.ips.change(l.domain_from_ip, s);
    rc.subnets.change(l.subnet, s);
    rc.crawled.change(l.url_to, s);
    if (!l.dofollow) {
      nofollow += s;
      rc.pagesNf.change(l.url_from, s);
      rc.domainsNf.change(l.domain_from, s);
      rc.mainsNf.change(l.main_from, s);
    }
    if (l.is_broken) {
      broken += s;
      rc.brokenPages.change(l.url_to, s);
    }
    if (!withMaps) return;
    maps.referring_links_tld.change(l.tld_from ?? "", s);
    maps.referring_links_types.change(l.item_type, s);
    if (l.attributes) for (const a of l.attributes) maps.referring_links_attributes.change(a, s);
    if (l.domain_from_platform_type) for (const p of l.domain_from_platform_type) maps.referring_links_platform_types.change(p, s);
    maps.referring_links_semantic_locations.change(l.semantic_location ?? "", s);
    maps.referring_links_countries.change(l.domain_from_country ?? "", s);
  };
  const out: Snapshot[] = [];
  let i = 0;
  let j = 0;
  for (const t of instants) {
    while (i < adds.length && adds[i].first_seen <= t) apply(adds[i++], 1);
    while (j < dels.length && dels[j].lost_date! <= t) apply(dels[j++], -1);
    out.push({
      backlinks, backlinks_nofollow: nofollow, broken_backlinks: broken, broken_pages: rc.brokenPages.size,
      crawled_pages: rc.crawled.size,
      referring_domains: rc.domains.size, referring_domains_nofollow: rc.domainsNf.size,
      referring_main_domains: rc.mains.size, referring_main_domains_nofollow: rc.mainsNf.size,
      referring_ips: rc.ips.size, referring_subnets: rc.subnets.size,
      referring_pages: rc.pages.size, referring_pages_nofollow: rc.pagesNf.size,
      maps: withMaps ? (Object.fromEntries(MAP_NAMES.map((n) => [n, maps[n].copy()])) as Snapshot["maps"]) : null,
    });
  }
  return out;
}

export type GroupRange = "day" | "week" | "month" | "year";

export interface Period {
  /** First day, 00:00 UTC. */
  start: number;
  /** Last day, 00:00 UTC (the date an item carries). */
  last: number;
}

/** Whole periods covering [from, to] (both 00:00 UTC); weeks run Monday to Sunday. */
export function periods(from: number, to: number, range: GroupRange): Period[] {
  const out: Period[] = [];
  const d = new Date(from);
  let start: number;
  if (range === "day") start = from;
  else if (range === "week") start = from - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  else if (range === "month") start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  else start = Date.UTC(d.getUTCFullYear(), 0, 1);
  while (start <= to) {
    const s = new Date(start);
    const next = range === "day" ? start + DAY_MS
      : range === "week" ? start + 7 * DAY_MS
      : range === "month" ? Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1)
      : Date.UTC(s.getUTCFullYear() + 1, 0, 1);
    out.push({ start, last: next - DAY_MS });
    start = next;
  }
  return out;
}

export interface NewLost {
  new_backlinks: number;
  lost_backlinks: number;
  new_referring_domains: number;
  lost_referring_domains: number;
  new_referring_main_domains: number;
  lost_referring_main_domains: number;
}

/**
 * New and lost counts per period [start, last day's end]: a backlink is new in the period holding its
 * first_seen and lost in the one holding its lost date; a referring (main) domain is new in the period
 * of its earliest first_seen and lost in the period of its latest lost date once all its links are lost.
 */
export function newLost(links: Link[], ps: Period[]): NewLost[] {
  const out: NewLost[] = ps.map(() => ({
    new_backlinks: 0, lost_backlinks: 0, new_referring_domains: 0, lost_referring_domains: 0,
    new_referring_main_domains: 0, lost_referring_main_domains: 0,
  }));
  if (ps.length === 0) return out;
  const lo = ps[0].start;
  const hi = ps[ps.length - 1].last + DAY_MS;
  const find = (t: number): number => {
    if (t < lo || t >= hi) return -1;
    let a = 0;
    let b = ps.length - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (ps[m].start <= t) a = m;
      else b = m - 1;
    }
    return a;
  };
  const groups = (keyOf: (l: Link) => string) => {
    const g = new Map<string, { first: number; live: boolean; lost: number }>();
    for (const l of links) {
      const k = keyOf(l);
      let s = g.get(k);
      if (!s) g.set(k, (s = { first: Infinity, live: false, lost: 0 }));
      if (l.first_seen < s.first) s.first = l.first_seen;
      if (l.lost_date === null) s.live = true;
      else if (l.lost_date > s.lost) s.lost = l.lost_date;
    }
    return g.values();
  };
  for (const l of links) {
    const a = find(l.first_seen);
    if (a >= 0) out[a].new_backlinks++;
    if (l.lost_date !== null) {
      const b = find(l.lost_date);
      if (b >= 0) out[b].lost_backlinks++;
    }
  }
  for (const [keyOf, n, x] of [
    [(l: Link) => l.domain_from, "new_referring_domains", "lost_referring_domains"],
    [(l: Link) => l.main_from, "new_referring_main_domains", "lost_referring_main_domains"],
  ] as const) {
    for (const s of groups(keyOf)) {
      const a = find(s.first);
      if (a >= 0) out[a][n]++;
      if (!s.live) {
        const b = find(s.lost);
        if (b >= 0) out[b][x]++;
      }
    }
  }
  return out;
}

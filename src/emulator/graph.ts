// Synthetic link graph of one target root (or one page / host), generated from seed + key + "now".
// Every backlink is a flat record; aggregates are computed from these records only.
import { Rng, hash32 } from "./rng.js";
import { domainRank } from "./ranks.js";
import { KNOWN_TARGETS, mainDomainOf, pageKeyOf, type ParsedTarget } from "./targets.js";
import {
  FAMOUS_DOMAINS, GENERIC_ANCHORS, NAME_PARTS_A, NAME_PARTS_B, SECTIONS, SENTENCE_POST, SENTENCE_PRE, SHORTENERS,
  SUBDOMAIN_PREFIXES, TOPIC_WORDS,
} from "./words.js";

export const DAY_MS = 86_400_000;

export interface IndirectHop {
  type: "redirect" | "canonical";
  status_code: number;
  url: string;
}

/** One backlink. Times are epoch milliseconds; everything else is in API form. */
export interface Link {
  id: number;
  domain_from: string;
  url_from: string;
  url_from_https: boolean;
  domain_to: string;
  url_to: string;
  url_to_https: boolean;
  tld_from: string | null;
  is_new: boolean;
  is_lost: boolean;
  backlink_spam_score: number;
  rank: number;
  page_from_rank: number;
  domain_from_rank: number;
  domain_from_platform_type: string[] | null;
  domain_from_is_ip: boolean;
  domain_from_ip: string;
  domain_from_country: string | null;
  page_from_external_links: number;
  page_from_internal_links: number;
  page_from_size: number;
  page_from_encoding: string | null;
  page_from_language: string | null;
  page_from_title: string | null;
  page_from_status_code: number;
  first_seen: number;
  prev_seen: number;
  last_seen: number;
  item_type: string;
  attributes: string[] | null;
  dofollow: boolean;
  original: boolean;
  alt: string | null;
  image_url: string | null;
  anchor: string | null;
  text_pre: string | null;
  text_post: string | null;
  semantic_location: string | null;
  links_count: number;
  is_broken: boolean;
  url_to_status_code: number | null;
  url_to_spam_score: number | null;
  url_to_redirect_target: string | null;
  kw_top_3: number;
  kw_top_10: number;
  kw_top_100: number;
  is_indirect_link: boolean;
  indirect_link_path: IndirectHop[] | null;
  /** Not in the API item: main domain of domain_from, /24 of its IP, url_to without scheme. */
  main_from: string;
  subnet: string;
  page_key_to: string;
  /** When the link was lost (equals last_seen for lost links), else null. */
  lost_date: number | null;
}

export interface Graph {
  key: string;
  root: string;
  /** Hosts of the target that carry pages. */
  hosts: string[];
  /** url_to keys (no scheme) of every target page. */
  pageKeys: Set<string>;
  links: Link[];
  /** Per-graph memo of query results (LRU by insertion order). */
  memo: Map<string, unknown>;
}

interface GraphSpec {
  key: string;
  root: string;
  links: number;
  mainHost: string;
  subHosts: string[];
  featured: { url: string; share: number }[];
  /** When set, every link points to one of these URLs. */
  fixedPages?: string[];
}

interface TargetPage {
  url: string;
  key: string;
  host: string;
  https: boolean;
  status: number | null;
  spam: number | null;
  redirect: string | null;
  broken: boolean;
}

const COUNTRY_BY_TLD: Record<string, string> = {
  "co.uk": "GB", de: "DE", fr: "FR", it: "IT", es: "ES", nl: "NL", ru: "RU", in: "IN", "co.jp": "JP", jp: "JP",
  "com.au": "AU", ca: "CA", pl: "PL", "com.br": "BR", se: "SE",
};
const LANGUAGE_BY_COUNTRY: Record<string, string> = {
  DE: "de", FR: "fr", IT: "it", ES: "es", NL: "nl", RU: "ru", JP: "ja", PL: "pl", BR: "pt", SE: "sv",
};
const TLDS: [string, number][] = [
  ["com", 55], ["net", 8], ["org", 8], ["co.uk", 4], ["de", 5], ["fr", 3], ["io", 3], ["info", 3], ["ru", 2], ["in", 2],
  ["co.jp", 1], ["com.au", 2], ["es", 2], ["it", 2], ["nl", 2], ["ca", 2], ["pl", 1], ["com.br", 1], ["se", 1], ["blog", 1],
];
const COUNTRIES: [string | null, number][] = [
  ["US", 40], [null, 18], ["WW", 6], ["GB", 6], ["DE", 5], ["CA", 4], ["IN", 4], ["AU", 3], ["FR", 3], ["NL", 2], ["SG", 2], ["IE", 2],
];
const PLATFORMS: [string[] | null, number][] = [
  [["unknown"], 30], [["cms", "blogs"], 20], [["blogs"], 10], [["news"], 8], [["ecommerce"], 8], [["cms"], 8],
  [["organization"], 6], [["message-boards"], 4], [["wikis"], 2], [["cms", "blogs", "ecommerce"], 2], [null, 2],
];
const ITEM_TYPES: [string, number][] = [
  ["anchor", 80], ["image", 9], ["redirect", 2.5], ["canonical", 2.5], ["meta", 2], ["alternate", 2], ["link", 2],
];
const LOCATIONS: [string | null, number][] = [
  ["article", 35], ["main", 15], ["section", 12], ["footer", 8], ["header", 5], ["aside", 5], ["nav", 4], ["figure", 3], [null, 13],
];

const pad = (n: number) => String(n).padStart(2, "0");

/** "yyyy-mm-dd hh:mm:ss +00:00" */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +00:00`;
}

function slug(rng: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(rng.pick(TOPIC_WORDS));
  return out.join("-");
}

function title(rng: Rng, brand: string): string {
  const words: string[] = [];
  const n = rng.int(2, 6);
  for (let i = 0; i < n; i++) {
    const w = rng.pick(TOPIC_WORDS);
    words.push(w.charAt(0).toUpperCase() + w.slice(1));
  }
  return `${words.join(" ")} | ${brand}`;
}

function ip(rng: Rng): string {
  return `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

function tldOf(host: string): string | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return null;
  const main = mainDomainOf(host);
  return main.slice(main.indexOf(".") + 1);
}

function buildTargetPages(spec: GraphSpec, rng: Rng): { pages: TargetPage[]; featuredIdx: { idx: number; share: number }[] } {
  const pages: TargetPage[] = [];
  const seen = new Set<string>();
  const add = (url: string, forced = false): number => {
    const key = pageKeyOf(url);
    if (seen.has(key)) return pages.findIndex((p) => p.key === key);
    seen.add(key);
    const host = new URL(url).hostname;
    const roll = rng.next();
    const status = forced ? 200 : roll < 0.02 ? null : roll < 0.86 ? 200 : roll < 0.93 ? 301 : roll < 0.97 ? 404 : roll < 0.985 ? 410 : 500;
    const https = url.startsWith("https://");
    pages.push({
      url,
      key,
      host,
      https,
      status,
      spam: status === null ? null : rng.chance(0.9) ? rng.int(0, 5) : rng.int(6, 40),
      redirect: status === 301 ? `https://${host}${new URL(url).pathname.replace(/\/?$/, "/")}${rng.pick(SECTIONS)}/` : null,
      broken: status !== null && status >= 400,
    });
    return pages.length - 1;
  };
  if (spec.fixedPages) {
    for (const url of spec.fixedPages) add(url, true);
    return { pages, featuredIdx: [] };
  }
  add(`https://${spec.mainHost}/`, true);
  const featuredIdx = spec.featured.map((f) => ({ idx: add(f.url, true), share: f.share }));
  const count = clamp(Math.round(spec.links / 6), 3, 12_000);
  let guard = 0;
  while (pages.length < count && guard++ < count * 4) {
    const host = spec.subHosts.length > 0 && rng.chance(0.15) ? rng.pick(spec.subHosts) : spec.mainHost;
    const scheme = rng.chance(0.88) ? "https" : "http";
    const form = rng.int(0, 3);
    let path: string;
    if (form === 0) path = `/${rng.pick(SECTIONS)}/${slug(rng, rng.int(2, 5))}/`;
    else if (form === 1) path = `/${rng.pick(SECTIONS)}/${rng.int(2012, 2025)}/${pad(rng.int(1, 12))}/${pad(rng.int(1, 28))}/${slug(rng, rng.int(3, 6))}/`;
    else if (form === 2) path = `/${slug(rng, rng.int(2, 4))}-${rng.int(100, 99999)}.html`;
    else path = `/${rng.pick(SECTIONS)}/${rng.pick(TOPIC_WORDS)}/`;
    add(`${scheme}://${host}${path}`);
  }
  return { pages, featuredIdx };
}

interface RefHost {
  name: string;
  ip: string;
  https: boolean;
}

interface RefDomain {
  name: string;
  hosts: RefHost[];
  isIp: boolean;
  tld: string | null;
  rank: number;
  country: string | null;
  language: string | null;
  platforms: string[] | null;
  spam: number;
  nofollowRate: number;
  firstSeen: number;
  lost: boolean;
  lostAt: number;
  size: number;
  brand: string;
}

function makeDomainName(rng: Rng, used: Set<string>, root: string, size: number, famous: string[]): string {
  if (size >= 40 && famous.length > 0 && rng.chance(0.6)) {
    const name = famous.shift()!;
    if (name !== root && !used.has(name)) return name;
  }
  for (;;) {
    const tld = rng.weighted(TLDS);
    let name = `${rng.pick(NAME_PARTS_A)}${rng.pick(NAME_PARTS_B)}.${tld}`;
    if (used.has(name) || name === root) name = `${rng.pick(NAME_PARTS_A)}${rng.pick(NAME_PARTS_B)}${rng.int(2, 999)}.${tld}`;
    if (!used.has(name) && name !== root) return name;
  }
}

function makeRefDomain(rng: Rng, name: string, size: number, nowMs: number, isIp: boolean): RefDomain {
  const tld = isIp ? null : name.slice(name.indexOf(".") + 1);
  const country = (tld && COUNTRY_BY_TLD[tld]) ?? rng.weighted(COUNTRIES);
  const language = rng.chance(0.03) ? null : (country && LANGUAGE_BY_COUNTRY[country]) ?? (rng.chance(0.9) ? "en" : rng.pick(["es", "de", "fr", "pt"]));
  let rank = Math.floor(1000 * Math.pow(rng.next(), 2.6));
  if (size > 20) rank = Math.max(rank, clamp(Math.floor(200 + 130 * Math.log10(size) + rng.int(0, 120)), 0, 990));
  if (FAMOUS_DOMAINS.includes(name)) rank = rng.int(700, 980);
  const spamRoll = rng.next();
  const spam = spamRoll < 0.75 ? rng.int(0, 5) : spamRoll < 0.93 ? rng.int(5, 30) : rng.int(30, 90);
  const nfRoll = rng.next();
  const nofollowRate = nfRoll < 0.6 ? 0 : nfRoll < 0.8 ? 0.1 : nfRoll < 0.9 ? 0.5 : 1;
  // 8% of domains first appear within the last 30 days; the rest over the past six years.
  const firstSeen = rng.chance(0.08)
    ? nowMs - rng.int(1, 30 * 86_400) * 1000
    : nowMs - 30 * DAY_MS - rng.int(0, 6 * 365 * 86_400) * 1000;
  const lost = rng.chance(0.1);
  const lostFloor = Math.max(firstSeen + DAY_MS, nowMs - 180 * DAY_MS);
  const lostAt = lostFloor < nowMs - DAY_MS ? lostFloor + rng.int(0, Math.floor((nowMs - DAY_MS - lostFloor) / 1000)) * 1000 : 0;
  const mainIp = ip(rng);
  const hosts: RefDomain["hosts"] = [];
  const https = rng.chance(0.8);
  if (isIp) hosts.push({ name, ip: name, https: false });
  else {
    hosts.push({ name: rng.chance(0.55) ? `www.${name}` : name, ip: mainIp, https });
    if (size > 30) {
      const extra = rng.int(1, 4);
      for (let i = 0; i < extra; i++) {
        const sub = `${SUBDOMAIN_PREFIXES[(i + rng.int(0, 9)) % SUBDOMAIN_PREFIXES.length]}.${name}`;
        if (hosts.some((h) => h.name === sub)) continue;
        const subIp = rng.chance(0.6) ? mainIp : rng.chance(0.5) ? mainIp.replace(/\.\d+$/, `.${rng.int(1, 254)}`) : ip(rng);
        hosts.push({ name: sub, ip: subIp, https });
      }
    }
  }
  const brandWord = name.split(".")[0];
  return {
    name, hosts, isIp, tld, rank, country, language, platforms: rng.weighted(PLATFORMS), spam, nofollowRate, firstSeen,
    lost: lost && lostAt > 0, lostAt, size, brand: brandWord.charAt(0).toUpperCase() + brandWord.slice(1),
  };
}

function generate(spec: GraphSpec, seed: number, nowMs: number): Graph {
  const rng = new Rng(hash32(`${seed}|${spec.key}`));
  const { pages, featuredIdx } = buildTargetPages(spec, rng);
  const links: Link[] = [];
  const graph: Graph = {
    key: spec.key,
    root: spec.root,
    hosts: [...new Set(pages.map((p) => p.host))],
    pageKeys: new Set(pages.map((p) => p.key)),
    links,
    memo: new Map(),
  };
  if (spec.links <= 0) return graph;

  const pickPage = (): TargetPage => {
    if (featuredIdx.length > 0) {
      let u = rng.next();
      for (const f of featuredIdx) {
        if (u < f.share) return pages[f.idx];
        u -= f.share;
      }
    }
    return pages[Math.min(pages.length - 1, Math.floor(pages.length * Math.pow(rng.next(), 2.2)))];
  };

  const brand = spec.root.split(".")[0];
  const brandName = brand.charAt(0).toUpperCase() + brand.slice(1);
  const used = new Set<string>();
  const famous = [...FAMOUS_DOMAINS];
  const domains: RefDomain[] = [];
  // Internal links: other hosts of the target's own domain linking to it.
  const internalHosts = spec.fixedPages ? [] : spec.subHosts.filter((h) => mainDomainOf(h) === spec.root && h !== spec.mainHost);
  let remaining = spec.links;
  if (internalHosts.length > 0 && spec.links >= 50) {
    const size = Math.max(1, Math.round(spec.links * 0.015));
    const d = makeRefDomain(rng, spec.root, size, nowMs, false);
    d.rank = domainRank(seed, spec.root);
    d.hosts = internalHosts.map((h) => ({ name: h, ip: ip(rng), https: true }));
    d.lost = false;
    d.firstSeen = nowMs - 2000 * DAY_MS;
    d.spam = 0;
    domains.push(d);
    used.add(spec.root);
    remaining -= size;
  }
  const maxSize = Math.max(5, Math.floor(spec.links / 15));
  while (remaining > 0) {
    const pareto = Math.floor(1 / Math.pow(1 - rng.next(), 1 / 1.15));
    const size = Math.min(remaining, maxSize, Math.max(1, pareto));
    const isIp = size < 5 && rng.chance(0.01);
    const name = isIp ? ip(rng) : makeDomainName(rng, used, spec.root, size, famous);
    used.add(name);
    const d = makeRefDomain(rng, name, size, nowMs, isIp);
    d.rank = domainRank(seed, name);
    domains.push(d);
    remaining -= size;
  }

  for (const d of domains) {
    const pageCount = Math.max(1, Math.ceil(d.size * 0.85));
    const fromPages: {
      url: string; host: RefHost; rank: number; title: string | null; ext: number; int: number; size: number;
      status: number; encoding: string | null; kw100: number; kw10: number; kw3: number;
    }[] = [];
    const encoding = rng.chance(0.93) ? "utf-8" : rng.pick(["iso-8859-1", "windows-1251", null]);
    for (let p = 0; p < pageCount; p++) {
      const host = d.hosts.length === 1 || rng.chance(0.8) ? d.hosts[0] : rng.pick(d.hosts);
      const path = p === 0 && rng.chance(0.3) ? "/" : rng.chance(0.5)
        ? `/${rng.pick(SECTIONS)}/${slug(rng, rng.int(2, 5))}-${p}`
        : `/${rng.int(2014, 2025)}/${pad(rng.int(1, 12))}/${slug(rng, rng.int(2, 4))}-${p}/`;
      const rank = clamp(Math.floor(d.rank * (0.25 + 0.85 * rng.next())), 0, 1000);
      const statusRoll = rng.next();
      const kw100 = Math.floor((Math.pow(rank, 1.6) / 40) * rng.next());
      const kw10 = Math.floor(kw100 * 0.3 * rng.next());
      fromPages.push({
        url: `${host.https ? "https" : "http"}://${host.name}${path}`,
        host,
        rank,
        title: rng.chance(0.04) ? null : title(rng, d.brand),
        ext: Math.floor(Math.pow(rng.next(), 2) * 150),
        int: rng.int(3, 320),
        size: rng.int(4_000, 650_000),
        status: statusRoll < 0.97 ? 200 : statusRoll < 0.985 ? 301 : 404,
        encoding,
        kw100,
        kw10,
        kw3: Math.floor(kw10 * 0.4 * rng.next()),
      });
    }
    const infoByHost = new Map(d.hosts.map((h) => [h, {
      tld: tldOf(h.name),
      main: d.isIp ? d.name : mainDomainOf(h.name),
      subnet: h.ip.slice(0, h.ip.lastIndexOf(".")),
    }]));
    for (let i = 0; i < d.size; i++) {
      const fp = i < pageCount ? fromPages[i] : rng.pick(fromPages);
      const hostInfo = infoByHost.get(fp.host)!;
      const page = pickPage();
      const itemType = rng.weighted(ITEM_TYPES);
      const nofollow = rng.chance(d.nofollowRate);
      let attributes: string[] | null;
      if (nofollow) {
        const a = rng.int(0, 3);
        attributes = a === 0 ? ["nofollow"] : a === 1 ? ["nofollow", "ugc"] : a === 2 ? ["sponsored"] : ["nofollow", "noopener"];
      } else {
        const a = rng.next();
        attributes = a < 0.85 ? null : a < 0.93 ? ["noopener"] : a < 0.97 ? ["noopener", "noreferrer"] : ["external"];
      }
      const dofollow = !nofollow;
      let anchor: string | null = null;
      let alt: string | null = null;
      let imageUrl: string | null = null;
      let textPre: string | null = null;
      let textPost: string | null = null;
      let location: string | null = null;
      if (itemType === "anchor" || itemType === "link") {
        const roll = rng.next();
        anchor = roll < 0.25 ? brandName : roll < 0.35 ? spec.root : roll < 0.45 ? page.url : roll < 0.6 ? rng.pick(GENERIC_ANCHORS)
          : roll < 0.97 ? slug(rng, rng.int(1, 4)).replace(/-/g, " ") : "";
        if (rng.chance(0.7)) {
          textPre = rng.pick(SENTENCE_PRE);
          textPost = rng.pick(SENTENCE_POST);
        }
        location = rng.weighted(LOCATIONS);
      } else if (itemType === "image") {
        alt = rng.chance(0.8) ? `${brandName} ${slug(rng, rng.int(1, 3)).replace(/-/g, " ")}` : null;
        anchor = rng.chance(0.2) ? alt : null;
        imageUrl = `${fp.host.https ? "https" : "http"}://${fp.host.name}/images/${rng.pick(TOPIC_WORDS)}-${rng.int(1, 9999)}.png`;
        location = rng.weighted(LOCATIONS);
      }
      // Timeline: the first link of a domain marks when the domain first linked.
      const horizon = d.lost ? d.lostAt : nowMs - DAY_MS;
      const firstSeen = i === 0
        ? d.firstSeen + rng.int(0, 3600) * 1000
        : d.firstSeen + Math.floor(rng.next() * Math.max(0, horizon - d.firstSeen) / 1000) * 1000;
      let lostAt: number | null = null;
      if (d.lost) {
        lostAt = Math.max(firstSeen + 3_600_000, d.lostAt - rng.int(0, 2 * 86_400) * 1000);
      } else if (rng.chance(0.05)) {
        const floor = Math.max(firstSeen + DAY_MS, nowMs - 180 * DAY_MS);
        if (floor < nowMs - DAY_MS) lostAt = floor + rng.int(0, Math.floor((nowMs - DAY_MS - floor) / 1000)) * 1000;
      }
      if (lostAt !== null && lostAt >= nowMs) lostAt = nowMs - 1000;
      const lastSeen = lostAt ?? Math.max(firstSeen, nowMs - rng.int(1, 20 * 86_400) * 1000);
      const prevSeen = firstSeen + Math.floor(((lastSeen - firstSeen) * (0.5 + 0.48 * rng.next())) / 1000) * 1000;
      let indirect: IndirectHop[] | null = null;
      if (!spec.fixedPages && rng.chance(0.04)) {
        indirect = rng.chance(0.6)
          ? [{ type: "redirect", status_code: rng.chance(0.7) ? 301 : 302, url: `https://${rng.pick(SHORTENERS)}/${rng.int(100000, 999999).toString(36)}` }]
          : [{ type: "canonical", status_code: 200, url: `${page.url}${page.url.includes("?") ? "&" : "?"}ref=${rng.pick(TOPIC_WORDS)}` }];
      }
      const linkSpam = clamp(d.spam + rng.int(-3, 6), 0, 100);
      links.push({
        id: links.length,
        domain_from: fp.host.name,
        url_from: fp.url,
        url_from_https: fp.host.https,
        domain_to: page.host,
        url_to: page.url,
        url_to_https: page.https,
        tld_from: hostInfo.tld,
        is_new: lostAt === null && firstSeen >= nowMs - 15 * DAY_MS,
        is_lost: lostAt !== null,
        backlink_spam_score: linkSpam,
        rank: clamp(Math.floor(fp.rank * (dofollow ? 0.85 : 0.3) / (1 + fp.ext / 150)), 0, 1000),
        page_from_rank: fp.rank,
        domain_from_rank: d.rank,
        domain_from_platform_type: d.platforms,
        domain_from_is_ip: d.isIp,
        domain_from_ip: fp.host.ip,
        domain_from_country: d.country,
        page_from_external_links: fp.ext,
        page_from_internal_links: fp.int,
        page_from_size: fp.size,
        page_from_encoding: fp.encoding,
        page_from_language: d.language,
        page_from_title: fp.title,
        page_from_status_code: lostAt !== null && rng.chance(0.3) ? 404 : fp.status,
        first_seen: firstSeen,
        prev_seen: prevSeen,
        last_seen: lastSeen,
        item_type: itemType,
        attributes,
        dofollow,
        original: rng.chance(0.35),
        alt,
        image_url: imageUrl,
        anchor,
        text_pre: textPre,
        text_post: textPost,
        semantic_location: location,
        links_count: rng.chance(0.88) ? 1 : rng.int(2, 6),
        is_broken: page.broken,
        url_to_status_code: page.status,
        url_to_spam_score: page.spam,
        url_to_redirect_target: page.redirect,
        kw_top_3: fp.kw3,
        kw_top_10: fp.kw10,
        kw_top_100: fp.kw100,
        is_indirect_link: indirect !== null,
        indirect_link_path: indirect,
        main_from: hostInfo.main,
        subnet: hostInfo.subnet,
        page_key_to: page.key,
        lost_date: lostAt,
      });
    }
  }
  return graph;
}

function unitHash(text: string): number {
  return hash32(text) / 4294967296;
}

const CACHE_LIMIT = 48;
const cache = new Map<string, Graph>();

function cached(seed: number, nowMs: number, spec: () => GraphSpec, key: string): Graph {
  const cacheKey = `${seed}|${nowMs}|${key}`;
  let g = cache.get(cacheKey);
  if (g) {
    cache.delete(cacheKey);
    cache.set(cacheKey, g);
    return g;
  }
  g = generate(spec(), seed, nowMs);
  cache.set(cacheKey, g);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return g;
}

/** Drop every memoised graph (tests use it to prove regeneration gives the same data). */
export function clearGraphCache(): void {
  cache.clear();
}

function rootGraph(root: string, seed: number, nowMs: number): Graph {
  return cached(seed, nowMs, () => {
    const known = KNOWN_TARGETS[root];
    if (known) return { key: `root:${root}`, root, links: known.links, mainHost: known.mainHost, subHosts: known.subHosts, featured: known.featured ?? [] };
    const u = unitHash(`${seed}|size|${root}`);
    const links = u < 0.12 ? 0 : Math.round(10 + 1490 * Math.pow((u - 0.12) / 0.88, 3));
    const www = unitHash(`${seed}|www|${root}`) < 0.6;
    return {
      key: `root:${root}`, root, links,
      mainHost: www ? `www.${root}` : root,
      subHosts: [www ? root : `www.${root}`, `blog.${root}`],
      featured: [],
    };
  }, `root:${root}`);
}

/** The graph that serves a target: the root's graph when it knows the host/page, else a small dedicated one. */
export function graphFor(target: ParsedTarget, seed: number, nowMs: number): Graph {
  const root = rootGraph(target.root, seed, nowMs);
  if (target.kind === "page") {
    if (root.pageKeys.has(target.pageKey!)) return root;
    const key = `page:${target.pageKey}`;
    return cached(seed, nowMs, () => {
      const u = unitHash(`${seed}|${key}`);
      return {
        key, root: target.root, links: u < 0.12 ? 0 : Math.round(5 + 195 * Math.pow((u - 0.12) / 0.88, 2)),
        mainHost: target.host, subHosts: [], featured: [], fixedPages: [target.raw.trim()],
      };
    }, key);
  }
  const h = target.host;
  if (h === root.root || root.hosts.some((x) => x === h || x.endsWith(`.${h}`))) return root;
  const key = `host:${h}`;
  return cached(seed, nowMs, () => {
    const u = unitHash(`${seed}|${key}`);
    return { key, root: target.root, links: u < 0.12 ? 0 : Math.round(5 + 395 * Math.pow((u - 0.12) / 0.88, 2)), mainHost: h, subHosts: [], featured: [] };
  }, key);
}

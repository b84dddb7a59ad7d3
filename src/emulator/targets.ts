// Target strings: what kind they are (domain or page) and which synthetic graph serves them.

const TWO_LEVEL_SUFFIXES = new Set([
  "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "com.au", "net.au", "org.au", "co.jp", "ne.jp", "or.jp",
  "com.br", "com.mx", "co.in", "co.nz", "co.za", "com.tr", "com.cn", "com.sg", "com.ar", "co.kr", "com.ua",
]);

const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export interface ParsedTarget {
  kind: "domain" | "page";
  /** Lower-case host of the target. */
  host: string;
  /** Registrable ("main") domain of the host. */
  root: string;
  /** For pages: the URL without its scheme, used for matching url_to. */
  pageKey?: string;
  raw: string;
}

export function mainDomainOf(host: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  const parts = host.split(".");
  if (parts.length <= 2) return host;
  const lastTwo = parts.slice(-2).join(".");
  return TWO_LEVEL_SUFFIXES.has(lastTwo) ? parts.slice(-3).join(".") : lastTwo;
}

export function isValidDomain(host: string): boolean {
  return DOMAIN_RE.test(host);
}

/** Strip the scheme so http and https forms of a page compare equal. */
export function pageKeyOf(url: string): string {
  return url.replace(/^https?:\/\//i, "");
}

/** Parse a target; null when it is neither a bare domain nor an absolute http(s) URL. */
export function parseTarget(raw: unknown): ParsedTarget | null {
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  if (text.length === 0 || text.length > 2000) return null;
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    const host = url.hostname.toLowerCase();
    if (!isValidDomain(host)) return null;
    return { kind: "page", host, root: mainDomainOf(host), pageKey: pageKeyOf(text), raw };
  }
  const host = text.toLowerCase();
  if (!isValidDomain(host)) return null;
  return { kind: "domain", host, root: mainDomainOf(host), raw };
}

export interface KnownTarget {
  /** Number of backlinks generated for the root (live and lost). */
  links: number;
  /** Host most target pages live on. */
  mainHost: string;
  /** Other subdomains with pages. */
  subHosts: string[];
  /** Pages that receive a fixed share of all links. */
  featured?: { url: string; share: number }[];
}

/** The targets used in the documentation examples, with sizes chosen for the emulator. */
export const KNOWN_TARGETS: Record<string, KnownTarget> = {
  "forbes.com": { links: 66_000, mainHost: "www.forbes.com", subHosts: ["forbes.com", "blogs.forbes.com", "councils.forbes.com"] },
  "cnn.com": { links: 18_000, mainHost: "www.cnn.com", subHosts: ["edition.cnn.com", "money.cnn.com"] },
  "bbc.com": { links: 16_000, mainHost: "www.bbc.com", subHosts: ["bbc.com", "news.bbc.com"] },
  "yelp.com": { links: 12_000, mainHost: "www.yelp.com", subHosts: ["m.yelp.com", "biz.yelp.com"] },
  "ibm.com": { links: 10_000, mainHost: "www.ibm.com", subHosts: ["developer.ibm.com", "research.ibm.com"] },
  "backlinko.com": { links: 6_000, mainHost: "backlinko.com", subHosts: ["www.backlinko.com"] },
  "trustpilot.com": { links: 9_000, mainHost: "www.trustpilot.com", subHosts: ["uk.trustpilot.com", "business.trustpilot.com"] },
  "apple.com": {
    links: 12_000,
    mainHost: "www.apple.com",
    subHosts: ["support.apple.com", "developer.apple.com"],
    featured: [{ url: "https://www.apple.com/iphone/", share: 0.12 }],
  },
  "ahrefs.com": {
    links: 8_000,
    mainHost: "ahrefs.com",
    subHosts: ["www.ahrefs.com", "help.ahrefs.com"],
    featured: [{ url: "https://ahrefs.com/blog/", share: 0.15 }],
  },
  "variety.com": { links: 7_000, mainHost: "variety.com", subHosts: ["www.variety.com"], featured: [{ url: "https://variety.com/", share: 0.1 }] },
  "stackoverflow.com": {
    links: 9_000,
    mainHost: "stackoverflow.com",
    subHosts: ["meta.stackoverflow.com"],
    featured: [{ url: "https://stackoverflow.com/", share: 0.1 }],
  },
  "dataforseo.com": { links: 2_500, mainHost: "dataforseo.com", subHosts: ["app.dataforseo.com", "docs.dataforseo.com"] },
};

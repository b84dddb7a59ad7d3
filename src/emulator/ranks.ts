// One rank per domain: a deterministic value per seed and host, used wherever the domain appears
// (domain_from_rank of its links, its rows in referring_domains / competitors / intersections,
// bulk_ranks and its own summary).
import { hash32 } from "./rng.js";
import { KNOWN_TARGETS } from "./targets.js";
import { FAMOUS_DOMAINS } from "./words.js";

function unit(text: string): number {
  return hash32(text) / 4294967296;
}

const FAMOUS = new Set(FAMOUS_DOMAINS);

/** Rank of a host on the 0–1000 scale. */
export function domainRank(seed: number, host: string): number {
  const u = unit(`${seed}|rank|${host}`);
  if (KNOWN_TARGETS[host]) return 780 + Math.floor(u * 200);
  if (FAMOUS.has(host)) return 700 + Math.floor(u * 281);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return Math.floor(300 * u);
  return Math.min(900, Math.floor(1000 * Math.pow(u, 2.2)));
}

/** Spam score (0–100) of a target host, as bulk_spam_score and summary's info.target_spam_score report it. */
export function targetSpamScore(seed: number, host: string): number {
  const u = unit(`${seed}|spam|${host}`);
  return u < 0.75 ? Math.floor(u * 8) : u < 0.93 ? 6 + Math.floor((u - 0.75) * 130) : 30 + Math.floor((u - 0.93) * 850);
}

const SERVERS = ["nginx", "Apache", "cloudflare", "Microsoft-IIS/10.0", "LiteSpeed"];
const CMS = ["WordPress", null, "Drupal", null, "Shopify", "Ghost", null];
const PLATFORMS = [["cms", "blogs"], ["news"], ["ecommerce"], ["organization"], ["unknown"]];
const COUNTRIES = ["US", "US", "US", "GB", "DE", "CA", "FR", "NL"];

/** The `info` object of a target's summary, derived from seed + host. */
export function targetInfo(seed: number, host: string): Record<string, unknown> {
  const h = hash32(`${seed}|info|${host}`);
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(host);
  return {
    server: SERVERS[h % SERVERS.length],
    cms: CMS[(h >>> 4) % CMS.length],
    platform_type: PLATFORMS[(h >>> 8) % PLATFORMS.length],
    ip_address: isIp ? host : `${23 + ((h >>> 12) % 180)}.${(h >>> 3) % 256}.${(h >>> 17) % 256}.${1 + ((h >>> 21) % 253)}`,
    country: COUNTRIES[(h >>> 24) % COUNTRIES.length],
    is_ip: isIp,
    target_spam_score: targetSpamScore(seed, host),
  };
}

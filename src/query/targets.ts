// Checks of `target` / `targets` values before anything is sent (and billed).
import { sanitizeText } from "../output/sanitize.js";

/** The forms a target may take, for tool descriptions. */
export const TARGET_FORMS =
  "a domain (forbes.com), a subdomain (blog.forbes.com) or an absolute page URL with http:// or https:// (https://forbes.com/page)";
/** The forms for endpoints that take a domain only (history, time series, domain_pages). */
export const DOMAIN_TARGET_FORMS = "a domain (forbes.com) or a subdomain (blog.forbes.com), without http:// or https://";

/** Longest URL accepted (browsers and crawlers give up well before this). */
export const MAX_URL_LENGTH = 2048;
/** Longest host name (DNS limit). */
export const MAX_HOST_LENGTH = 253;

export interface TargetOptions {
  /** The endpoint takes a domain or subdomain only, never a URL. */
  domainOnly?: boolean;
}

export interface TargetListOptions extends TargetOptions {
  max: number;
}

/** Our own paging handles: "bl_" and 12 base64url characters. */
const PAGING_HANDLE = /^bl_[A-Za-z0-9_-]{12}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]{0,20}):/;
/** Whitespace, controls, format characters: never part of a target. */
const BAD_CHARS = /[\s\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Z}]/u;
/** One host label: letters (any script), marks, digits, hyphens inside; 1 to 63 characters. */
const LABEL = /^[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_-]{0,61}[\p{L}\p{M}\p{N}_])?$/u;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;

function quote(value: string): string {
  return `'${sanitizeText(value, 80)}'`;
}

function expected(opts: TargetOptions | undefined): string {
  return opts?.domainOnly ? DOMAIN_TARGET_FORMS : TARGET_FORMS;
}

/** Problem with a bare host name, or undefined. */
function hostProblem(host: string): string | undefined {
  if (host.length === 0) return "has no domain";
  if (host.length > MAX_HOST_LENGTH) return `has a domain of ${host.length} characters; at most ${MAX_HOST_LENGTH}`;
  if (IPV4.test(host)) {
    return host.split(".").every((part) => Number(part) <= 255) ? undefined : "is not a valid IPv4 address";
  }
  const labels = (host.endsWith(".") ? host.slice(0, -1) : host).split(".");
  if (labels.length < 2) return "has no dot; a domain looks like forbes.com";
  for (const label of labels) {
    if (!LABEL.test(label)) return `has an invalid domain part ${quote(label)}`;
  }
  return undefined;
}

/**
 * [] when `value` is a usable target; otherwise one message that says what is wrong and which
 * form is expected. `param` names the parameter in the message ("target", "targets[2]").
 */
export function checkTarget(value: unknown, param: string, opts?: TargetOptions): string[] {
  const forms = expected(opts);
  if (typeof value !== "string" || value.length === 0) {
    return [`${param} must be ${forms}`];
  }
  if (value.length > MAX_URL_LENGTH) {
    return [`${param} is ${value.length} characters long; at most ${MAX_URL_LENGTH} are allowed. Give ${forms}`];
  }
  if (PAGING_HANDLE.test(value)) {
    return [
      `${param} ${quote(value)} is a paging handle, not a target; pass it to backlinks_next_page as search_after_token, or give ${forms}`,
    ];
  }
  if (BAD_CHARS.test(value)) {
    return [`${param} ${quote(value)} contains spaces or control characters; give ${forms}`];
  }
  const scheme = SCHEME.exec(value);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== "http" && name !== "https") {
      return [`${param} ${quote(value)} has the scheme '${sanitizeText(name, 20)}:'; give ${forms}`];
    }
    if (opts?.domainOnly) {
      const host = hostOf(value);
      const fix = host ? `; use '${sanitizeText(host, 80)}'` : "";
      return [`${param} ${quote(value)} is a URL, but this tool takes ${DOMAIN_TARGET_FORMS}${fix}`];
    }
    if (!value.slice(scheme[0].length).startsWith("//")) {
      return [`${param} ${quote(value)} is not an absolute URL; write ${name}://host/path, or give ${forms}`];
    }
    if (/^[/]*$/.test(value.slice(scheme[0].length))) {
      return [`${param} ${quote(value)} has no domain; give ${forms}`];
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return [`${param} ${quote(value)} is not a valid URL; give ${forms}`];
    }
    if (url.hostname.length === 0) return [`${param} ${quote(value)} has no domain; give ${forms}`];
    if (url.username || url.password) {
      return [`${param} must not contain a user name or password; give ${forms}`];
    }
    const host = url.hostname.startsWith("[") ? undefined : hostProblem(url.hostname);
    return host ? [`${param} ${quote(value)} ${host}; give ${forms}`] : [];
  }
  if (value.includes("/") || value.includes("?") || value.includes("#")) {
    const slash = value.search(/[/?#]/);
    const host = value.slice(0, slash);
    if (opts?.domainOnly) {
      return [`${param} ${quote(value)} has a path, but this tool takes ${DOMAIN_TARGET_FORMS}; use '${sanitizeText(host, 80)}'`];
    }
    if (value.slice(slash) === "/") {
      return [`${param} ${quote(value)}: for the whole domain write '${sanitizeText(host, 80)}'; for the homepage only, 'https://${sanitizeText(host, 80)}/'`];
    }
    return [`${param} ${quote(value)} looks like a page without a scheme; a page needs an absolute URL: 'https://${sanitizeText(value, 80)}'`];
  }
  if (value.includes(":")) {
    return [`${param} ${quote(value)} contains ':'; give ${forms}`];
  }
  const problem = hostProblem(value);
  return problem ? [`${param} ${quote(value)} ${problem}; give ${forms}`] : [];
}

/** The host name of a URL, or undefined when it cannot be parsed. */
function hostOf(value: string): string | undefined {
  try {
    return new URL(value).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** The key two targets share when they mean the same thing (case-insensitive scheme and host). */
function sameTargetKey(value: string): string {
  const scheme = SCHEME.exec(value);
  if (!scheme) return value.toLowerCase().replace(/\.$/, "");
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  } catch {
    return value;
  }
}

/**
 * [] when `list` is a non-empty array of at most `max` usable targets with no duplicates;
 * otherwise one message per problem (a duplicate would be billed twice).
 */
export function checkTargetList(list: unknown, param: string, opts: TargetListOptions): string[] {
  const forms = expected(opts);
  if (!Array.isArray(list) || list.length === 0) {
    return [`${param} must be a non-empty list of targets, each ${forms}`];
  }
  if (list.length > opts.max) {
    return [`${param} has ${list.length} targets; at most ${opts.max} are allowed. Split them over several calls`];
  }
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < list.length && out.length < 10; i++) {
    const item = list[i];
    const problems = checkTarget(item, `${param}[${i}]`, opts);
    if (problems.length > 0) {
      out.push(...problems);
      continue;
    }
    const key = sameTargetKey(item as string);
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(
        `${param}[${i}] ${quote(item as string)} repeats ${param}[${first}]; remove the duplicate (each target is billed)`,
      );
      continue;
    }
    seen.set(key, i);
  }
  return out;
}

/**
 * A one-line note when a valid target's form probably is not what was meant, or undefined.
 * Not a refusal: the call goes ahead as asked.
 */
export function targetNote(value: string): string | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_URL_LENGTH) return undefined;
  const scheme = SCHEME.exec(value);
  if (scheme) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if ((url.pathname === "/" || url.pathname === "") && url.search === "" && url.hash === "") {
      const domain = url.hostname.replace(/^www\./i, "");
      return `note: ${sanitizeText(value, 120)} is the homepage only; use ${sanitizeText(domain, 120)} for the whole domain`;
    }
    return undefined;
  }
  if (/^www\./i.test(value) && value.length > 4) {
    const v = sanitizeText(value, 120);
    return `note: ${v} is that subdomain only; use ${sanitizeText(value.slice(4), 120)} for the whole domain`;
  }
  return undefined;
}

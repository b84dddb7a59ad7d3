// Upstream failures as one error type, with advice for every DataForSEO status code.
import statusCodes from "../data/status-codes.json" with { type: "json" };

export type ErrorKind =
  | "config"
  | "auth"
  | "funds"
  | "subscription"
  | "validation"
  | "rate_limit"
  | "upstream"
  | "timeout"
  | "network"
  | "bad_response"
  | "cancelled"
  | "closed"
  | "queue_timeout";

/**
 * Whether DataForSEO may have charged for a failed call:
 * - "none": provably not billed (the request never reached DataForSEO, or DataForSEO's own
 *   envelope answered with an error code and cost 0);
 * - "billed": DataForSEO reported a cost (in `cost`);
 * - "unknown": the request was (or may have been) delivered and no trustworthy cost came back
 *   (timeouts and resets after sending, 3xx, gateway pages, unreadable bodies). Such a call
 *   counts as possibly billed at its worst-case estimate and is never repeated automatically.
 */
export type Billing = "none" | "billed" | "unknown";

export interface UpstreamErrorInit {
  kind: ErrorKind;
  /** What happened, already sanitised (no secrets). */
  message: string;
  code?: number;
  httpStatus?: number;
  apiMessage?: string;
  advice?: string;
  attempts?: number;
  cost?: number;
  retryable?: boolean;
  /** Defaults to "billed" when cost > 0, else "none". */
  billing?: Billing;
}

/**
 * Every failure of a DataForSEO call. `retryable` means the fault is transient: the same call
 * may succeed later (the client has already retried it where that was safe).
 */
export class UpstreamError extends Error {
  kind: ErrorKind;
  code?: number;
  httpStatus?: number;
  apiMessage?: string;
  advice: string;
  attempts: number;
  /** USD DataForSEO reported for this call (0 unless billing is "billed"). */
  cost: number;
  retryable: boolean;
  billing: Billing;

  constructor(init: UpstreamErrorInit) {
    super(init.message);
    this.name = "UpstreamError";
    this.kind = init.kind;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.apiMessage = init.apiMessage;
    this.attempts = init.attempts ?? 0;
    this.cost = init.cost ?? 0;
    this.retryable = init.retryable ?? false;
    this.billing = init.billing ?? (this.cost > 0 ? "billed" : "none");
    this.advice = init.advice ?? adviceForKind(init.kind, init.code);
  }
}

interface CodeRow {
  code: number;
  message: string;
  category: string;
  meaning: string;
  retry: string;
}

const ROWS = new Map<number, CodeRow>((statusCodes.codes as CodeRow[]).map((r) => [r.code, r]));

/** Body codes the client retries (only when the response cost nothing). */
export const RETRY_CODES: ReadonlySet<number> = new Set([40202, 40209, 50000, 50301, 50401]);

export function codeInfo(code: number): { message: string; category: string; meaning: string; retry: string } | undefined {
  return ROWS.get(code);
}

/** The error kind for a DataForSEO status code (top level or task level). */
export function kindForCode(code: number): ErrorKind {
  switch (code) {
    case 40100:
    case 40104:
    case 40201:
    case 40207:
      return "auth";
    case 40200:
    case 40203:
    case 40210:
      return "funds";
    case 40204:
      return "subscription";
    case 40202:
    case 40209:
    case 40205:
    case 40206:
      return "rate_limit";
  }
  const row = ROWS.get(code);
  if (row) {
    switch (row.category) {
      case "auth":
      case "account":
        return "auth";
      case "billing":
        return "funds";
      case "subscription":
        return "subscription";
      case "throttle":
      case "limit":
        return "rate_limit";
      case "request":
      case "validation":
      case "path":
      case "sandbox":
        return "validation";
      default:
        return "upstream";
    }
  }
  // Unknown codes: 4xxxx are request problems, everything else is DataForSEO's side.
  return code >= 40000 && code < 50000 ? "validation" : "upstream";
}

/** Whether a code describes a transient fault (trying the same call later may work). */
export function isTransientCode(code: number): boolean {
  if (RETRY_CODES.has(code)) return true;
  const row = ROWS.get(code);
  if (row) return /^(yes|later|poll later|maybe)/.test(row.retry);
  return code >= 50000;
}

const CREDENTIALS =
  "Check DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD in the MCP server's env: the password is the API password shown on the dashboard's API access page (https://app.dataforseo.com/api-access), not the account password.";
const LIMITS = "lower DATAFORSEO_MAX_CONCURRENCY or DATAFORSEO_RATE_PER_MINUTE";
const SERVER_SIDE = "This is on DataForSEO's side and was not billed; try again in a few minutes.";

/** Advice for one DataForSEO status code: what the user can do, in one or two sentences. */
export function adviceFor(code: number, context: { field?: string; attempts?: number } = {}): string {
  const retried =
    context.attempts !== undefined && context.attempts > 1
      ? `Retried ${context.attempts - 1} time${context.attempts === 2 ? "" : "s"} without success; `
      : "";
  switch (code) {
    case 20000:
    case 20100:
      return "No action needed.";
    case 40000:
    case 40006:
      return "Send one task per request to live endpoints; this is a client bug worth reporting.";
    case 40100:
      return CREDENTIALS;
    case 40104:
      return `Verify your DataForSEO account in the dashboard (https://app.dataforseo.com/) first. ${CREDENTIALS}`;
    case 40201:
      return "Your DataForSEO account was blocked for suspicious activity; contact DataForSEO support.";
    case 40200:
    case 40210:
      return "Top up the balance of your DataForSEO account (https://app.dataforseo.com/), then run the call again.";
    case 40203:
      return "The daily cost limit set in the DataForSEO dashboard (API settings → API limits) was reached; raise it there or wait for the daily reset.";
    case 40204:
      return "Activate the Backlinks subscription in the DataForSEO dashboard (https://app.dataforseo.com/backlinks-subscription); Backlinks API calls are refused without it.";
    case 40202:
    case 40209:
      return `${retried || "DataForSEO's limit was hit; "}wait a minute or ${LIMITS}.`;
    case 40205:
    case 40206:
      return "The duplicate-task limit in the DataForSEO dashboard (API settings → API limits) was reached; raise it there or wait before repeating the same call.";
    case 40207:
      return "Your IP is not on the account's whitelist: add it in the DataForSEO dashboard (API settings → API access).";
    case 40400:
    case 40402:
      return "The endpoint path was not recognised; check DATAFORSEO_BASE_URL and that this server version supports the endpoint.";
    case 40501:
      return context.field
        ? `Remove or correct the field '${context.field}' (see the tool's parameter list for valid names and values), then call again.`
        : "Correct the field the message names (see the tool's parameter list for valid names and values), then call again.";
    case 40503:
    case 40506:
      return "The request body was refused; check the parameters against the tool's description and call again.";
    case 50000:
    case 50301:
    case 50401:
      return `${retried}${SERVER_SIDE}`;
  }
  const row = ROWS.get(code);
  const category = row?.category ?? (code >= 50000 ? "server" : code >= 40000 ? "request" : "unknown");
  switch (category) {
    case "success":
      return "No action needed.";
    case "request":
    case "validation":
      return "Fix the parameters named in the message and call again; repeating it unchanged will fail the same way.";
    case "path":
      return "The task or path was not found; check the parameters (or the cursor, which may have expired) and call again.";
    case "sandbox":
      return "The sandbox has no prepared data for this call; use the live API or the --demo emulator.";
    case "auth":
    case "account":
      return CREDENTIALS;
    case "billing":
      return "Check the balance and limits of your DataForSEO account in the dashboard.";
    case "subscription":
      return "Activate the matching subscription in the DataForSEO dashboard.";
    case "throttle":
    case "limit":
      return `Wait a minute or ${LIMITS}.`;
    case "empty":
      return "DataForSEO found nothing for this query; try another target or wider filters.";
    case "partial":
      return "DataForSEO returned partial results; run the call again later for complete data.";
    case "state":
      return "The task is still running on DataForSEO's side; try again in a minute.";
    case "transient":
    case "upstream":
      return `${retried}The task failed on DataForSEO's side; try again shortly.`;
    case "server":
      return `${retried}${SERVER_SIDE}`;
    default:
      return "Check the DataForSEO status message; if it persists, contact DataForSEO support.";
  }
}

/** Advice for errors that carry no DataForSEO status code. */
export function adviceForKind(kind: ErrorKind, code?: number): string {
  if (code !== undefined) return adviceFor(code);
  switch (kind) {
    case "config":
      return "Set DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD (DATAFORSEO_USERNAME is accepted for the login) in the MCP server's env, or start it with --demo to try the tools on synthetic data.";
    case "auth":
      return CREDENTIALS;
    case "funds":
      return "Top up the balance of your DataForSEO account, then run the call again.";
    case "subscription":
      return "Activate the Backlinks subscription in the DataForSEO dashboard.";
    case "validation":
      return "Check the parameters against the tool's description and call again.";
    case "rate_limit":
      return `Wait a minute or ${LIMITS}.`;
    case "upstream":
      return "DataForSEO had a problem answering; try again in a few minutes.";
    case "timeout":
      return "Try again later, ask for fewer rows (a smaller limit), or raise DATAFORSEO_TIMEOUT_MS.";
    case "network":
      return "Check the network connection to DataForSEO (and DATAFORSEO_BASE_URL), then try again.";
    case "bad_response":
      return "DataForSEO sent a response that could not be read; try again later. A proxy or captive portal between you and the API can cause this.";
    case "cancelled":
      return "The call was cancelled; nothing more to do.";
    case "closed":
      return "The server is shutting down; restart it to make more calls.";
    case "queue_timeout":
      return `Too many calls are waiting; make fewer calls at once, or raise DATAFORSEO_MAX_CONCURRENCY (at most 30) or DATAFORSEO_RATE_PER_MINUTE if your account allows more.`;
  }
}

/** Removes anything that looks like a Basic credential, in case a secret reached a string. */
export function scrubAuthHeaders(text: string): string {
  return text.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{4,}/gi, "$1 [redacted]");
}

/** The full message a tool shows for an error. Never contains credentials. */
export function describeError(err: UpstreamError): string {
  const parts: string[] = [];
  if (err.code !== undefined) {
    const api = err.apiMessage ?? codeInfo(err.code)?.message;
    parts.push(`DataForSEO error ${err.code}${api ? ` (${api})` : ""}: ${err.message}`);
  } else {
    parts.push(`DataForSEO ${LABELS[err.kind]}: ${err.message}`);
  }
  // The HTTP status adds nothing to a DataForSEO code carried by a normal 200 answer.
  const showHttp = err.httpStatus !== undefined && (err.code === undefined || err.httpStatus !== 200);
  if (showHttp && !/\bHTTP \d{3}\b/.test(err.message)) parts.push(`HTTP ${err.httpStatus}.`);
  if (err.attempts > 1) parts.push(`Requests sent: ${err.attempts}.`);
  if (err.cost > 0) parts.push(`This call cost $${err.cost}.`);
  else if (err.billing === "unknown") {
    parts.push("DataForSEO may have run (and billed) this call, so it was not repeated automatically and counts as possibly billed.");
  }
  parts.push(`Advice: ${err.advice}`);
  return scrubAuthHeaders(parts.map((p) => p.trim()).map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(" "));
}

const LABELS: Record<ErrorKind, string> = {
  config: "not configured",
  auth: "authentication failed",
  funds: "billing problem",
  subscription: "subscription missing",
  validation: "request refused",
  rate_limit: "rate limit",
  upstream: "upstream error",
  timeout: "timeout",
  network: "network error",
  bad_response: "bad response",
  cancelled: "call cancelled",
  closed: "client closed",
  queue_timeout: "queue timeout",
};

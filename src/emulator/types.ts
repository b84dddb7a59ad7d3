// Public types of the emulator (kept apart so the CLI and server can import them without cycles).

export type FaultKind =
  | "http500" | "http502_html" | "http429" | "reset" | "truncated" | "slow_body" | "hang"
  | "code40202" | "code40209" | "code50000" | "code50301" | "code50401" | "code40204" | "code40210" | "code40100"
  | "reset_after_bill" | "hang_after_bill" | "http502_after_bill" | "redirect_result";

export const FAULT_KINDS: readonly FaultKind[] = [
  "http500", "http502_html", "http429", "reset", "truncated", "slow_body", "hang",
  "code40202", "code40209", "code50000", "code50301", "code50401", "code40204", "code40210", "code40100",
  "reset_after_bill", "hang_after_bill", "http502_after_bill", "redirect_result",
];

/**
 * Faults applied after the request was executed and billed: the account is charged, then
 * reset_after_bill destroys the socket, hang_after_bill never answers, http502_after_bill answers a
 * gateway's 502 HTML page and redirect_result answers 302 with the normal result envelope as body.
 */
export const AFTER_BILL_FAULTS: readonly FaultKind[] = ["reset_after_bill", "hang_after_bill", "http502_after_bill", "redirect_result"];

export interface FaultConfig {
  kind: FaultKind;
  /** Fail only the first N requests (after setFault), then serve normally; default: every request. */
  count?: number;
  /** For http429: Retry-After header value (default 1). */
  retryAfterSec?: number;
  /** For slow_body: total time spent trickling the body (default 2000). */
  slowBodyMs?: number;
}

export interface EmulatorOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default "demo". */
  login?: string;
  /** Default "demo". */
  password?: string;
  /** More accounts beside login/password, each with its own balance (a team of tenants in hosted tests). */
  moreAccounts?: readonly { login: string; password: string }[];
  /** Default 1. */
  seed?: number;
  /** Reference "today" (its UTC date is used) for the data and date checks; default: the current UTC date. */
  now?: Date;
  /** Added before every answer; default 0. */
  latencyMs?: number;
  fault?: FaultConfig | null;
  /** What each account starts with, in USD (default 100). */
  depositUsd?: number;
  /** Scales the per-request and per-row prices (default 1). */
  priceMultiplier?: number;
}

export interface EmulatorStats {
  requests: number;
  inFlight: number;
  peakInFlight: number;
  /** The same per account (login), for requests whose credentials open one. */
  peakInFlightByAccount: Record<string, number>;
  byPath: Record<string, number>;
  /** USD charged to the account since start / resetStats (after-bill faults included). */
  billedUsd: number;
  /** Requests that charged the account anything. */
  billedRequests: number;
}

export interface Emulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  stats(): EmulatorStats;
  resetStats(): void;
  setFault(fault: FaultConfig | null): void;
  setLatency(ms: number): void;
  /** Scale the prices of later requests (per request and per row); 1 restores the price table. */
  setPriceMultiplier(m: number): void;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

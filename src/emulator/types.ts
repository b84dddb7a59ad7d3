// Public types of the emulator (kept apart so the CLI and server can import them without cycles).

export type FaultKind =
  | "http500" | "http502_html" | "http429" | "reset" | "truncated" | "slow_body" | "hang"
  | "code40202" | "code40209" | "code50000" | "code50301" | "code50401" | "code40204" | "code40210" | "code40100";

export const FAULT_KINDS: readonly FaultKind[] = [
  "http500", "http502_html", "http429", "reset", "truncated", "slow_body", "hang",
  "code40202", "code40209", "code50000", "code50301", "code50401", "code40204", "code40210", "code40100",
];

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
  /** Default 1. */
  seed?: number;
  /** Reference "today" (its UTC date is used) for the data and date checks; default: the current UTC date. */
  now?: Date;
  /** Added before every answer; default 0. */
  latencyMs?: number;
  fault?: FaultConfig | null;
}

export interface EmulatorStats {
  requests: number;
  inFlight: number;
  peakInFlight: number;
  byPath: Record<string, number>;
}

export interface Emulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  stats(): EmulatorStats;
  resetStats(): void;
  setFault(fault: FaultConfig | null): void;
  setLatency(ms: number): void;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

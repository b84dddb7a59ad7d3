// The pieces every call of the pipeline shares, wired once per server: client, cursors, cache, ledger,
// budget, calls in flight, the account's identity for cache keys, and the logger.
import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config.js";
import { DataForSeoClient } from "../dataforseo/client.js";
import { PagingStore } from "../paging/paging-store.js";
import { Ledger } from "../spend/ledger.js";
import { Budget } from "../spend/budget.js";
import { ResponseCache } from "../spend/cache.js";
import { VERSION } from "../version.js";

/** What the cache keeps of one successful call: the task's result object. */
export interface CachedResult {
  result: Record<string, unknown>;
  costUsd: number;
}

export interface Fetched {
  result: Record<string, unknown>;
  costUsd: number;
  source: "api" | "cache";
  cacheAgeMs?: number;
}

export type Logger = (level: "error" | "info" | "debug", line: string) => void;

export interface Deps {
  config: Config;
  client: DataForSeoClient;
  cursors: PagingStore;
  cache: ResponseCache<CachedResult>;
  ledger: Ledger;
  budget: Budget;
  /** Upstream calls under way, by cache key, so identical concurrent calls share one. */
  inflight: Map<string, Promise<Fetched | CallToolResult>>;
  /** Identifies the account in cache keys without containing the credentials. */
  credentialId: string;
  log: Logger;
  /** Whether the connected client declared elicitation (set by createServer once connected). */
  clientSupportsElicitation: () => boolean;
}

let stderrBroken = false;

export function makeLogger(config: Config): Logger {
  const order = { silent: 0, error: 1, info: 2, debug: 3 } as const;
  const max = order[config.logLevel];
  // A closed stderr (the client went away) must not turn every log line into a new error.
  if (process.stderr.listenerCount("error") === 0) process.stderr.on("error", () => (stderrBroken = true));
  return (level, line) => {
    if (stderrBroken || order[level] > max) return;
    try {
      process.stderr.write(`backlinks-mcp ${level}: ${line}\n`);
    } catch {
      stderrBroken = true;
    }
  };
}

/** A hash that names the account in keys and records, never the credentials themselves. */
export function accountId(baseUrl: string, login: string | undefined): string {
  return createHash("sha256").update(`${baseUrl}\n${login ?? ""}`).digest("hex").slice(0, 16);
}

export function createDeps(config: Config): Deps {
  const log = makeLogger(config);
  const ledger = new Ledger();
  const client = new DataForSeoClient({
    baseUrl: config.baseUrl,
    login: config.login,
    password: config.password,
    maxConcurrency: config.maxConcurrency,
    ratePerMinute: config.ratePerMinute,
    maxRetries: config.maxRetries,
    timeoutMs: config.timeoutMs,
    userAgent: `backlinks-mcp/${VERSION}`,
    log: (line: string) => log("debug", line),
  });
  return {
    config,
    client,
    cursors: new PagingStore({
      ttlMs: config.cursorTtlMs,
      maxBytes: config.cursorMaxBytes,
      maxInMemory: config.cursorMax,
      maxSpillBytes: config.cursorSpillMaxBytes,
    }),
    cache: new ResponseCache<CachedResult>({ ttlMs: config.cacheTtlMs, maxBytes: config.cacheMaxBytes }),
    ledger,
    budget: new Budget(config.maxCostUsd, ledger),
    inflight: new Map(),
    credentialId: accountId(config.baseUrl, config.login),
    log,
    clientSupportsElicitation: () => false,
  };
}

// The pieces every call of the pipeline shares, wired once per server: client, cursors, cache, ledger,
// budget, calls in flight, the account's identity for cache keys, and the logger.
import { ENV_CAP_NAMES, type CapNames } from "../spend/account-cap.js";
import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config.js";
import { DataForSeoClient, type ClientOptions } from "../dataforseo/client.js";
import { PagingStore } from "../paging/paging-store.js";
import { Ledger } from "../spend/ledger.js";
import { Budget } from "../spend/budget.js";
import { PriceBook } from "../spend/pricing.js";
import { SharedCalls } from "../dataforseo/shared.js";
import { FileSpendStore } from "../state/file-spend-store.js";
import { accountKey, type SpendCaps, type SpendStore } from "../state/spend-store.js";
import { toNanos } from "../spend/units.js";
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
  shared: SharedCalls<Fetched | CallToolResult>;
  /** The highest prices known per endpoint function (table, user_data, learned from costs). */
  prices: PriceBook;
  /** Spend of the DataForSEO account that outlives the process: daily and monthly caps. */
  spendStore: SpendStore;
  /** The account's key in the spend store (a hash of the login). */
  account: string;
  accountCaps: SpendCaps;
  /** Where the daily and monthly caps are set, as a refusal or backlinks_usage tells the user. */
  capNames: CapNames;
  /** Largest worst case one call may have (hosted tenants' per-call cap); none by default. */
  perCallCapUsd?: number;
  /** Persistent settlements still being written. */
  pendingWrites: Set<Promise<unknown>>;
  /** Reads user_data's price list once per process (free); resolves when done or failed. */
  loadPrices(): Promise<void>;
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

/** The client's options from the configuration (credentials, limits, retries, timeout, debug log). */
export function clientOptions(config: Config, log: Logger): ClientOptions {
  return {
    baseUrl: config.baseUrl,
    login: config.login,
    password: config.password,
    maxConcurrency: config.maxConcurrency,
    ratePerMinute: config.ratePerMinute,
    maxRetries: config.maxRetries,
    timeoutMs: config.timeoutMs,
    userAgent: `backlinks-mcp/${VERSION}`,
    // The client writes a line per request; at any level below debug they are not built at all.
    log: config.logLevel === "debug" ? (line: string) => log("debug", line) : undefined,
  };
}

/** Reads user_data's price list into `prices` once (free); later calls get the same promise. */
export function priceLoader(client: Pick<DataForSeoClient, "hasCredentials" | "get">, prices: PriceBook, log: Logger): () => Promise<void> {
  let loaded: Promise<void> | undefined;
  return () => {
    loaded ??= client.hasCredentials
      ? client
          .get("/v3/appendix/user_data")
          .then((res) => {
            const n = prices.acceptUserData(res.task.result?.[0]);
            log("debug", `user_data: prices of ${n} functions`);
          })
          .catch(() => log("info", "user_data prices unavailable; using the built-in table and learned prices"))
      : Promise.resolve();
    return loaded;
  };
}

export function createDeps(config: Config): Deps {
  const log = makeLogger(config);
  const ledger = new Ledger();
  const client = new DataForSeoClient(clientOptions(config, log));
  const prices = new PriceBook();
  return {
    config,
    client,
    shared: new SharedCalls<Fetched | CallToolResult>(),
    prices,
    spendStore: new FileSpendStore({ dir: config.stateDir }),
    // Caps are per DataForSEO account: every server with this login shares them.
    account: accountKey(config.login ?? ""),
    accountCaps: {
      dailyNanos: config.dailyMaxCostUsd === undefined ? undefined : toNanos(config.dailyMaxCostUsd),
      monthlyNanos: config.monthlyMaxCostUsd === undefined ? undefined : toNanos(config.monthlyMaxCostUsd),
    },
    capNames: ENV_CAP_NAMES,
    pendingWrites: new Set(),
    loadPrices: priceLoader(client, prices, log),
    cursors: new PagingStore({
      ttlMs: config.cursorTtlMs,
      maxBytes: config.cursorMaxBytes,
      maxInMemory: config.cursorMax,
      maxSpillBytes: config.cursorSpillMaxBytes,
    }),
    cache: new ResponseCache<CachedResult>({ ttlMs: config.cacheTtlMs, maxBytes: config.cacheMaxBytes }),
    ledger,
    budget: new Budget(config.maxCostUsd, ledger),
    credentialId: accountId(config.baseUrl, config.login),
    log,
    clientSupportsElicitation: () => false,
  };
}

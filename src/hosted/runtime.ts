import { ENV_CAP_NAMES, TENANT_CAP_NAMES } from "../spend/account-cap.js";
import { randomId } from "../state/random-id.js";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config.js";
import { SharedCalls } from "../dataforseo/shared.js";
import { PAGE_HANDLE_PREFIX, PagingStore, CursorTooLargeError, type CursorLookup, type PageState } from "../paging/paging-store.js";
import { Budget } from "../spend/budget.js";
import { ResponseCache, cacheKey } from "../spend/cache.js";
import { Ledger } from "../spend/ledger.js";
import { PriceBook } from "../spend/pricing.js";
import { checkArgs } from "../tools/check.js";
import { NEXT_TOOL } from "../tools/define.js";
import type { EndpointTool } from "../tools/define.js";
import { accountId, clientOptions, makeLogger, priceLoader, type CachedResult, type Deps, type Fetched, type Logger } from "../tools/deps.js";
import { ENDPOINT_TOOLS } from "../tools/endpoints/index.js";
import { apiTask } from "../tools/rows.js";
import { HostedClient } from "./client.js";
import { HostedSpendStore } from "./spend-store.js";
import { StateUnavailableError, type HostedState, type MapBounds, type Namespace } from "./state.js";
import type { Tenant } from "./tenants.js";

/** A tenant's long-lived pieces in this process; every request of the tenant runs on them. */
export interface TenantRuntime {
  tenant: Tenant;
  ns: Namespace;
  config: Config;
  client: HostedClient;
  state: HostedState;
  /** Deps shared by the tenant's requests; each request adds its own cursors and cache view. */
  base: Omit<Deps, "cursors" | "cache">;
  credentialId: string;
  log: Logger;
  /** Cursors issued while the shared state was unreachable: kept by this replica only. */
  localCursors: PagingStore;
}

/** The tenant of a server without a tenants file (loopback only): the stdio behaviour. */
export const LOCAL_TENANT = "local";

const TOOLS = new Map<string, EndpointTool>(ENDPOINT_TOOLS.map((t) => [t.name, t]));

export function createTenantRuntime(config: Config, tenant: Tenant, state: HostedState): TenantRuntime {
  const tenantConfig: Config = {
    ...config,
    login: tenant.login,
    password: tenant.password,
    toolsets: tenant.toolsets ?? config.toolsets,
    // Each tenant's export files (and the resources that list them) in its own folder.
    exportDir: tenant.name === LOCAL_TENANT ? config.exportDir : join(config.exportDir, tenant.name),
  };
  const log = makeLogger(config);
  const credentialId = accountId(config.baseUrl, tenant.login);
  const ns: Namespace = { tenant: tenant.name, account: credentialId };
  const client = new HostedClient(clientOptions(tenantConfig, log), {
    state,
    ns,
    maxInFlight: config.maxConcurrency,
    ratePerMinute: config.ratePerMinute,
    log,
  });
  // The process's tally of this tenant (the running total every reply shows, DATAFORSEO_MAX_COST_USD).
  const ledger = new Ledger();
  const prices = new PriceBook();
  const base: TenantRuntime["base"] = {
    config: tenantConfig,
    client,
    ledger,
    budget: new Budget(config.maxCostUsd, ledger),
    shared: new SharedCalls<Fetched | CallToolResult>(),
    prices,
    // A hold lasts as long as its call can: every attempt and backoff, plus a margin.
    spendStore: new HostedSpendStore(state, tenant.name, config.timeoutMs * (config.maxRetries + 2) + 60_000),
    account: credentialId,
    accountCaps: { dailyNanos: tenant.dailyNanos, monthlyNanos: tenant.monthlyNanos },
    // Without a tenants file the one local tenant has the environment's caps.
    capNames: tenant.name === LOCAL_TENANT ? ENV_CAP_NAMES : TENANT_CAP_NAMES,
    perCallCapUsd: tenant.perCallNanos === undefined ? undefined : tenant.perCallNanos / 1e9,
    pendingWrites: new Set(),
    loadPrices: priceLoader(client, prices, log),
    credentialId,
    log,
    clientSupportsElicitation: () => false,
  };
  const localCursors = new PagingStore({
    ttlMs: config.cursorTtlMs,
    maxBytes: config.cursorMaxBytes,
    maxInMemory: config.cursorMax,
    maxSpillBytes: config.cursorSpillMaxBytes,
  });
  return { tenant, ns, config: tenantConfig, client, state, base, credentialId, log, localCursors };
}

/** What one request reads from the shared state before it runs. */
export interface Preloaded {
  cursors: Map<string, PageState>;
  cache: Map<string, { value: CachedResult; ageMs: number }>;
  /** Handles the store could not be asked about (it was unreachable). */
  unreadableCursors: Set<string>;
}

interface RpcRequest {
  method?: unknown;
  params?: { name?: unknown; arguments?: unknown };
}

/** The upstream task an endpoint tool call will send, if its arguments pass the checks. */
function taskOf(tool: EndpointTool, raw: unknown): Record<string, unknown> | undefined {
  const parsed = tool.input.safeParse(raw ?? {});
  if (!parsed.success) return undefined;
  const args = parsed.data as Record<string, unknown>;
  if (checkArgs(tool, args).length > 0) return undefined;
  return apiTask(tool, args);
}

/** Loads the cursors and cache entries the request's tool calls will read. Never throws. */
export async function preload(rt: TenantRuntime, messages: unknown[]): Promise<Preloaded> {
  const out: Preloaded = { cursors: new Map(), cache: new Map(), unreadableCursors: new Set() };
  const keys: string[] = [];
  let calls = 0;
  for (const m of messages) {
    const req = m as RpcRequest;
    if (req?.method !== "tools/call" || typeof req.params?.name !== "string") continue;
    calls += 1;
    const name = req.params.name;
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    if (name === NEXT_TOOL && typeof args.search_after_token === "string") {
      const handle = args.search_after_token;
      let state: PageState | undefined;
      try {
        state = await rt.state.getCursor(rt.ns, handle);
      } catch {
        out.unreadableCursors.add(handle);
        continue;
      }
      if (!state) continue;
      out.cursors.set(handle, state);
      const tool = TOOLS.get(state.tool);
      if (tool && state.held === null && state.next) {
        const task = apiTask(tool, state.args);
        if (state.next.searchAfterToken !== undefined) task.search_after_token = state.next.searchAfterToken;
        else if (state.next.offset !== undefined) task.offset = state.next.offset;
        keys.push(cacheKey(tool.ref.path, task, rt.credentialId));
      }
      continue;
    }
    const tool = TOOLS.get(name);
    const task = tool ? taskOf(tool, args) : undefined;
    if (tool && task) keys.push(cacheKey(tool.ref.path, task, rt.credentialId));
  }
  if (calls === 0) return out;
  const jobs: Promise<unknown>[] = keys.map(async (key) => {
    const hit = await rt.state.getCached(rt.ns, key).catch(() => undefined);
    if (hit) out.cache.set(key, hit);
  });
  await Promise.all(jobs);
  return out;
}

/**
 * Paging cursors kept in the shared state: a next page can land on any replica. Reads go to the
 * state (the request's cursor was loaded before it ran); a new cursor is in the state before the
 * reply that hands out its handle leaves.
 */
class SharedCursors extends PagingStore {
  constructor(
    private readonly rt: TenantRuntime,
    private readonly known: Map<string, PageState>,
  ) {
    super({ ttlMs: rt.config.cursorTtlMs, maxBytes: rt.config.cursorMaxBytes, maxInMemory: rt.config.cursorMax });
  }

  override async issue(state: PageState): Promise<string> {
    const problem = this.problem(state.args, state.next?.searchAfterToken);
    if (problem) throw problem;
    const bounds = cursorBounds(this.rt.config);
    const bytes = JSON.stringify(state).length * 2;
    if (bytes > bounds.maxBytes) throw new CursorTooLargeError("rows", bytes, bounds.maxBytes);
    const handle = PAGE_HANDLE_PREFIX + randomId(9);
    try {
      await this.rt.state.putCursor(this.rt.ns, handle, state, bounds);
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      // Paid rows are never dropped: this replica keeps them until the store is back.
      this.rt.log("error", "a paging cursor is kept by this replica only: the shared state is unreachable");
      return this.rt.localCursors.issue(state);
    }
    this.known.set(handle, state);
    return handle;
  }

  override async get(handleOrToken: string): Promise<CursorLookup> {
    const known = this.known.get(handleOrToken);
    if (known) return { found: true, state: known };
    const local = await this.rt.localCursors.get(handleOrToken);
    if (local.found) return local;
    const state = await this.rt.state.getCursor(this.rt.ns, handleOrToken);
    return state ? { found: true, state } : { found: false, reason: "unknown" };
  }

  override async close(): Promise<void> {}
}

/** Cache of one request: entries it loaded, plus entries it stores (written to the state on flush). */
class RequestCache extends ResponseCache<CachedResult> {
  constructor(
    private readonly known: Map<string, { value: CachedResult; ageMs: number }>,
    private readonly onSet: (key: string, value: CachedResult) => void,
    ttlMs: number,
    maxBytes: number,
  ) {
    super({ ttlMs, maxBytes });
  }

  override get(key: string): { value: CachedResult; ageMs: number } | undefined {
    return this.known.get(key);
  }

  override set(key: string, value: CachedResult): void {
    if (!this.enabled) return;
    this.known.set(key, { value, ageMs: 0 });
    this.onSet(key, value);
  }
}

export interface RequestDeps {
  deps: Deps;
  /** Writes what the request produced to the shared state; resolves when it is stored. */
  flush(): Promise<void>;
}

export function cursorBounds(config: Config): MapBounds {
  return { ttlMs: config.cursorTtlMs, maxEntries: config.cursorMax, maxBytes: config.cursorMaxBytes };
}

export function cacheBounds(config: Config): MapBounds {
  // Entries are bounded by bytes; the count bound only stops a flood of tiny ones.
  return { ttlMs: config.cacheTtlMs, maxEntries: 100_000, maxBytes: config.cacheMaxBytes };
}

export function requestDeps(rt: TenantRuntime, loaded: Preloaded): RequestDeps {
  const pending: Promise<void>[] = [];
  const cache = new RequestCache(
    loaded.cache,
    (key, value) =>
      pending.push(
        rt.state.putCached(rt.ns, key, value, cacheBounds(rt.config)).catch((err: unknown) => {
          rt.log("error", `a cache entry could not be written to the shared state${err instanceof StateUnavailableError ? " (unreachable)" : ""}`);
        }),
      ),
    rt.config.cacheTtlMs,
    rt.config.cacheMaxBytes,
  );
  const deps: Deps = { ...rt.base, cursors: new SharedCursors(rt, loaded.cursors), cache };
  return {
    deps,
    async flush() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}

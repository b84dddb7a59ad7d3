// A tenant's pieces in hosted mode and the Deps one HTTP request runs the pipeline with.
//
// Every request gets a fresh server over its tenant's long-lived client. Cursors and cache entries
// live in the HostedState (memory or Redis), so any replica can serve any request: before the
// request runs, what it will read (the cursor it names, the cache entry of the upstream page it
// asks for) is loaded from the state; what it writes (new cursors with their held paid rows, new
// cache entries) is written back before its response leaves (see flush()).
import { randomBytes } from "node:crypto";
import type { Config } from "../config.js";
import { CursorStore, HANDLE_PREFIX, type CursorState } from "../paging/cursors.js";
import { Budget } from "../spend/budget.js";
import { ResponseCache, cacheKey } from "../spend/cache.js";
import { Ledger } from "../spend/ledger.js";
import { fromNanos, toNanos } from "../spend/units.js";
import { checkArgs, NEXT_TOOL } from "../tools/check.js";
import type { EndpointTool } from "../tools/define.js";
import { accountId, makeLogger, type CachedResult, type Deps, type Fetched, type Logger } from "../tools/deps.js";
import { ENDPOINT_TOOLS } from "../tools/endpoints/index.js";
import { apiTask } from "../tools/rows.js";
import { VERSION } from "../version.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { HostedClient } from "./client.js";
import { StateUnavailableError, type HostedState, type MapBounds, type Namespace } from "./state.js";
import type { Tenant } from "./tenants.js";

export interface TenantRuntime {
  tenant: Tenant;
  ns: Namespace;
  config: Config;
  client: HostedClient;
  inflight: Map<string, Promise<Fetched | CallToolResult>>;
  credentialId: string;
  state: HostedState;
  log: Logger;
}

const TOOLS = new Map<string, EndpointTool>(ENDPOINT_TOOLS.map((t) => [t.name, t]));

export function createTenantRuntime(config: Config, tenant: Tenant, state: HostedState): TenantRuntime {
  const tenantConfig: Config = {
    ...config,
    login: tenant.login,
    password: tenant.password,
    // Caps are the tenant's, enforced in the shared store by the client, not per process.
    maxCostUsd: undefined,
    toolsets: tenant.toolsets ?? config.toolsets,
  };
  const log = makeLogger(config);
  const credentialId = accountId(config.baseUrl, tenant.login);
  const ns: Namespace = { tenant: tenant.name, account: credentialId };
  const client = new HostedClient(
    {
      baseUrl: config.baseUrl,
      login: tenant.login,
      password: tenant.password,
      maxConcurrency: config.maxConcurrency,
      ratePerMinute: config.ratePerMinute,
      maxRetries: config.maxRetries,
      timeoutMs: config.timeoutMs,
      userAgent: `backlinks-mcp/${VERSION}`,
      log: (line: string) => log("debug", line),
    },
    {
      state,
      ns,
      caps: { dailyNanos: tenant.dailyNanos, monthlyNanos: tenant.monthlyNanos },
      perCallNanos: tenant.perCallNanos,
      processCapNanos: config.maxCostUsd === undefined ? undefined : toNanos(config.maxCostUsd),
      maxInFlight: config.maxConcurrency,
      ratePerMinute: config.ratePerMinute,
      log,
    },
  );
  return { tenant, ns, config: tenantConfig, client, inflight: new Map(), credentialId, state, log };
}

/** What one request reads from the shared state before it runs. */
export interface Preloaded {
  cursors: Map<string, CursorState>;
  cache: Map<string, { value: CachedResult; ageMs: number }>;
  spentTodayNanos: number;
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
  const out: Preloaded = { cursors: new Map(), cache: new Map(), spentTodayNanos: 0, unreadableCursors: new Set() };
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
      let state: CursorState | undefined;
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
  jobs.push(
    rt.state.totals(rt.ns).then(
      (t) => (out.spentTodayNanos = t.todayNanos),
      () => undefined,
    ),
  );
  await Promise.all(jobs);
  return out;
}

/** Cursors of one request: those it loaded, plus those it issues (written to the state on flush). */
class RequestCursors extends CursorStore {
  constructor(
    private readonly known: Map<string, CursorState>,
    private readonly onIssue: (handle: string, state: CursorState) => void,
    ttlMs: number,
  ) {
    super({ max: Number.MAX_SAFE_INTEGER, ttlMs });
  }

  override issue(state: CursorState): string {
    const handle = HANDLE_PREFIX + randomBytes(9).toString("base64url");
    this.known.set(handle, state);
    this.onIssue(handle, state);
    return handle;
  }

  override get(handleOrToken: string): CursorState | undefined {
    return this.known.get(handleOrToken);
  }
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

/** The request's ledger: this request's calls on top of what the tenant spent today before it. */
class RequestLedger extends Ledger {
  constructor(private readonly baseNanos: number) {
    super();
  }

  override get spentUsd(): number {
    return fromNanos(this.baseNanos + super.spentNanos);
  }

  override get spentNanos(): number {
    return this.baseNanos + super.spentNanos;
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
  const note = (what: string) => (err: unknown) => {
    rt.log("error", `${what} could not be written to the shared state${err instanceof StateUnavailableError ? " (unreachable)" : ""}`);
  };
  const cursors = new RequestCursors(
    loaded.cursors,
    (handle, state) => pending.push(rt.state.putCursor(rt.ns, handle, state, cursorBounds(rt.config)).catch(note("a paging cursor"))),
    rt.config.cursorTtlMs,
  );
  const cache = new RequestCache(
    loaded.cache,
    (key, value) => pending.push(rt.state.putCached(rt.ns, key, value, cacheBounds(rt.config)).catch(note("a cache entry"))),
    rt.config.cacheTtlMs,
    rt.config.cacheMaxBytes,
  );
  const ledger = new RequestLedger(loaded.spentTodayNanos);
  const deps: Deps = {
    config: rt.config,
    client: rt.client,
    cursors,
    cache,
    ledger,
    budget: new Budget(undefined, ledger),
    inflight: rt.inflight,
    credentialId: rt.credentialId,
    log: rt.log,
  };
  return {
    deps,
    async flush() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}


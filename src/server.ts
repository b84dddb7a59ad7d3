// createServer: an McpServer with every tool registered on the one pipeline.
import { createHash } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Config } from "./config.js";
import { DataForSeoClient } from "./dataforseo/client.js";
import { UpstreamError, describeError } from "./dataforseo/errors.js";
import { CursorStore } from "./paging/cursors.js";
import { Ledger } from "./spend/ledger.js";
import { Budget } from "./spend/budget.js";
import { ResponseCache } from "./spend/cache.js";
import { format as formatParam, fields as fieldsParam } from "./tools/params.js";
import { ENDPOINT_TOOLS } from "./tools/index.js";
import { runEndpoint, runNextPage, usageText, errorResult, type Deps, type CachedResult } from "./tools/run.js";
import { NEXT_TOOL } from "./tools/present.js";
import type { EndpointSpec } from "./tools/spec.js";

export const VERSION = "0.1.0";

const ANNOTATIONS = { readOnlyHint: true, openWorldHint: true, idempotentHint: true } as const;

/**
 * The structured result of every list tool (items only with format json). Kept small on purpose: it is
 * advertised in tools/list on every turn. Further keys (tool, subject, total_count, rows_from, rows_shown,
 * total_cost_usd, source, cache_age_s, demo) are present but not declared.
 */
const listOutput = z.looseObject({
  cost_usd: z.number(),
  next: z.string().nullable(),
  items: z.array(z.looseObject({})).optional(),
});

interface Listed {
  name: string;
  title: string;
  description: string;
  input: z.ZodType;
  output?: z.ZodType;
  annotations: Tool["annotations"];
}

/** Drop keys that constrain nothing ("properties": {}, "additionalProperties": {}). */
function pruneNoops(node: unknown): void {
  if (!node || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  for (const key of ["properties", "additionalProperties"]) {
    const v = obj[key];
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) delete obj[key];
  }
  for (const v of Object.values(obj)) pruneNoops(v);
}

/** JSON Schema as advertised: draft-07 like the SDK's own conversion, minus the per-tool "$schema" line and no-ops. */
function advertised(schema: z.ZodType): Tool["inputSchema"] {
  const json = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as Record<string, unknown>;
  delete json.$schema;
  pruneNoops(json);
  return json as Tool["inputSchema"];
}

export interface ServerParts {
  server: McpServer;
  deps: Deps;
  /** Stop accepting calls and abort in-flight upstream requests after the grace period. */
  close(graceMs?: number): Promise<void>;
}

let stderrBroken = false;

export function makeLogger(config: Config): Deps["log"] {
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
    cursors: new CursorStore({ max: config.cursorMax, ttlMs: config.cursorTtlMs, maxBytes: config.cursorMaxBytes }),
    cache: new ResponseCache<CachedResult>({ ttlMs: config.cacheTtlMs, maxBytes: config.cacheMaxBytes }),
    ledger,
    budget: new Budget(config.maxCostUsd, ledger),
    inflight: new Map(),
    credentialId: createHash("sha256")
      .update(`${config.baseUrl}\n${config.login ?? ""}`)
      .digest("hex")
      .slice(0, 16),
    log,
  };
}

function guard<A>(deps: Deps, name: string, fn: (args: A, extra: Parameters<typeof runEndpoint>[3]) => Promise<ReturnType<typeof errorResult>>) {
  return async (args: A, extra: Parameters<typeof runEndpoint>[3]) => {
    try {
      return await fn(args, extra);
    } catch (err) {
      // Nothing thrown may escape as a protocol error or crash; never include secrets.
      const message = err instanceof UpstreamError ? describeError(err) : "internal error while handling the call";
      deps.log("error", `${name}: ${err instanceof Error ? err.name : "error"}`);
      return errorResult(`${name} failed: ${message}`);
    }
  };
}

export function createServer(config: Config, deps: Deps = createDeps(config)): ServerParts {
  const server = new McpServer(
    { name: "backlinks-mcp", version: VERSION },
    {
      instructions:
        "DataForSEO Backlinks tools. Every call costs money (shown in each reply); results are compact tables. Follow the footer's backlinks_next_page call for more rows.",
    },
  );
  const specs = new Map<string, EndpointSpec>(ENDPOINT_TOOLS.map((s) => [s.name, s]));
  const listed: Listed[] = [];

  for (const spec of ENDPOINT_TOOLS) {
    const inputSchema = z.strictObject({ ...spec.params, format: formatParam, fields: fieldsParam });
    listed.push({ name: spec.name, title: spec.title, description: spec.description, input: inputSchema, output: listOutput, annotations: ANNOTATIONS });
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema,
        outputSchema: listOutput,
        annotations: ANNOTATIONS,
      },
      guard(deps, spec.name, (args: Record<string, unknown>, extra) => runEndpoint(deps, spec, args, extra)),
    );
  }

  const nextPage = {
    title: "Next page",
    description: "Next rows of an earlier backlinks_* result: pass the search_after_token from its footer. Rows already fetched cost nothing.",
    inputSchema: z.strictObject({
      search_after_token: z.string().min(1),
      format: z.enum(["text", "json"]).optional(),
    }),
    outputSchema: listOutput,
    annotations: ANNOTATIONS,
  };
  listed.push({ name: NEXT_TOOL, ...nextPage, input: nextPage.inputSchema, output: listOutput });
  server.registerTool(
    NEXT_TOOL,
    nextPage,
    guard(deps, NEXT_TOOL, (args: { search_after_token: string; format?: "text" | "json" }, extra) =>
      runNextPage(deps, specs, args.search_after_token, args.format, extra),
    ),
  );

  const usage = {
    title: "Spend and balance",
    description: "Money spent by this server (calls, cache hits, budget left) and the DataForSEO balance. Free.",
    inputSchema: z.strictObject({}),
    annotations: { readOnlyHint: true, openWorldHint: true },
  };
  listed.push({ name: "backlinks_usage", ...usage, input: usage.inputSchema });
  server.registerTool(
    "backlinks_usage",
    usage,
    guard(deps, "backlinks_usage", async (_args: Record<string, never>, extra) => {
      let account: Record<string, unknown> | undefined;
      let accountError: string | undefined;
      if (deps.client.hasCredentials) {
        try {
          const res = await deps.client.get("/v3/appendix/user_data", { signal: extra?.signal });
          account = summariseUserData(res.task.result?.[0]);
        } catch (err) {
          accountError = err instanceof UpstreamError ? describeError(err) : "could not read account data";
        }
      } else {
        accountError = "no credentials set (DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)";
      }
      const t = deps.ledger.totals();
      return {
        content: [{ type: "text", text: usageText(deps, account, accountError) }],
        _meta: { cost_usd: 0, total_cost_usd: t.spentUsd },
      };
    }),
  );

  // tools/list is sent to the model on every turn: serve it once-built and without per-tool boilerplate
  // ("$schema", "execution"). Calls still go through the SDK's registered handlers and validation.
  let toolList: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    toolList ??= listed.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: advertised(t.input),
      ...(t.output ? { outputSchema: advertised(t.output) as Tool["outputSchema"] } : {}),
      annotations: t.annotations,
    }));
    return { tools: toolList };
  });

  return {
    server,
    deps,
    async close(graceMs = 2000) {
      await deps.client.close(graceMs);
      await server.close();
    },
  };
}

/** The few account figures worth showing, from GET /v3/appendix/user_data. */
export function summariseUserData(data: unknown): Record<string, unknown> | undefined {
  if (!data || typeof data !== "object") return undefined;
  const d = data as Record<string, any>;
  const out: Record<string, unknown> = {};
  if (d.money && typeof d.money.balance === "number") out.balance_usd = d.money.balance;
  const minute = d.rates?.limits?.minute;
  if (typeof minute === "number") out.rate_limit_per_minute = minute;
  if (d.backlinks_subscription_expiry_date !== undefined) out.backlinks_subscription_expiry = d.backlinks_subscription_expiry_date;
  return out;
}

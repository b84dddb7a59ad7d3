// createServer: an McpServer with every tool registered on the one pipeline, the toolsets the user
// chose advertised, and tools/list served lean (it is paid for in context on every turn).
import { readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ConfigError, type Config } from "./config.js";
import { UpstreamError, describeError } from "./dataforseo/errors.js";
import { ENDPOINT_TOOLS } from "./tools/endpoints/index.js";
import { ENDPOINTS } from "./reference/endpoints.js";
import { defaultsText, limitsOf } from "./tools/schema.js";
import { NEXT_TOOL, type EndpointTool } from "./tools/define.js";
import { createDeps, type Deps } from "./tools/deps.js";
import { errorResult, invalidArgs, type Extra } from "./tools/result.js";
import { usageText, summariseUserData } from "./tools/usage.js";
import { argumentProblems } from "./tools/arguments.js";
import { ALWAYS_ON, toolsetsOf, resolveToolsets } from "./tools/toolsets.js";
import { VERSION } from "./version.js";
import { registerWorkflows } from "./workflows/index.js";

export { VERSION, createDeps };

/** The pipeline (checks, money, output) loads on the first call: start-up and tools/list do not need it. */
let pipelineLoaded: Promise<typeof import("./tools/pipeline.js")> | undefined;
function pipeline(): Promise<typeof import("./tools/pipeline.js")> {
  pipelineLoaded ??= import("./tools/pipeline.js");
  return pipelineLoaded;
}

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

/** Arguments reach our handlers as sent; each tool checks them against its strict schema itself. */
const ANY_ARGS = z.looseObject({});

export interface Listed {
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

/** "minLength": 1 and "minItems": 1 say nothing a model needs (the handler still enforces them). */
function pruneMinimums(node: unknown): void {
  if (!node || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  if (obj.minLength === 1) delete obj.minLength;
  if (obj.minItems === 1) delete obj.minItems;
  for (const v of Object.values(obj)) pruneMinimums(v);
}

const BOUNDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "maxLength", "maxItems", "default", "pattern"];

/**
 * Bounds of the top-level parameters that are not said per tool: documented limits shared by every endpoint
 * (said once in the instructions, with the date format) and our own guards (2,048-character strings,
 * confirm_cost_usd ≤ 1,000,000).
 * Limits that differ between endpoints stay. Nested objects (custom_mode) keep theirs.
 */
function pruneBounds(json: Record<string, unknown>, keep: ReadonlySet<string>): void {
  const props = json.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, prop] of Object.entries(props ?? {})) {
    if (keep.has(name)) {
      if (prop.maximum === Number.MAX_SAFE_INTEGER) delete prop.maximum;
      if (prop.minimum === 0) delete prop.minimum;
      continue;
    }
    for (const key of BOUNDS) delete prop[key];
  }
}

/** JSON Schema as advertised: draft-07 like the SDK's own conversion, minus the per-tool "$schema" line, no-ops and bounds said elsewhere. */
export function advertised(schema: z.ZodType): Tool["inputSchema"] {
  const json = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as Record<string, unknown>;
  delete json.$schema;
  pruneNoops(json);
  pruneMinimums(json);
  pruneBounds(json, LIMITS.varying);
  // The handler refuses unknown arguments itself (free, with the nearest name); saying so costs every turn.
  if (json.additionalProperties === false) delete json.additionalProperties;
  return json as Tool["inputSchema"];
}

type Schemas = Pick<Tool, "inputSchema" | "outputSchema">;

/**
 * The schemas `npm run build` converted (dist/advertised.json, written by scripts/postbuild.mjs from
 * this same code): converting zod to JSON Schema in a fresh process is most of the first tools/list's
 * time. Absent (running from source) or unreadable, they are converted here.
 */
let prebuilt: Map<string, Schemas> | null | undefined;
function prebuiltSchemas(): Map<string, Schemas> | null {
  if (prebuilt !== undefined) return prebuilt;
  try {
    const file = JSON.parse(readFileSync(new URL("./advertised.json", import.meta.url), "utf8")) as { version?: string; tools?: Record<string, Schemas> };
    prebuilt = file.version === VERSION && file.tools ? new Map(Object.entries(file.tools)) : null;
  } catch {
    prebuilt = null;
  }
  return prebuilt;
}

/** The schemas of one listed tool as advertised. */
export function schemasOf(t: Listed, useBuilt = true): Schemas {
  const built = useBuilt ? prebuiltSchemas()?.get(t.name) : undefined;
  if (built && Boolean(built.outputSchema) === Boolean(t.output)) return built;
  return {
    inputSchema: advertised(t.input),
    ...(t.output ? { outputSchema: advertised(t.output) as Tool["outputSchema"] } : {}),
  };
}

function listTools(listed: readonly Listed[]): Tool[] {
  return listed.map((t) => ({ name: t.name, title: t.title, description: t.description, ...schemasOf(t), annotations: t.annotations }));
}

export interface ServerParts {
  server: McpServer;
  deps: Deps;
  /** The tools advertised in tools/list (with toolsets "all", every tool: the build's schema file). */
  listed: readonly Listed[];
  /** Their names. */
  advertisedTools: readonly string[];
  /** Stop accepting calls and abort in-flight upstream requests after the grace period. */
  close(graceMs?: number): Promise<void>;
}

export type Handler = (args: Record<string, unknown>, extra: Extra) => Promise<CallToolResult>;

/** Registers one tool on the server, advertised when one of its toolsets is enabled; args arrive checked against `input`. */
export type RegisterTool = (entry: Listed, toolsets: readonly string[], input: z.ZodObject, handler: Handler) => void;

/** What a module that adds tools, prompts or resources gets (workflows). */
export interface ServerContext {
  server: McpServer;
  deps: Deps;
  tools: ReadonlyMap<string, EndpointTool>;
  register: RegisterTool;
  enabledToolsets: ReadonlySet<string>;
  /** Hears every tool call whose arguments passed their schema (name, checked arguments). */
  onToolCall(listener: (name: string, args: Record<string, unknown>) => void): void;
}

/** Nothing thrown may escape as a protocol error or crash; never include secrets. */
function guard(deps: Deps, name: string, fn: Handler): Handler {
  return async (args, extra) => {
    try {
      return await fn(args, extra);
    } catch (err) {
      const message = err instanceof UpstreamError ? describeError(err) : "internal error while handling the call";
      deps.log("error", `${name}: ${err instanceof Error ? err.name : "error"}`);
      return errorResult(`${name} failed: ${message}`);
    }
  };
}

const LIMITS = limitsOf(ENDPOINTS);

/** Said once per server instead of in every schema: what the tools share. */
export const INSTRUCTIONS = [
  "DataForSEO Backlinks tools. Every call costs money (each reply shows it): start with backlinks_summary, keep limit small, pick columns with fields (dot paths).",
  "target/targets: domains without https:// or www., or page URLs, unless a tool says otherwise. Dates yyyy-mm-dd.",
  'filters: [field,op,value], or [[..],"and"|"or",[..]] nested to group, ≤8 conditions; ops = <> < <= > >= in like ilike regex match (and not_ forms), has/has_not on lists; like uses %. order_by: ["field,desc"]. backlinks_filters: the same on backlink fields, before aggregation.',
  `Defaults (limits): format text, ${defaultsText(ENDPOINTS, LIMITS)}.`,
  "More rows: the footer's backlinks_next_page call.",
].join("\n");

export function createServer(config: Config, deps: Deps = createDeps(config)): ServerParts {
  const server = new McpServer({ name: "backlinks-mcp", version: VERSION }, { instructions: INSTRUCTIONS });
  let enabled: ReadonlySet<string>;
  try {
    enabled = resolveToolsets(config.toolsets);
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const tools = new Map<string, EndpointTool>(ENDPOINT_TOOLS.map((t) => [t.name, t]));
  const callListeners: ((name: string, args: Record<string, unknown>) => void)[] = [];
  deps.clientSupportsElicitation = () => Boolean(server.server.getClientCapabilities()?.elicitation);
  const listed: Listed[] = [];

  /** Registers a tool; a tool outside the enabled toolsets answers which toolset enables it. */
  const register: RegisterTool = (entry, toolsets, input, handler) => {
    const on = toolsets.some((s) => enabled.has(s));
    if (on) listed.push(entry);
    const checked: Handler = async (raw, extra) => {
      if (!on) {
        deps.ledger.refused(entry.name, "toolset");
        return errorResult(
          `${entry.name} is not enabled on this server. It is in the toolset${toolsets.length > 1 ? "s" : ""} ${toolsets.join(", ")}: add one to DATAFORSEO_TOOLSETS (or --toolsets), e.g. DATAFORSEO_TOOLSETS=${[...enabled, toolsets[0]].join(",")}, or use all. Nothing was sent or charged.`,
        );
      }
      const parsed = input.safeParse(raw ?? {});
      if (!parsed.success) {
        deps.ledger.refused(entry.name, "invalid_arguments");
        return invalidArgs(entry.name, argumentProblems(entry.name, input, parsed.error, tools.get(entry.name), raw));
      }
      const args = parsed.data as Record<string, unknown>;
      for (const listener of callListeners) listener(entry.name, args);
      return handler(args, extra);
    };
    server.registerTool(
      entry.name,
      { title: entry.title, description: entry.description, inputSchema: ANY_ARGS, outputSchema: entry.output ? listOutput : undefined, annotations: entry.annotations },
      guard(deps, entry.name, checked),
    );
  };

  for (const tool of ENDPOINT_TOOLS) {
    register(
      { name: tool.name, title: tool.overlay.title, description: tool.overlay.description, input: tool.input, output: listOutput, annotations: ANNOTATIONS },
      tool.overlay.toolsets,
      tool.input,
      async (args, extra) => (await pipeline()).runEndpoint(deps, tool, args, extra),
    );
  }

  const nextInput = z.strictObject({
    search_after_token: z.string().min(1).max(200),
    format: z.enum(["text", "json"]).optional(),
  });
  register(
    {
      name: NEXT_TOOL,
      title: "Next page",
      description: "Next rows of an earlier result: pass the search_after_token from its footer. Rows already fetched cost nothing.",
      input: nextInput,
      output: listOutput,
      annotations: ANNOTATIONS,
    },
    ALWAYS_ON,
    nextInput,
    async (args, extra) => (await pipeline()).runNextPage(deps, tools, args.search_after_token as string, args.format as "text" | "json" | undefined, extra),
  );

  const usageInput = z.strictObject({});
  register(
    {
      name: "backlinks_usage",
      title: "Spend and balance",
      description: "Money spent by this server (calls, cache hits, budget left) and the DataForSEO balance. Free.",
      input: usageInput,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ALWAYS_ON,
    usageInput,
    async (_args, extra) => {
      let account: Record<string, unknown> | undefined;
      let accountError: string | undefined;
      if (deps.client.hasCredentials) {
        try {
          const res = await deps.client.get("/v3/appendix/user_data", { signal: extra?.signal });
          const data = res.task.result?.[0];
          account = summariseUserData(data);
          deps.prices.acceptUserData(data);
        } catch (err) {
          accountError = err instanceof UpstreamError ? describeError(err) : "could not read account data";
        }
      } else {
        accountError = "no credentials set (DATAFORSEO_LOGIN / DATAFORSEO_PASSWORD)";
      }
      let stored;
      let storedError: string | undefined;
      try {
        await Promise.allSettled([...deps.pendingWrites]);
        stored = await deps.spendStore.totals(deps.account);
      } catch (err) {
        storedError = err instanceof Error ? err.message : String(err);
      }
      deps.ledger.record({ tool: "backlinks_usage", costUsd: 0, cached: true, ok: true });
      return {
        content: [{ type: "text", text: usageText(deps, account, accountError, stored, storedError) }],
        _meta: { cost_usd: 0, total_cost_usd: deps.ledger.spentUsd, possibly_billed_usd: deps.ledger.possiblyBilledUsd },
      };
    },
  );

  registerWorkflows({ server, deps, tools, register, enabledToolsets: enabled, onToolCall: (listener) => callListeners.push(listener) });

  // tools/list is sent to the model on every turn: serve it once-built and without per-tool boilerplate
  // ("$schema", "execution"). Calls still go through the SDK's registered handlers.
  let toolList: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    toolList ??= listTools(listed);
    return { tools: toolList };
  });

  return {
    server,
    deps,
    listed,
    advertisedTools: listed.map((t) => t.name),
    async close(graceMs = 2000) {
      await deps.client.close(graceMs);
      await server.close();
      await Promise.allSettled([...deps.pendingWrites]);
      await deps.spendStore.close();
      await deps.cursors.close();
    },
  };
}

export { toolsetsOf };

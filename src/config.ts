// Every setting of the server, read once from the environment and the command line.
// This is the only module that reads process.env.
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { defaultStateDir } from "./state/paths.js";

export const DEFAULT_BASE_URL = "https://api.dataforseo.com";
const ALLOWED_REMOTE_ORIGINS = new Set(["https://api.dataforseo.com", "https://sandbox.dataforseo.com"]);

export interface Config {
  login?: string;
  password?: string;
  baseUrl: string;
  demo: boolean;
  outputMaxChars: number;
  outputMaxTokens: number;
  cursorMax: number;
  cursorTtlMs: number;
  cursorMaxBytes: number;
  /** Disk for held rows pushed out of memory (a temporary spill folder). */
  cursorSpillMaxBytes: number;
  maxConcurrency: number;
  ratePerMinute: number;
  maxRetries: number;
  timeoutMs: number;
  maxCostUsd?: number;
  /** Caps per DataForSEO account across restarts and processes (UTC day, calendar month). */
  dailyMaxCostUsd?: number;
  monthlyMaxCostUsd?: number;
  /** A single call or export whose worst case is above this asks the user first. */
  confirmAboveUsd: number;
  /** Where the persistent ledger lives (default: the platform's user state folder). */
  stateDir: string;
  cacheTtlMs: number;
  cacheMaxBytes: number;
  logLevel: "silent" | "error" | "info" | "debug";
  /** Toolsets to advertise (undefined: the default set). */
  toolsets?: string[];
  /** Where backlinks_export writes its files. */
  exportDir: string;
  /** Hosted mode (backlinks-mcp http): where to listen. */
  httpHost: string;
  httpPort: number;
  /** Hosted mode: bearer tokens → tenants (credentials, caps, toolsets). */
  tenantsFile?: string;
  /** Hosted mode: shared state for every replica. */
  redisUrl?: string;
  /** Hosted mode: Host header values accepted besides the listen address (DNS-rebinding guard). */
  allowedHosts: string[];
  /** Hosted mode: Origin header values accepted (browsers); none by default. */
  allowedOrigins: string[];
  /** Hosted mode: largest request body. */
  httpMaxBodyBytes: number;
}

/** One setting: its environment variable, its flag and how to parse it. */
interface Setting {
  env: string;
  flag: string;
  key: keyof Config;
  schema: z.ZodType;
  help: string;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const commaList = z.string().transform((v) => v.split(",").map((s) => s.trim()).filter((s) => s.length > 0));

const SETTINGS: Setting[] = [
  { env: "DATAFORSEO_BASE_URL", flag: "--base-url", key: "baseUrl", schema: z.string(), help: `API origin (default ${DEFAULT_BASE_URL}; also https://sandbox.dataforseo.com or a loopback address)` },
  { env: "DATAFORSEO_OUTPUT_MAX_CHARS", flag: "--output-max-chars", key: "outputMaxChars", schema: int(5000, 10_000_000), help: "hard ceiling on the text of one reply (default 40000)" },
  { env: "DATAFORSEO_OUTPUT_MAX_TOKENS", flag: "--output-max-tokens", key: "outputMaxTokens", schema: int(1000, 1_000_000), help: "ceiling on one reply's estimated o200k tokens (default 20000, under Claude Code's 25,000)" },
  { env: "DATAFORSEO_CURSOR_MAX", flag: "--cursor-max", key: "cursorMax", schema: int(1, 100_000), help: "paging cursors holding fetched rows kept in memory before older ones move to disk, and a quarter of the cursors without rows kept (default 500)" },
  { env: "DATAFORSEO_CURSOR_TTL_SECONDS", flag: "--cursor-ttl-seconds", key: "cursorTtlMs", schema: int(1, 7 * 86_400), help: "how long a paging cursor stays valid (default 3600)" },
  { env: "DATAFORSEO_CURSOR_MAX_MB", flag: "--cursor-max-mb", key: "cursorMaxBytes", schema: z.coerce.number().min(1).max(4096), help: "memory for rows fetched but not yet shown (default 64)" },
  { env: "DATAFORSEO_CURSOR_SPILL_MB", flag: "--cursor-spill-mb", key: "cursorSpillMaxBytes", schema: z.coerce.number().min(0).max(65_536), help: "disk for held rows pushed out of memory, in a temporary folder (default 256)" },
  { env: "DATAFORSEO_MAX_CONCURRENCY", flag: "--max-concurrency", key: "maxConcurrency", schema: int(1, 30), help: "requests in flight at once (default 30, at most 30)" },
  { env: "DATAFORSEO_RATE_PER_MINUTE", flag: "--rate-per-minute", key: "ratePerMinute", schema: int(1, 100_000), help: "requests started per minute (default 2000)" },
  { env: "DATAFORSEO_MAX_RETRIES", flag: "--max-retries", key: "maxRetries", schema: int(0, 10), help: "retries of a failed call where safe (default 3)" },
  { env: "DATAFORSEO_TIMEOUT_MS", flag: "--timeout-ms", key: "timeoutMs", schema: int(100, 600_000), help: "per attempt timeout (default 120000)" },
  { env: "DATAFORSEO_MAX_COST_USD", flag: "--max-cost-usd", key: "maxCostUsd", schema: z.coerce.number().min(0).max(1_000_000), help: "budget cap for this server process in USD (default: none)" },
  { env: "DATAFORSEO_DAILY_MAX_COST_USD", flag: "--daily-max-cost-usd", key: "dailyMaxCostUsd", schema: z.coerce.number().min(0).max(1_000_000), help: "cap per DataForSEO account per UTC day, across restarts and processes (default: none)" },
  { env: "DATAFORSEO_MONTHLY_MAX_COST_USD", flag: "--monthly-max-cost-usd", key: "monthlyMaxCostUsd", schema: z.coerce.number().min(0).max(1_000_000), help: "cap per DataForSEO account per calendar month (UTC), across restarts and processes (default: none)" },
  { env: "DATAFORSEO_CONFIRM_ABOVE_USD", flag: "--confirm-above-usd", key: "confirmAboveUsd", schema: z.coerce.number().min(0).max(1_000_000), help: "ask the user before a call or export that may cost more than this (default 0.50)" },
  { env: "DATAFORSEO_STATE_DIR", flag: "--state-dir", key: "stateDir", schema: z.string().min(1), help: "folder of the persistent ledger (default: the user state folder, e.g. ~/.local/state/backlinks-mcp)" },
  { env: "DATAFORSEO_CACHE_TTL_SECONDS", flag: "--cache-ttl-seconds", key: "cacheTtlMs", schema: int(0, 30 * 86_400), help: "answer identical calls from memory for this long (default 3600; 0 = off)" },
  { env: "DATAFORSEO_CACHE_MAX_MB", flag: "--cache-max-mb", key: "cacheMaxBytes", schema: z.coerce.number().min(0).max(4096), help: "memory for the response cache (default 64)" },
  { env: "DATAFORSEO_EXPORT_DIR", flag: "--export-dir", key: "exportDir", schema: z.string().min(1), help: "folder for backlinks_export files (default ~/backlinks-mcp-exports)" },
  { env: "DATAFORSEO_HTTP_HOST", flag: "--host", key: "httpHost", schema: z.string().min(1), help: "http mode: listen address (default 127.0.0.1; beyond loopback only with a tenants file)" },
  { env: "DATAFORSEO_HTTP_PORT", flag: "--port", key: "httpPort", schema: int(0, 65535), help: "http mode: port (default 8787; 0 = any free port)" },
  { env: "DATAFORSEO_TENANTS_FILE", flag: "--tenants-file", key: "tenantsFile", schema: z.string().min(1), help: "http mode: JSON file of bearer-token hashes → tenant credentials, caps, toolsets" },
  { env: "DATAFORSEO_REDIS_URL", flag: "--redis-url", key: "redisUrl", schema: z.string().regex(/^rediss?:\/\//), help: "http mode: redis:// URL of the state shared by every replica" },
  { env: "DATAFORSEO_ALLOWED_HOSTS", flag: "--allowed-hosts", key: "allowedHosts", schema: commaList, help: "http mode: Host header values accepted besides the listen address" },
  { env: "DATAFORSEO_ALLOWED_ORIGINS", flag: "--allowed-origins", key: "allowedOrigins", schema: commaList, help: "http mode: Origin header values accepted (default none)" },
  { env: "DATAFORSEO_HTTP_MAX_BODY_KB", flag: "--http-max-body-kb", key: "httpMaxBodyBytes", schema: int(1, 65_536), help: "http mode: largest request body in KiB (default 1024)" },
  {
    env: "DATAFORSEO_TOOLSETS",
    flag: "--toolsets",
    key: "toolsets",
    schema: commaList,
    help: "comma list of tool groups to offer (default core; all for every tool)",
  },
  { env: "DATAFORSEO_LOG_LEVEL", flag: "--log-level", key: "logLevel", schema: z.enum(["silent", "error", "info", "debug"]), help: "stderr log level (default error)" },
];

const SCALE: Partial<Record<keyof Config, number>> = {
  cursorTtlMs: 1000,
  cursorMaxBytes: 1024 * 1024,
  cacheTtlMs: 1000,
  cacheMaxBytes: 1024 * 1024,
  cursorSpillMaxBytes: 1024 * 1024,
  httpMaxBodyBytes: 1024,
};

export class ConfigError extends Error {}

/** Every setting as the help and the README list it: variable, flag (or "" for environment only), meaning. */
export function settingsList(): { env: string; flag: string; help: string }[] {
  return [
    { env: "DATAFORSEO_LOGIN", flag: "", help: "API login (DATAFORSEO_USERNAME is accepted too)" },
    { env: "DATAFORSEO_PASSWORD", flag: "", help: "API password" },
    { env: "DATAFORSEO_DEMO=1", flag: "--demo", help: "run against the built-in offline emulator (synthetic data)" },
    ...SETTINGS.map((s) => ({ env: s.env, flag: s.flag, help: s.help })),
  ];
}

export function settingsHelp(): string {
  return settingsList()
    .map((s) => `  ${s.env.padEnd(32)} ${(s.flag || "(env only)").padEnd(22)} ${s.help}`)
    .join("\n");
}

/** Only the official hosts and loopback may receive credentials. */
export function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DATAFORSEO_BASE_URL is not a URL: '${raw.slice(0, 80)}'`);
  }
  if (url.username || url.password) throw new ConfigError("DATAFORSEO_BASE_URL must not contain credentials");
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new ConfigError("DATAFORSEO_BASE_URL must be an origin only, such as https://api.dataforseo.com");
  }
  const origin = url.origin;
  if (ALLOWED_REMOTE_ORIGINS.has(origin)) return origin;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
  if (loopback && (url.protocol === "http:" || url.protocol === "https:")) return origin;
  throw new ConfigError(
    `DATAFORSEO_BASE_URL '${origin}' is not allowed: use https://api.dataforseo.com, https://sandbox.dataforseo.com or a loopback address (127.0.0.1, localhost, [::1]), so credentials are never sent elsewhere`,
  );
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

export interface ParsedArgs {
  command: "serve" | "http" | "emulator" | "help" | "version";
  rest: string[];
  config: Config;
}

/** Parse argv (without node and script) and the environment into a checked config. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  if (argv[0] === "emulator") return { command: "emulator", rest: argv.slice(1), config: defaults(env) };
  const flags = new Map<string, string>();
  let demo = truthy(env.DATAFORSEO_DEMO);
  let command: ParsedArgs["command"] = "serve";
  if (argv[0] === "http") {
    command = "http";
    argv = argv.slice(1);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--demo") demo = true;
    else if (arg === "--help" || arg === "-h") command = "help";
    else if (arg === "--version" || arg === "-v") command = "version";
    else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const setting = SETTINGS.find((s) => s.flag === name);
      if (!setting) throw new ConfigError(`unknown option '${name.slice(0, 60)}' (see --help)`);
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ConfigError(`option ${name} needs a value`);
      flags.set(setting.env, value);
    } else {
      throw new ConfigError(`unexpected argument '${arg.slice(0, 60)}' (see --help)`);
    }
  }
  const config = defaults(env);
  config.demo = demo;
  for (const s of SETTINGS) {
    const raw = flags.get(s.env) ?? env[s.env];
    if (raw === undefined || raw.trim() === "") continue;
    const parsed = s.schema.safeParse(raw.trim());
    if (!parsed.success) {
      throw new ConfigError(`${s.env} (${s.flag}): invalid value '${raw.slice(0, 60)}': ${s.help}`);
    }
    const scale = SCALE[s.key] ?? 1;
    (config as unknown as Record<string, unknown>)[s.key] =
      typeof parsed.data === "number" ? Math.round(parsed.data * scale * 1e6) / 1e6 : parsed.data;
  }
  config.baseUrl = checkBaseUrl(config.baseUrl);
  return { command, rest: [], config };
}

function defaults(env: NodeJS.ProcessEnv): Config {
  const login = (env.DATAFORSEO_LOGIN ?? env.DATAFORSEO_USERNAME)?.trim() || undefined;
  const password = env.DATAFORSEO_PASSWORD || undefined;
  return {
    login,
    password,
    baseUrl: DEFAULT_BASE_URL,
    demo: false,
    outputMaxChars: 40_000,
    outputMaxTokens: 20_000,
    cursorMax: 500,
    cursorTtlMs: 3_600_000,
    cursorMaxBytes: 64 * 1024 * 1024,
    cursorSpillMaxBytes: 256 * 1024 * 1024,
    maxConcurrency: 30,
    ratePerMinute: 2000,
    maxRetries: 3,
    timeoutMs: 120_000,
    maxCostUsd: undefined,
    confirmAboveUsd: 0.5,
    stateDir: defaultStateDir(env, process.platform, homedir()),
    cacheTtlMs: 3_600_000,
    cacheMaxBytes: 64 * 1024 * 1024,
    logLevel: "error",
    exportDir: join(homedir(), "backlinks-mcp-exports"),
    httpHost: "127.0.0.1",
    httpPort: 8787,
    allowedHosts: [],
    allowedOrigins: [],
    httpMaxBodyBytes: 1024 * 1024,
  };
}

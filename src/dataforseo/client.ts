// The DataForSEO HTTP client: one task per request, Basic auth, a fair queue under the
// concurrency and rate limits, safe retries, per-attempt timeouts, cancellation, and every
// fault turned into an UpstreamError.
//
// Retry policy. Retried (when the response cost nothing): connection errors before any
// response, HTTP 429 and 5xx without a DataForSEO code, and the codes in RETRY_CODES. When a
// body carries a DataForSEO code, the code decides, not the HTTP status. Never retried: any
// other code, a response that cost money, an unreadable body, a connection lost after the
// headers, cancellation, and our own per-attempt timeout: a request that timed out may still
// run (and bill) upstream, and repeating a hang would multiply the user's wait.
import type { Pool } from "undici";
import { brotliDecompress, gunzip, inflate, inflateRaw } from "node:zlib";
import { promisify } from "node:util";
import {
  RETRY_CODES,
  UpstreamError,
  adviceFor,
  isTransientCode,
  kindForCode,
  type ErrorKind,
} from "./errors.js";
import { AcquireError, Limiter } from "./limits.js";
import { backoffDelay, parseRetryAfter } from "./retry.js";
import { excerpt, makeScrubber, secretForms, type Scrubber } from "./scrub.js";

export interface ClientOptions {
  baseUrl: string;
  login?: string;
  password?: string;
  /** Requests in flight at once; default 30, clamped to 1..30. */
  maxConcurrency?: number;
  /** Requests started in any rolling window (a minute unless windowMs says otherwise); default 2000. */
  ratePerMinute?: number;
  /** Extra attempts where safe; default 3. */
  maxRetries?: number;
  /** Per attempt: connect + headers + whole body; also the longest wait in the queue. Default 120000. */
  timeoutMs?: number;
  /** Backoff base; default 500. */
  retryBaseMs?: number;
  /** Cap of one backoff wait (and of Retry-After); default 20000. */
  retryMaxMs?: number;
  /** Default "backlinks-mcp". */
  userAgent?: string;
  /** Debug lines (to stderr); never carry secrets. */
  log?: (line: string) => void;
  /** Length of the rate window; default 60000 (tests shorten it). */
  windowMs?: number;
  /** Random source in [0, 1) for backoff jitter; default Math.random. */
  random?: () => number;
  /** Largest accepted response body after decompression; default 256 MiB. */
  maxResponseBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface TaskResult {
  id: string;
  status_code: number;
  status_message: string;
  time: string;
  cost: number;
  result_count: number;
  path: string[];
  data: Record<string, unknown>;
  result: any[] | null;
}

export interface CallSuccess {
  task: TaskResult;
  cost: number;
  attempts: number;
  ms: number;
  httpStatus: number;
}

type Outcome =
  | { ok: true; task: TaskResult; cost: number; httpStatus: number }
  | { ok: false; error: UpstreamError; retry: boolean; retryAfterMs?: number; field?: string };

type AbortWhy = "timeout" | "cancelled" | "closed";

const unzip = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  deflateRaw: promisify(inflateRaw),
  br: promisify(brotliDecompress),
};

/** What happened, in a few words, for a DataForSEO code (the API's own message is shown too). */
const CODE_SUMMARY: Record<number, string> = {
  40104: "the DataForSEO account is not verified yet",
  40201: "the DataForSEO account is blocked",
  40203: "the account's daily cost limit was reached",
  40205: "the hourly duplicate-task limit was reached",
  40206: "the daily duplicate-task limit was reached",
  40207: "this IP address is not on the account's whitelist",
  40209: "too many requests were running at once",
  40400: "the endpoint was not found",
};
const KIND_SUMMARY: Record<ErrorKind, string> = {
  config: "the client is not configured",
  auth: "DataForSEO refused the credentials",
  funds: "the account cannot pay for this call",
  subscription: "the Backlinks API is not activated for this account",
  validation: "DataForSEO refused the request",
  rate_limit: "DataForSEO's request rate limit was hit",
  upstream: "DataForSEO could not run the task",
  timeout: "no answer in time",
  network: "the connection failed",
  bad_response: "the response could not be read",
  cancelled: "the call was cancelled",
  closed: "the client is shut down",
  queue_timeout: "the call waited too long in the queue",
};

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A cost figure, or 0 when absent or unreadable. */
function costOf(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function clampInt(v: number | undefined, def: number, min: number, max: number): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

export class DataForSeoClient {
  readonly hasCredentials: boolean;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxResponseBytes: number;
  private readonly random: () => number;
  private readonly logLine: (line: string) => void;
  private readonly scrub: Scrubber;
  private readonly headers: Record<string, string>;
  private readonly pathPrefix: string;
  private pool?: Promise<Pool>;
  private readonly origin: string | null;
  private readonly connections: number;
  private readonly badBaseUrl: boolean;
  private readonly limiter: Limiter;
  private shutDown = false;
  /** Abort functions of attempts and backoff waits in progress, called by close(). */
  private readonly aborters = new Set<() => void>();
  private readonly active = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;
  private attemptsStarted = 0;
  private retryCount = 0;

  constructor(options: ClientOptions) {
    const maxConcurrency = clampInt(options.maxConcurrency, 30, 1, 30);
    this.maxRetries = clampInt(options.maxRetries, 3, 0, 100);
    this.timeoutMs = clampInt(options.timeoutMs, 120_000, 1, 2 ** 31 - 1);
    this.retryBaseMs = Math.max(0, options.retryBaseMs ?? 500);
    this.retryMaxMs = Math.max(0, options.retryMaxMs ?? 20_000);
    this.maxResponseBytes = clampInt(options.maxResponseBytes, 256 * 1024 * 1024, 1024, 2 ** 31 - 1);
    this.random = options.random ?? Math.random;
    this.limiter = new Limiter({
      maxConcurrency,
      ratePerWindow: clampInt(options.ratePerMinute, 2000, 1, Number.MAX_SAFE_INTEGER),
      windowMs: options.windowMs ?? 60_000,
    });
    this.hasCredentials = Boolean(options.login && options.password);
    this.scrub = makeScrubber(secretForms(options.login, options.password));
    const scrub = this.scrub;
    const sink = options.log;
    this.logLine = (line) => {
      if (!sink) return;
      try {
        sink(scrub(line));
      } catch {
        // a failing logger must not break calls
      }
    };
    this.headers = {
      accept: "application/json",
      "accept-encoding": "gzip",
      "user-agent": options.userAgent ?? "backlinks-mcp",
    };
    if (this.hasCredentials) {
      this.headers.authorization = `Basic ${Buffer.from(`${options.login}:${options.password}`).toString("base64")}`;
    }
    let url: URL | null = null;
    try {
      url = new URL(options.baseUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") url = null;
    } catch {
      url = null;
    }
    this.badBaseUrl = url === null;
    this.pathPrefix = url ? url.pathname.replace(/\/+$/, "") : "";
    this.origin = url ? url.origin : null;
    this.connections = maxConcurrency;
  }

  /** undici takes ~100 ms to load: load it with the first request, not at start-up. */
  private getPool(): Promise<Pool> {
    this.pool ??= import("undici").then(
      ({ Pool: PoolClass }) =>
        new PoolClass(this.origin!, {
          connections: this.connections,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          connect: { timeout: this.timeoutMs },
        }),
    );
    return this.pool;
  }

  /** POST one task (the body is a JSON array holding exactly this task). */
  post(path: string, task: Record<string, unknown>, options?: CallOptions): Promise<CallSuccess> {
    let body: string;
    try {
      body = JSON.stringify([task]);
    } catch {
      return Promise.reject(
        new UpstreamError({ kind: "validation", message: "the task could not be encoded as JSON", retryable: false }),
      );
    }
    return this.track(this.run("POST", path, body, options ?? {}));
  }

  get(path: string, options?: CallOptions): Promise<CallSuccess> {
    return this.track(this.run("GET", path, undefined, options ?? {}));
  }

  stats(): { inFlight: number; queued: number; started: number; retries: number } {
    return {
      inFlight: this.limiter.inFlight,
      queued: this.limiter.queued,
      started: this.attemptsStarted,
      retries: this.retryCount,
    };
  }

  /**
   * Stop accepting calls (they reject with kind "closed"), drop the queue, wait up to graceMs for
   * calls in flight, then abort them and close the connection pool.
   */
  close(graceMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      this.limiter.close();
      if (this.active.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...this.active]),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, graceMs));
          }),
        ]);
        clearTimeout(timer);
      }
      this.shutDown = true;
      for (const abort of [...this.aborters]) abort();
      await Promise.allSettled([...this.active]);
      if (this.pool) await (await this.pool).destroy().catch(() => undefined);
    })();
    return this.closing;
  }

  /** Keeps the set of unfinished calls for close(), and guarantees only UpstreamErrors escape. */
  private track(call: Promise<CallSuccess>): Promise<CallSuccess> {
    const safe = call.catch((err: unknown) => {
      if (err instanceof UpstreamError) throw err;
      this.logLine(`unexpected ${err instanceof Error ? err.name : typeof err} in the client`);
      throw new UpstreamError({ kind: "network", message: "the request failed unexpectedly", retryable: true });
    });
    this.active.add(safe);
    const forget = () => this.active.delete(safe);
    safe.then(forget, forget);
    return safe;
  }

  private progress(options: CallOptions, message: string): void {
    if (!options.onProgress) return;
    try {
      options.onProgress(message);
    } catch {
      // a failing progress sink must not break the call
    }
  }

  private async run(method: "GET" | "POST", path: string, body: string | undefined, options: CallOptions): Promise<CallSuccess> {
    const t0 = performance.now();
    if (!this.hasCredentials) {
      throw new UpstreamError({
        kind: "config",
        message: "DataForSEO credentials are not set, so nothing was sent",
      });
    }
    if (this.badBaseUrl || !this.origin) {
      throw new UpstreamError({
        kind: "config",
        message: "DATAFORSEO_BASE_URL is not a usable http(s) URL",
        advice: "Set DATAFORSEO_BASE_URL to https://api.dataforseo.com (or remove it to use the default).",
      });
    }
    if (!path.startsWith("/") || path.startsWith("//") || /[\s#]/.test(path)) {
      throw new UpstreamError({ kind: "validation", message: "the API path is malformed" });
    }
    const { signal } = options;
    let attempts = 0;
    for (let retry = 0; ; retry++) {
      if (this.closing) throw this.closedError(attempts);
      if (signal?.aborted) throw this.cancelledError(attempts);

      let release: () => void;
      try {
        release = await this.limiter.acquire({
          signal,
          timeoutMs: this.timeoutMs,
          onWait: (position, reason) => {
            const why =
              reason === "concurrency"
                ? `${this.limiter.inFlight} requests in flight, limit ${this.limiter.maxConcurrency}`
                : `rate limit of ${this.limiter.ratePerWindow} requests per ${this.windowText()} reached`;
            this.progress(options, `waiting in queue: position ${position} (${why})`);
          },
        });
      } catch (err) {
        throw this.acquireError(err, attempts);
      }

      let outcome: Outcome;
      try {
        if (signal?.aborted) throw this.cancelledError(attempts);
        if (this.shutDown) throw this.closedError(attempts);
        attempts++;
        this.attemptsStarted++;
        outcome = await this.attempt(method, path, body, signal, attempts);
      } finally {
        release();
      }

      if (outcome.ok) {
        return {
          task: outcome.task,
          cost: outcome.cost,
          attempts,
          ms: Math.round(performance.now() - t0),
          httpStatus: outcome.httpStatus,
        };
      }
      const err = outcome.error;
      err.attempts = attempts;
      if (!outcome.retry || retry >= this.maxRetries) {
        if (err.code !== undefined) err.advice = adviceFor(err.code, { field: outcome.field, attempts });
        throw err;
      }
      const delay = outcome.retryAfterMs ?? backoffDelay(retry, this.retryBaseMs, this.retryMaxMs, this.random);
      this.retryCount++;
      const reason = this.shortReason(err);
      this.progress(options, `retry ${retry + 1}/${this.maxRetries} after ${(delay / 1000).toFixed(1)} s: ${reason}`);
      this.logLine(`${method} ${path}: retry ${retry + 1}/${this.maxRetries} in ${delay} ms after ${reason}`);
      await this.sleep(delay, signal, attempts);
    }
  }

  private windowText(): string {
    const ms = this.limiter.windowMs;
    return ms === 60_000 ? "minute" : `${ms / 1000} s`;
  }

  private shortReason(err: UpstreamError): string {
    if (err.code !== undefined) return `${err.code}${err.apiMessage ? ` ${excerpt(err.apiMessage, this.scrub, 60)}` : ""}`;
    if (err.kind === "network") return err.message;
    if (err.httpStatus !== undefined) return `HTTP ${err.httpStatus}`;
    return err.kind;
  }

  private sleep(ms: number, signal: AbortSignal | undefined, attempts: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onCancel);
        this.aborters.delete(onClose);
        fn();
      };
      const onCancel = () => finish(() => reject(this.cancelledError(attempts)));
      const onClose = () => finish(() => reject(this.closedError(attempts)));
      const timer = setTimeout(() => finish(resolve), ms);
      if (signal?.aborted) return onCancel();
      if (this.shutDown) return onClose();
      signal?.addEventListener("abort", onCancel, { once: true });
      this.aborters.add(onClose);
    });
  }

  private cancelledError(attempts: number): UpstreamError {
    return new UpstreamError({ kind: "cancelled", message: "the call was cancelled by the client", attempts });
  }

  private closedError(attempts: number): UpstreamError {
    return new UpstreamError({ kind: "closed", message: "the DataForSEO client is shut down", attempts });
  }

  private acquireError(err: unknown, attempts: number): UpstreamError {
    const reason = err instanceof AcquireError ? err.reason : "closed";
    if (reason === "aborted") return this.cancelledError(attempts);
    if (reason === "closed") return this.closedError(attempts);
    return new UpstreamError({
      kind: "queue_timeout",
      message: `the call waited more than ${this.timeoutMs} ms in the queue for a free slot (DATAFORSEO_MAX_CONCURRENCY=${this.limiter.maxConcurrency}, DATAFORSEO_RATE_PER_MINUTE=${this.limiter.ratePerWindow})`,
      attempts,
      retryable: true,
    });
  }

  /** One request: send, read the whole body, interpret it. Never throws. */
  private async attempt(
    method: "GET" | "POST",
    path: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<Outcome> {
    const started = performance.now();
    const controller = new AbortController();
    let why: AbortWhy | null = null;
    const abort = (reason: AbortWhy) => {
      if (why) return;
      why = reason;
      controller.abort();
    };
    const onCancel = () => abort("cancelled");
    const onClose = () => abort("closed");
    signal?.addEventListener("abort", onCancel, { once: true });
    this.aborters.add(onClose);
    if (signal?.aborted) onCancel();
    const timer = setTimeout(() => abort("timeout"), this.timeoutMs);
    let httpStatus: number | undefined;
    const headers = body === undefined ? this.headers : { ...this.headers, "content-type": "application/json" };
    try {
      const pool = await this.getPool();
      const res = await pool.request({
        path: this.pathPrefix + path,
        method,
        headers,
        body,
        signal: controller.signal,
      });
      httpStatus = res.statusCode;
      const raw = await this.readBody(res.body, httpStatus);
      const encoding = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
      const bytes = await this.decode(raw, encoding, httpStatus);
      if (why) throw new Error("aborted");
      const text = bytes.toString("utf8").replace(/^\ufeff/, "");
      const outcome = this.interpret(httpStatus, res.headers["retry-after"], text);
      this.logLine(
        `${method} ${path} attempt ${attempt}: HTTP ${httpStatus}${outcome.ok ? " ok" : ` ${outcome.error.code ?? outcome.error.kind}`} in ${Math.round(performance.now() - started)} ms`,
      );
      return outcome;
    } catch (err) {
      const outcome = this.failure(err, why, httpStatus);
      this.logLine(
        `${method} ${path} attempt ${attempt}: ${outcome.error.kind}${httpStatus !== undefined ? ` after HTTP ${httpStatus}` : ""} in ${Math.round(performance.now() - started)} ms`,
      );
      return outcome;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCancel);
      this.aborters.delete(onClose);
    }
  }

  private failure(err: unknown, why: AbortWhy | null, httpStatus: number | undefined): Outcome & { ok: false } {
    const code = isObject(err) && typeof err.code === "string" ? err.code : undefined;
    if (why === "cancelled") return { ok: false, retry: false, error: this.cancelledError(0) };
    if (why === "closed") return { ok: false, retry: false, error: this.closedError(0) };
    if (why === "timeout" || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return {
        ok: false,
        retry: false,
        error: new UpstreamError({
          kind: "timeout",
          message: `no complete answer within ${this.timeoutMs} ms (DATAFORSEO_TIMEOUT_MS=${this.timeoutMs})`,
          httpStatus,
          retryable: true,
        }),
      };
    }
    if (err instanceof UpstreamError) return { ok: false, retry: false, error: err };
    const detail = code ? ` (${this.scrub(code).replace(/[^A-Z0-9_]/gi, "").slice(0, 40)})` : "";
    if (httpStatus === undefined) {
      return {
        ok: false,
        retry: true,
        error: new UpstreamError({
          kind: "network",
          message: `the connection to DataForSEO failed before any response${detail}`,
          retryable: true,
        }),
      };
    }
    return {
      ok: false,
      retry: false,
      error: new UpstreamError({
        kind: "network",
        message: `the connection was lost while reading the response${detail}`,
        httpStatus,
        retryable: true,
      }),
    };
  }

  private tooLarge(httpStatus: number): UpstreamError {
    return new UpstreamError({
      kind: "bad_response",
      message: `the response is larger than ${this.maxResponseBytes} bytes`,
      httpStatus,
      advice: "Ask for fewer rows (a smaller limit) and call again.",
    });
  }

  private async readBody(stream: AsyncIterable<Buffer | Uint8Array> & { destroy(err?: Error): unknown }, httpStatus: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > this.maxResponseBytes) {
        stream.destroy();
        throw this.tooLarge(httpStatus);
      }
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
    return Buffer.concat(chunks, size);
  }

  private async decode(raw: Buffer, encoding: string, httpStatus: number): Promise<Buffer> {
    if (encoding === "" || encoding === "identity") return raw;
    const opts = { maxOutputLength: this.maxResponseBytes };
    try {
      if (encoding === "gzip" || encoding === "x-gzip") return await unzip.gzip(raw, opts);
      if (encoding === "br") return await unzip.br(raw, opts);
      if (encoding === "deflate") {
        try {
          return await unzip.deflate(raw, opts);
        } catch {
          return await unzip.deflateRaw(raw, opts);
        }
      }
    } catch (err) {
      if (isObject(err) && err.code === "ERR_BUFFER_TOO_LARGE") throw this.tooLarge(httpStatus);
      throw new UpstreamError({
        kind: "bad_response",
        message: `HTTP ${httpStatus} with a body that could not be decompressed (${excerpt(encoding, this.scrub, 20)})`,
        httpStatus,
        retryable: true,
      });
    }
    throw new UpstreamError({
      kind: "bad_response",
      message: `HTTP ${httpStatus} with an unsupported content-encoding '${excerpt(encoding, this.scrub, 20)}'`,
      httpStatus,
      retryable: true,
    });
  }

  /** Turns a complete response into a task or an error. */
  private interpret(httpStatus: number, retryAfter: string | string[] | undefined, text: string): Outcome {
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      // handled below
    }
    const env = parsed && isObject(json) ? json : null;
    const topCode = env && typeof env.status_code === "number" && Number.isFinite(env.status_code) ? env.status_code : undefined;
    const tasks = env && Array.isArray(env.tasks) ? env.tasks : null;
    const taskCosts = (tasks ?? []).reduce<number>((sum, t) => sum + (isObject(t) ? costOf(t.cost) : 0), 0);
    const topCost = env ? costOf(env.cost) : 0;
    const retryAfterMs = parseRetryAfter(retryAfter, this.retryMaxMs);

    if (topCode !== undefined && topCode !== 20000) {
      return this.codeFailure(topCode, env!.status_message, httpStatus, Math.max(topCost, taskCosts), retryAfterMs);
    }
    if (httpStatus >= 400) {
      const kind: ErrorKind =
        httpStatus === 429
          ? "rate_limit"
          : httpStatus === 401 || httpStatus === 403
            ? "auth"
            : httpStatus === 402
              ? "funds"
              : httpStatus === 404
                ? "validation"
                : "upstream";
      const cost = Math.max(topCost, taskCosts);
      const transient = httpStatus === 429 || httpStatus >= 500;
      const shown = text.trim() === "" ? "" : `: "${excerpt(text, this.scrub)}"`;
      return {
        ok: false,
        retry: transient && cost === 0,
        retryAfterMs,
        error: new UpstreamError({
          kind,
          message: `HTTP ${httpStatus} from DataForSEO${shown}`,
          httpStatus,
          cost,
          retryable: transient,
        }),
      };
    }
    if (!env) {
      const trimmed = text.trim();
      const what =
        trimmed === ""
          ? "an empty body"
          : /^<(!doctype|html|head|body|\?xml)/i.test(trimmed)
            ? "an HTML page instead of JSON"
            : parsed
              ? "JSON that is not an object"
              : /^[[{]/.test(trimmed)
                ? "JSON that is not valid (truncated?)"
                : "a body that is not JSON";
      return this.badResponse(httpStatus, what, text);
    }
    if (topCode === undefined) return this.badResponse(httpStatus, "a JSON envelope without status_code", text);
    if (!tasks || tasks.length === 0) return this.badResponse(httpStatus, "a JSON envelope without tasks", text);
    const t = tasks[0];
    if (!isObject(t) || typeof t.status_code !== "number" || !Number.isFinite(t.status_code)) {
      return this.badResponse(httpStatus, "a task without status_code", text);
    }
    const cost = Math.max(topCost, taskCosts);
    if (t.status_code !== 20000) return this.codeFailure(t.status_code, t.status_message, httpStatus, cost, retryAfterMs);
    if (t.result !== undefined && t.result !== null && !Array.isArray(t.result)) {
      return this.badResponse(httpStatus, "a task whose result is not a list", text, cost);
    }
    const task: TaskResult = {
      id: typeof t.id === "string" ? t.id : "",
      status_code: t.status_code,
      status_message: typeof t.status_message === "string" ? t.status_message : "",
      time: typeof t.time === "string" ? t.time : "",
      cost: costOf(t.cost),
      result_count: typeof t.result_count === "number" ? t.result_count : Array.isArray(t.result) ? t.result.length : 0,
      path: Array.isArray(t.path) ? t.path.filter((p): p is string => typeof p === "string") : [],
      data: isObject(t.data) ? t.data : {},
      result: Array.isArray(t.result) ? t.result : null,
    };
    return { ok: true, task, cost, httpStatus };
  }

  private badResponse(httpStatus: number, what: string, text: string, cost = 0): Outcome {
    const shown = text.trim() === "" ? "" : `: "${excerpt(text, this.scrub)}"`;
    return {
      ok: false,
      retry: false,
      error: new UpstreamError({
        kind: "bad_response",
        message: `HTTP ${httpStatus} with ${what}${shown}`,
        httpStatus,
        cost,
        retryable: true,
      }),
    };
  }

  private codeFailure(code: number, statusMessage: unknown, httpStatus: number, cost: number, retryAfterMs: number | undefined): Outcome {
    const apiMessage = typeof statusMessage === "string" && statusMessage.trim() !== "" ? excerpt(statusMessage, this.scrub) : undefined;
    let field: string | undefined;
    if (code === 40501 && apiMessage) {
      const m = /Invalid Field:\s*'([^']{1,100})'/i.exec(apiMessage);
      if (m) field = m[1];
    }
    const kind = kindForCode(code);
    const message = field ? `the API refused the field '${field}'` : (CODE_SUMMARY[code] ?? KIND_SUMMARY[kind]);
    return {
      ok: false,
      retry: RETRY_CODES.has(code) && cost === 0,
      retryAfterMs,
      field,
      error: new UpstreamError({
        kind,
        code,
        httpStatus,
        apiMessage,
        message,
        advice: adviceFor(code, { field }),
        cost,
        retryable: isTransientCode(code),
      }),
    };
  }
}

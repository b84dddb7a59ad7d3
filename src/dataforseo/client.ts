// The DataForSEO HTTP client: one task per request, Basic auth, a fair queue under the
// concurrency and rate limits, safe retries, per-attempt timeouts, cancellation, and every
// fault turned into an UpstreamError that says whether the call may have been billed
// (`billing`: "none" | "billed" | "unknown").
//
// Retry rule. A failed attempt is repeated (at most maxRetries times, with backoff or the
// server's Retry-After) only when it provably cost nothing AND the fault is transient, that is:
//  - the request never reached DataForSEO: connection refused, DNS failure, connect timeout,
//    or the connection reset or closed before undici had written the whole request (undici's
//    onRequestSent hook tells us); or
//  - DataForSEO's own JSON envelope answered with cost 0 and one of the codes 40202, 40209,
//    50000, 50301, 50401 (the code decides, whatever the HTTP status).
// Everything else is surfaced at once with advice. In particular nothing whose billing is
// "unknown" is ever repeated: a timeout after the request was (or may have been) written, a
// reset or close after it was sent, any 3xx, a 5xx or 429 without a DataForSEO envelope (gateway
// pages), a truncated, oversized or unreadable body, or a cost that is not a finite amount
// between 0 and MAX_TASK_COST_USD. DataForSEO may have run and billed such a call; the spend
// protocol (src/spend/call.ts) counts it as possibly billed at its worst-case estimate.
import type { Dispatcher, Pool, buildConnector } from "undici";
import { brotliDecompress, gunzip, inflate, inflateRaw } from "node:zlib";
import { promisify } from "node:util";
import {
  RETRY_CODES,
  UpstreamError,
  adviceFor,
  isTransientCode,
  type Billing,
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
  /** Opens connections instead of undici's own connector (tests inject connection faults with it). */
  connector?: buildConnector.connector;
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
  /** Characters of the response body: more than the JSON of anything it holds (for sizing a cache entry). */
  bodyChars?: number;
}

type Outcome =
  | { ok: true; task: TaskResult; cost: number; httpStatus: number; bodyChars: number }
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

/**
 * The most one task may plausibly cost, in USD. One Backlinks task costs at most about $0.06
 * (1,000 rows at the 2026 prices); a reported cost above this bound is taken as a corrupt
 * response, never as money to record.
 */
export const MAX_TASK_COST_USD = 100;

/** A reported cost: 0 when absent, the amount when it is a finite number in [0, MAX_TASK_COST_USD], else null. */
function costOf(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= MAX_TASK_COST_USD ? n : null;
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
  /** Whether a log sink is set: request lines are not even built without one. */
  private readonly logging: boolean;
  private readonly scrub: Scrubber;
  private readonly headers: Record<string, string>;
  private readonly pathPrefix: string;
  private pool?: Promise<Pool>;
  private readonly origin: string | null;
  private readonly connections: number;
  private readonly connector?: buildConnector.connector;
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
    this.logging = sink !== undefined;
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
    this.connector = options.connector;
  }

  /** undici takes ~100 ms to load: load it with the first request, not at start-up. */
  private getPool(): Promise<Pool> {
    this.pool ??= import("undici").then(
      ({ Pool: PoolClass }) =>
        new PoolClass(this.origin!, {
          connections: this.connections,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          connect: this.connector ?? { timeout: this.timeoutMs },
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
      throw new UpstreamError({ kind: "network", message: "the request failed unexpectedly", retryable: true, billing: "unknown" });
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
          bodyChars: outcome.bodyChars,
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
    // Set by undici once the whole request has been handed to the socket: from then on
    // DataForSEO may run (and bill) the task whatever happens to the connection.
    const sent = { written: false };
    const headers = body === undefined ? this.headers : { ...this.headers, "content-type": "application/json" };
    // undici settles an aborted request only once its connection is up; this settles the
    // attempt at the abort whatever the connector does.
    let stopWaiting: (err: Error) => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => {
      stopWaiting = reject;
    });
    stopped.catch(() => undefined);
    controller.signal.addEventListener("abort", () => stopWaiting(new Error("aborted")), { once: true });
    try {
      const pool = await this.getPool();
      if (why) throw new Error("aborted");
      const pending = pool.compose(watchRequestSent(sent)).request({
        path: this.pathPrefix + path,
        method,
        headers,
        body,
        signal: controller.signal,
      });
      pending.catch(() => undefined);
      const res = await Promise.race([pending, stopped]);
      httpStatus = res.statusCode;
      const raw = await this.readBody(res.body, httpStatus);
      const encoding = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
      const bytes = await this.decode(raw, encoding, httpStatus);
      if (why) throw new Error("aborted");
      const text = bytes.toString("utf8").replace(/^\ufeff/, "");
      const outcome = this.interpret(httpStatus, res.headers["retry-after"], text, res.headers.location);
      if (this.logging) {
        this.logLine(
          `${method} ${path} attempt ${attempt}: HTTP ${httpStatus}${outcome.ok ? " ok" : ` ${outcome.error.code ?? outcome.error.kind} billing ${outcome.error.billing}`} in ${Math.round(performance.now() - started)} ms`,
        );
      }
      return outcome;
    } catch (err) {
      const outcome = this.failure(err, why, httpStatus, sent.written);
      if (this.logging) {
        this.logLine(
          `${method} ${path} attempt ${attempt}: ${outcome.error.kind}${httpStatus !== undefined ? ` after HTTP ${httpStatus}` : ""} billing ${outcome.error.billing} in ${Math.round(performance.now() - started)} ms`,
        );
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCancel);
      this.aborters.delete(onClose);
    }
  }

  private failure(err: unknown, why: AbortWhy | null, httpStatus: number | undefined, written: boolean): Outcome & { ok: false } {
    const code = isObject(err) && typeof err.code === "string" ? err.code : undefined;
    // Once the request is written (or a response began), DataForSEO may run the task.
    const billing: Billing = written || httpStatus !== undefined ? "unknown" : "none";
    if (why === "cancelled" || why === "closed") {
      const error = why === "cancelled" ? this.cancelledError(0) : this.closedError(0);
      error.billing = billing;
      return { ok: false, retry: false, error };
    }
    if (err instanceof UpstreamError) return { ok: false, retry: false, error: err };
    if (why === "timeout" || (code !== undefined && TIMEOUT_CODES.has(code))) {
      const notSent = billing === "none";
      return {
        ok: false,
        // A timeout before the request was written (connecting) is a network fault like any other.
        retry: notSent,
        error: new UpstreamError({
          kind: "timeout",
          message: notSent
            ? `could not connect to DataForSEO within ${this.timeoutMs} ms (DATAFORSEO_TIMEOUT_MS=${this.timeoutMs}); nothing was sent`
            : `no complete answer within ${this.timeoutMs} ms (DATAFORSEO_TIMEOUT_MS=${this.timeoutMs})`,
          httpStatus,
          retryable: true,
          billing,
        }),
      };
    }
    const detail = code ? ` (${this.scrub(code).replace(/[^A-Z0-9_]/gi, "").slice(0, 40)})` : "";
    if (billing === "none") {
      return {
        ok: false,
        retry: true,
        error: new UpstreamError({
          kind: "network",
          message: `the connection to DataForSEO failed before the request was sent${detail}`,
          retryable: true,
          billing,
        }),
      };
    }
    return {
      ok: false,
      retry: false,
      error: new UpstreamError({
        kind: "network",
        message:
          httpStatus === undefined
            ? `the connection was lost after the request was sent, before any response${detail}`
            : `the connection was lost while reading the response${detail}`,
        httpStatus,
        retryable: true,
        billing,
      }),
    };
  }

  private tooLarge(httpStatus: number): UpstreamError {
    return new UpstreamError({
      kind: "bad_response",
      message: `the response is larger than ${this.maxResponseBytes} bytes`,
      httpStatus,
      advice: "Ask for fewer rows (a smaller limit) and call again.",
      billing: "unknown",
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
        billing: "unknown",
      });
    }
    throw new UpstreamError({
      kind: "bad_response",
      message: `HTTP ${httpStatus} with an unsupported content-encoding '${excerpt(encoding, this.scrub, 20)}'`,
      httpStatus,
      retryable: true,
      billing: "unknown",
    });
  }

  /** Turns a complete response into a task or an error. */
  private interpret(
    httpStatus: number,
    retryAfter: string | string[] | undefined,
    text: string,
    location?: string | string[],
  ): Outcome {
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      // handled below
    }
    const env = parsed && isObject(json) ? json : null;
    const retryAfterMs = parseRetryAfter(retryAfter, this.retryMaxMs);

    if (httpStatus >= 300 && httpStatus < 400) {
      // Whatever the body says, a redirect is not DataForSEO's answer to a POST; whether the
      // task ran behind it cannot be known.
      const to = Array.isArray(location) ? location[0] : location;
      return this.unknownFailure(
        "bad_response",
        httpStatus,
        `HTTP ${httpStatus} redirect${to ? ` to "${excerpt(to, this.scrub, 100)}"` : ""}; redirects are not followed`,
        "Check DATAFORSEO_BASE_URL (it should be https://api.dataforseo.com) and any proxy in between. The call may have been billed, so it was not repeated; check the account's usage before running it again.",
      );
    }

    // Costs first: an impossible figure makes the whole response untrustworthy.
    let cost = 0;
    if (env) {
      const tasksForCost = Array.isArray(env.tasks) ? env.tasks : [];
      const top = costOf(env.cost);
      let sum: number | null = 0;
      for (const t of tasksForCost) {
        const c = isObject(t) ? costOf(t.cost) : 0;
        sum = c === null || sum === null ? null : sum + c;
      }
      if (top === null || sum === null || sum > MAX_TASK_COST_USD) {
        return this.unknownFailure(
          "bad_response",
          httpStatus,
          `HTTP ${httpStatus} with an impossible cost (not a number between 0 and ${MAX_TASK_COST_USD} USD)`,
          "The response was discarded and its cost not recorded; the call counts as possibly billed at its estimate. Check the account's usage in the DataForSEO dashboard.",
        );
      }
      cost = Math.max(top, sum);
    }
    const topCode = env && typeof env.status_code === "number" && Number.isFinite(env.status_code) ? env.status_code : undefined;
    const tasks = env && Array.isArray(env.tasks) ? env.tasks : null;

    if (topCode !== undefined && topCode !== 20000) {
      return this.codeFailure(topCode, env!.status_message, httpStatus, cost, retryAfterMs);
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
      const transient = httpStatus === 429 || httpStatus >= 500;
      const shown = text.trim() === "" ? "" : `: "${excerpt(text, this.scrub)}"`;
      // Without DataForSEO's envelope (a gateway or proxy page) nobody says whether the task ran.
      const billing: Billing = cost > 0 ? "billed" : "unknown";
      return {
        ok: false,
        retry: false,
        retryAfterMs,
        error: new UpstreamError({
          kind,
          message: `HTTP ${httpStatus} from DataForSEO${shown}`,
          httpStatus,
          cost,
          retryable: transient,
          billing,
          ...(billing === "unknown" && transient
            ? {
                advice:
                  "A gateway between you and DataForSEO failed; DataForSEO may still have run (and billed) the call, so it was not repeated. Check the account's usage, then try again in a few minutes.",
              }
            : {}),
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
    if (topCode === undefined) return this.badResponse(httpStatus, "a JSON envelope without status_code", text, cost);
    if (!tasks || tasks.length === 0) return this.badResponse(httpStatus, "a JSON envelope without tasks", text, cost);
    const t = tasks[0];
    if (!isObject(t) || typeof t.status_code !== "number" || !Number.isFinite(t.status_code)) {
      return this.badResponse(httpStatus, "a task without status_code", text, cost);
    }
    if (t.status_code !== 20000) return this.codeFailure(t.status_code, t.status_message, httpStatus, cost, retryAfterMs);
    if (t.result !== undefined && t.result !== null && !Array.isArray(t.result)) {
      return this.badResponse(httpStatus, "a task whose result is not a list", text, cost);
    }
    const task: TaskResult = {
      id: typeof t.id === "string" ? t.id : "",
      status_code: t.status_code,
      status_message: typeof t.status_message === "string" ? t.status_message : "",
      time: typeof t.time === "string" ? t.time : "",
      cost: costOf(t.cost) ?? 0,
      result_count: typeof t.result_count === "number" ? t.result_count : Array.isArray(t.result) ? t.result.length : 0,
      path: Array.isArray(t.path) ? t.path.filter((p): p is string => typeof p === "string") : [],
      data: isObject(t.data) ? t.data : {},
      result: Array.isArray(t.result) ? t.result : null,
    };
    return { ok: true, task, cost, httpStatus, bodyChars: text.length };
  }

  /** A failure after which DataForSEO may or may not have run the task. Never retried. */
  private unknownFailure(kind: ErrorKind, httpStatus: number, message: string, advice: string): Outcome {
    return {
      ok: false,
      retry: false,
      error: new UpstreamError({ kind, message, httpStatus, advice, retryable: true, billing: "unknown" }),
    };
  }

  /** A response that could not be read: billed when it states a cost, otherwise unknown. */
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
        billing: cost > 0 ? "billed" : "unknown",
      }),
    };
  }

  /** DataForSEO's own envelope with an error code: billed when it states a cost, otherwise not billed. */
  private codeFailure(code: number, statusMessage: unknown, httpStatus: number, cost: number, retryAfterMs: number | undefined): Outcome {
    const apiMessage = typeof statusMessage === "string" && statusMessage.trim() !== "" ? excerpt(statusMessage, this.scrub) : undefined;
    let field: string | undefined;
    if (code === 40501 && apiMessage) {
      const m = /Invalid Field:\s*'([^']{1,100})'/i.exec(apiMessage);
      if (m) field = m[1];
    }
    const kind = kindForCode(code);
    const message = field ? `the API refused the field '${field}'` : (CODE_SUMMARY[code] ?? KIND_SUMMARY[kind]);
    const billing: Billing = cost > 0 ? "billed" : "none";
    return {
      ok: false,
      retry: billing === "none" && RETRY_CODES.has(code),
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
        billing,
      }),
    };
  }
}

interface LegacyHandler {
  onConnect?(abort: (err?: Error) => void, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[], socket: unknown): void;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(err: Error): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
}

/**
 * An undici interceptor that sets `sent.written` when undici has handed the whole request
 * (headers and body) to the socket: its onRequestSent hook. It forwards every other callback
 * unchanged. Before that moment a failed connection cannot have delivered a complete task.
 */
function watchRequestSent(sent: { written: boolean }): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const inner = handler as unknown as LegacyHandler;
    const watched: LegacyHandler = {
      onConnect: (abort, context) => inner.onConnect?.(abort, context),
      onResponseStarted: () => inner.onResponseStarted?.(),
      onHeaders: (statusCode, rawHeaders, resume, statusText) => inner.onHeaders?.(statusCode, rawHeaders, resume, statusText) ?? true,
      onUpgrade: (statusCode, rawHeaders, socket) => inner.onUpgrade?.(statusCode, rawHeaders, socket),
      onData: (chunk) => inner.onData?.(chunk) ?? true,
      onComplete: (trailers) => inner.onComplete?.(trailers),
      onError: (err) => {
        if (!inner.onError) throw err;
        inner.onError(err);
      },
      onBodySent: (chunk) => inner.onBodySent?.(chunk),
      onRequestSent: () => {
        sent.written = true;
        inner.onRequestSent?.();
      },
    };
    return dispatch(opts, watched as unknown as Dispatcher.DispatchHandler);
  };
}

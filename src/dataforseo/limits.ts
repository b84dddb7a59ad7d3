// A fair FIFO gate: at most `maxConcurrency` holders at once and at most `ratePerWindow`
// acquisitions in any rolling window of `windowMs`.

export type WaitReason = "concurrency" | "rate";

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Longest wait in the queue; undefined or Infinity = no limit. */
  timeoutMs?: number;
  /** Called once if the caller has to wait, with its 1-based queue position. */
  onWait?: (position: number, reason: WaitReason) => void;
}

/** Why an acquisition failed; the client turns these into UpstreamErrors. */
export class AcquireError extends Error {
  constructor(readonly reason: "timeout" | "aborted" | "closed") {
    super(`acquire ${reason}`);
  }
}

export interface LimiterOptions {
  maxConcurrency: number;
  ratePerWindow: number;
  windowMs: number;
  now?: () => number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: AcquireError) => void;
  cleanup: () => void;
  done: boolean;
}

export class Limiter {
  readonly maxConcurrency: number;
  readonly ratePerWindow: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly queue: Waiter[] = [];
  /** Start times inside the current window, oldest first (a ring through `head`). */
  private starts: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  inFlight = 0;
  started = 0;

  constructor(options: LimiterOptions) {
    this.maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency));
    this.ratePerWindow = Math.max(1, Math.floor(options.ratePerWindow));
    this.windowMs = Math.max(1, options.windowMs);
    this.now = options.now ?? (() => performance.now());
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once the caller may start. */
  acquire(options: AcquireOptions = {}): Promise<() => void> {
    if (this.closed) return Promise.reject(new AcquireError("closed"));
    if (options.signal?.aborted) return Promise.reject(new AcquireError("aborted"));
    if (this.queue.length === 0 && this.canStart()) return Promise.resolve(this.take());

    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.drop(waiter, new AcquireError("aborted"));
      const waiter: Waiter = {
        resolve,
        reject,
        done: false,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      };
      this.queue.push(waiter);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const limit = options.timeoutMs;
      if (limit !== undefined && Number.isFinite(limit)) {
        timer = setTimeout(() => this.drop(waiter, new AcquireError("timeout")), Math.max(0, limit));
      }
      const reason: WaitReason = this.inFlight >= this.maxConcurrency ? "concurrency" : "rate";
      options.onWait?.(this.queue.length, reason);
      this.pump();
    });
  }

  /** Rejects every queued caller; later acquisitions fail at once. Holders keep their slots. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.queue.splice(0)) this.settle(w, () => w.reject(new AcquireError("closed")));
  }

  private drop(waiter: Waiter, err: AcquireError): void {
    if (waiter.done) return;
    const i = this.queue.indexOf(waiter);
    if (i >= 0) this.queue.splice(i, 1);
    this.settle(waiter, () => waiter.reject(err));
    this.pump();
  }

  private settle(waiter: Waiter, fn: () => void): void {
    if (waiter.done) return;
    waiter.done = true;
    waiter.cleanup();
    fn();
  }

  private prune(now: number): void {
    while (this.head < this.starts.length && this.starts[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  private canStart(): boolean {
    if (this.inFlight >= this.maxConcurrency) return false;
    this.prune(this.now());
    return this.starts.length - this.head < this.ratePerWindow;
  }

  private take(): () => void {
    this.inFlight++;
    this.started++;
    this.starts.push(this.now());
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.pump();
    };
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0 && !this.closed) {
      if (this.inFlight >= this.maxConcurrency) return; // a release will pump again
      const now = this.now();
      this.prune(now);
      if (this.starts.length - this.head >= this.ratePerWindow) {
        // Wait until the oldest start in the window leaves it.
        const wait = Math.max(1, this.starts[this.head] + this.windowMs - now);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      const waiter = this.queue.shift()!;
      this.settle(waiter, () => waiter.resolve(this.take()));
    }
  }
}

// The DataForSEO client of one tenant in hosted mode. The spend protocol has already checked the
// call against the tenant's per-call cap and reserved it against its daily and monthly caps (in the
// shared store) when post() runs; here every request takes a place among the account's requests in
// flight and starts per minute, counted across every replica in the shared store. When the store cannot be reached, paid requests are refused before anything is sent (fail
// closed); free requests (user_data) go ahead.
import { DataForSeoClient, type CallOptions, type CallSuccess, type ClientOptions } from "../dataforseo/client.js";
import { UpstreamError } from "../dataforseo/errors.js";
import { StateUnavailableError, type HostedState, type Namespace } from "./state.js";

export interface GateOptions {
  state: HostedState;
  ns: Namespace;
  /** Requests in flight for the account across every replica (DataForSEO allows 30). */
  maxInFlight: number;
  ratePerMinute: number;
  /** A place among the requests in flight is freed when its replica stops renewing it this long. */
  leaseMs?: number;
  log: (level: "error" | "info" | "debug", line: string) => void;
}

function storeDown(): UpstreamError {
  return new UpstreamError({
    kind: "network",
    message:
      "the shared state store (Redis) of this hosted server is unreachable, so nothing was sent and nothing was charged: calls that may cost money are refused until it is back (cached rows, paging and free calls may still work)",
    advice: "Try again in a few seconds; if it persists, tell the server's operator that Redis is down.",
    retryable: true,
  });
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  deadline: number;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const cancelledBeforeSend = () => new UpstreamError({ kind: "cancelled", message: "the call was cancelled before it was sent" });

export class HostedClient extends DataForSeoClient {
  private readonly gate: GateOptions;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private wake: (() => void) | undefined;

  constructor(options: ClientOptions, gate: GateOptions) {
    super(options);
    this.gate = gate;
    this.leaseMs = gate.leaseMs ?? 30_000;
    this.waitMs = options.timeoutMs ?? 120_000;
  }

  override async post(path: string, task: Record<string, unknown>, options: CallOptions = {}): Promise<CallSuccess> {
    if (!this.hasCredentials) return super.post(path, task, options);
    const release = await this.takeSlot(options.signal);
    try {
      return await super.post(path, task, options);
    } finally {
      release();
    }
  }

  override async get(path: string, options: CallOptions = {}): Promise<CallSuccess> {
    // Free calls still honour the shared limits when the store is up, and go ahead when it is down.
    let release: () => void = () => undefined;
    try {
      release = await this.takeSlot(options.signal);
    } catch (err) {
      if (!(err instanceof UpstreamError && err.kind === "network")) throw err;
    }
    try {
      return await super.get(path, options);
    } finally {
      release();
    }
  }

  /**
   * Waits for a place among the account's requests in flight; returns its release function. Callers
   * wait in one local FIFO and only its head asks the store, so a busy replica polls Redis once, not
   * once per waiting call; a place freed here wakes the head at once.
   */
  private takeSlot(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelledBeforeSend());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, deadline: Date.now() + this.waitMs, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(cancelledBeforeSend());
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.wake?.();
      return;
    }
    this.pumping = true;
    const { state, ns } = this.gate;
    let pause = 2;
    try {
      while (this.waiters.length > 0) {
        const head = this.waiters[0]!;
        const settle = (fn: () => void) => {
          this.waiters.shift();
          if (head.onAbort) head.signal?.removeEventListener("abort", head.onAbort);
          fn();
        };
        if (Date.now() >= head.deadline) {
          settle(() =>
            head.reject(
              new UpstreamError({ kind: "queue_timeout", message: "the call waited too long for a free place among the account's requests in flight" }),
            ),
          );
          continue;
        }
        let slot;
        try {
          slot = await state.acquireSlot(ns.account, { maxInFlight: this.gate.maxInFlight, ratePerMinute: this.gate.ratePerMinute, leaseMs: this.leaseMs });
        } catch (err) {
          settle(() => head.reject(err instanceof StateUnavailableError ? storeDown() : err));
          continue;
        }
        if (this.waiters[0] !== head) continue; // cancelled meanwhile: the place goes to the next one
        if (slot.ok) {
          const id = slot.id;
          settle(() => head.resolve(this.holder(id)));
          pause = 2;
          continue;
        }
        // Jittered: short while places free up quickly, up to 50 ms, or as long as the rate window says.
        const wait = slot.retryMs > 50 ? slot.retryMs : pause + Math.random() * pause;
        pause = Math.min(50, pause * 2);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(wait, Math.max(1, head.deadline - Date.now())));
          const wake = () => done();
          this.wake = wake;
          function done() {
            clearTimeout(timer);
            resolve();
          }
        });
        this.wake = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The release function of a place: stops renewing its lease, frees it, wakes the next waiter. */
  private holder(id: string): () => void {
    const { state, ns } = this.gate;
    const renew = setInterval(() => {
      state.renewSlot(ns.account, id, this.leaseMs).catch(() => undefined);
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      clearInterval(renew);
      state
        .releaseSlot(ns.account, id)
        .catch(() => undefined)
        .finally(() => this.wake?.());
    };
  }
}

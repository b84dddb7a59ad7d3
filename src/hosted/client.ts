// The DataForSEO client of one tenant in hosted mode. Before a paid request is sent it reserves the
// call's worst-case cost against the tenant's caps (per call, daily, monthly; atomically in the
// shared store) and takes a place among the account's requests in flight (shared by every replica);
// afterwards it settles what the call cost. When the shared store cannot be reached, paid requests
// are refused before anything is sent (fail closed); free requests (user_data) go ahead.
import { DataForSeoClient, type CallOptions, type CallSuccess, type ClientOptions } from "../dataforseo/client.js";
import { UpstreamError } from "../dataforseo/errors.js";
import { formatUsd, estimateMaxCost } from "../spend/pricing.js";
import { fromNanos, toNanos } from "../spend/units.js";
import { ENDPOINT_TOOLS } from "../tools/endpoints/index.js";
import { maxRows } from "../tools/rows.js";
import type { EndpointTool } from "../tools/define.js";
import { StateUnavailableError, type HostedState, type Namespace, type SpendCaps } from "./state.js";

export interface GateOptions {
  state: HostedState;
  ns: Namespace;
  caps: SpendCaps;
  /** Largest estimate of one call, in nano-dollars. */
  perCallNanos?: number;
  /** DATAFORSEO_MAX_COST_USD: what this tenant may spend through this process, in nano-dollars. */
  processCapNanos?: number;
  /** Requests in flight for the account across every replica (DataForSEO allows 30). */
  maxInFlight: number;
  ratePerMinute: number;
  /** A place among the requests in flight is freed when its replica stops renewing it this long. */
  leaseMs?: number;
  log: (level: "error" | "info" | "debug", line: string) => void;
}

const BY_PATH = new Map<string, EndpointTool>(ENDPOINT_TOOLS.map((t) => [t.ref.path, t]));

/** The most rows a task can be billed for, read the way the pipeline reads its arguments. */
export function rowsOfTask(path: string, task: Record<string, unknown>): number {
  const tool = BY_PATH.get(path);
  const limit = typeof task.limit === "number" ? task.limit : undefined;
  if (!tool) return limit ?? 1000;
  const args = { ...task };
  if (args.targets && typeof args.targets === "object" && !Array.isArray(args.targets)) {
    args.targets = Object.values(args.targets as Record<string, unknown>);
  }
  try {
    return maxRows(tool, args);
  } catch {
    return limit ?? 1000;
  }
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

function capRefused(message: string): UpstreamError {
  return new UpstreamError({
    kind: "funds",
    message,
    advice: "Ask for fewer rows (a smaller limit), wait until the cap resets, or ask the server's operator to raise the cap.",
    retryable: false,
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
  /** Spent and held through this process (for processCapNanos). */
  private processSpent = 0;
  private processHeld = 0;
  /** Settlements the store could not take yet: retried before the next reservation. */
  private readonly unsettled: { id: string; billed: number; possibly: number }[] = [];

  constructor(options: ClientOptions, gate: GateOptions) {
    super(options);
    this.gate = gate;
    this.leaseMs = gate.leaseMs ?? 30_000;
    this.waitMs = options.timeoutMs ?? 120_000;
  }

  override async post(path: string, task: Record<string, unknown>, options: CallOptions = {}): Promise<CallSuccess> {
    const { state, ns } = this.gate;
    if (!this.hasCredentials) return super.post(path, task, options);
    const estimateNanos = toNanos(estimateMaxCost(rowsOfTask(path, task)));
    const perCall = this.gate.perCallNanos;
    if (perCall !== undefined && estimateNanos > perCall) {
      throw capRefused(
        `this call may cost up to ${formatUsd(fromNanos(estimateNanos))}, more than this tenant's per-call cap of ${formatUsd(fromNanos(perCall))}; nothing was sent`,
      );
    }
    const processCap = this.gate.processCapNanos;
    if (processCap !== undefined && this.processSpent + this.processHeld + estimateNanos > processCap) {
      throw capRefused(
        `this call may cost up to ${formatUsd(fromNanos(estimateNanos))} and this server process has ${formatUsd(fromNanos(Math.max(0, processCap - this.processSpent - this.processHeld)))} left of its DATAFORSEO_MAX_COST_USD cap of ${formatUsd(fromNanos(processCap))}; nothing was sent`,
      );
    }
    this.processHeld += estimateNanos;
    try {
      return await this.paidPost(path, task, options, estimateNanos);
    } finally {
      this.processHeld -= estimateNanos;
    }
  }

  private async paidPost(path: string, task: Record<string, unknown>, options: CallOptions, estimateNanos: number): Promise<CallSuccess> {
    const { state, ns } = this.gate;
    await this.flushSettlements();
    let hold;
    try {
      // A hold lasts as long as the call can: every attempt and backoff, plus a margin.
      hold = await state.reserve(ns, estimateNanos, this.gate.caps, this.waitMs * 5 + 60_000);
    } catch (err) {
      if (err instanceof StateUnavailableError) throw storeDown();
      throw err;
    }
    if (!hold.ok) {
      const left = Math.max(0, hold.capNanos - hold.spentNanos - hold.reservedNanos);
      const held = hold.reservedNanos > 0 ? ` (plus ${formatUsd(fromNanos(hold.reservedNanos))} held for calls still running)` : "";
      throw capRefused(
        `this tenant's ${hold.cap} spending cap would be passed, so nothing was sent: this call may cost up to ${formatUsd(fromNanos(estimateNanos))}, ${formatUsd(fromNanos(hold.spentNanos))} spent${held}, ${formatUsd(fromNanos(left))} left of the ${formatUsd(fromNanos(hold.capNanos))} ${hold.cap} cap`,
      );
    }
    let billed = 0;
    let possibly = 0;
    let sent = false;
    try {
      const release = await this.takeSlot(options.signal);
      sent = true;
      try {
        const res = await super.post(path, task, options);
        billed = toNanos(res.cost);
        return res;
      } catch (err) {
        if (err instanceof UpstreamError) {
          billed = toNanos(err.cost);
          // A call whose outcome is unknown may have been billed: count its estimate until known.
          const billing = (err as { billing?: string }).billing;
          if (billing === "unknown" || (billing === undefined && err.kind === "timeout" && billed === 0)) possibly = estimateNanos;
        }
        throw err;
      } finally {
        release();
      }
    } finally {
      this.processSpent += billed + possibly;
      if (sent) await this.settle(hold.id, billed, possibly);
      else await state.release(ns, hold.id).catch(() => undefined);
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

  private async settle(id: string, billed: number, possibly: number): Promise<void> {
    try {
      await this.gate.state.settle(this.gate.ns, id, billed, possibly);
    } catch {
      this.unsettled.push({ id, billed, possibly });
      if (this.unsettled.length > 10_000) this.unsettled.shift();
      this.gate.log("error", "a call's cost could not be recorded in the shared store yet; it will be retried");
    }
  }

  private async flushSettlements(): Promise<void> {
    while (this.unsettled.length > 0) {
      const s = this.unsettled[0]!;
      try {
        await this.gate.state.settle(this.gate.ns, s.id, s.billed, s.possibly);
      } catch {
        return;
      }
      this.unsettled.shift();
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

// Identical concurrent calls share one upstream request. The request is aborted only when
// every caller waiting for it has cancelled; a caller that cancels gets a cancellation error
// at once while the others still get the result.
import { UpstreamError } from "./errors.js";

export interface Shared<T> {
  value: T;
  /** True when this caller joined a request another caller had started (it paid nothing). */
  joined: boolean;
}

interface Entry<T> {
  controller: AbortController;
  promise: Promise<T>;
  waiters: number;
}

function cancelled(): UpstreamError {
  return new UpstreamError({ kind: "cancelled", message: "the call was cancelled by the client" });
}

export class SharedCalls<T> {
  readonly #entries = new Map<string, Entry<T>>();

  /** Requests under way. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `start` for `key`, or joins the request already under way for it. `start` receives a
   * signal that aborts when every waiter has cancelled. Rejects with the request's own error,
   * or with an UpstreamError of kind "cancelled" when `callerSignal` aborts first.
   */
  run(key: string, start: (signal: AbortSignal) => Promise<T>, callerSignal?: AbortSignal): Promise<Shared<T>> {
    if (callerSignal?.aborted) return Promise.reject(cancelled());
    let entry = this.#entries.get(key);
    const joined = entry !== undefined;
    if (!entry) {
      const controller = new AbortController();
      let promise: Promise<T>;
      try {
        promise = Promise.resolve(start(controller.signal));
      } catch (err) {
        promise = Promise.reject(err);
      }
      const created: Entry<T> = { controller, promise, waiters: 0 };
      const forget = () => {
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      };
      promise.then(forget, forget);
      this.#entries.set(key, created);
      entry = created;
    }
    const own = entry;
    own.waiters += 1;
    return new Promise<Shared<T>>((resolve, reject) => {
      let done = false;
      const leave = () => {
        if (done) return false;
        done = true;
        callerSignal?.removeEventListener("abort", onAbort);
        own.waiters -= 1;
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (own.waiters === 0) {
          // Nobody waits any more: stop the request, and let a new identical call start afresh.
          if (this.#entries.get(key) === own) this.#entries.delete(key);
          own.controller.abort();
        }
        reject(cancelled());
      };
      callerSignal?.addEventListener("abort", onAbort, { once: true });
      own.promise.then(
        (value) => {
          if (leave()) resolve({ value, joined });
        },
        (err: unknown) => {
          if (leave()) reject(err);
        },
      );
    });
  }
}

import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../src/dataforseo/errors.js";
import { SharedCalls } from "../../src/dataforseo/shared.js";
import { okEnvelope, useStub } from "./stub.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe("SharedCalls", () => {
  it("identical concurrent calls run one request; the second joins it", async () => {
    const shared = new SharedCalls<string>();
    const gate = deferred<string>();
    let starts = 0;
    const start = () => {
      starts += 1;
      return gate.promise;
    };
    const a = shared.run("k", start);
    const b = shared.run("k", start);
    const c = shared.run("other", () => Promise.resolve("x"));
    gate.resolve("result");
    expect(await a).toEqual({ value: "result", joined: false });
    expect(await b).toEqual({ value: "result", joined: true });
    expect((await c).value).toBe("x");
    expect(starts).toBe(1);
    expect(shared.size).toBe(0);
  });

  it("cancelling one of two waiters fails only that one; the request goes on", async () => {
    const shared = new SharedCalls<string>();
    const gate = deferred<string>();
    let signal!: AbortSignal;
    const first = new AbortController();
    const a = settle(
      shared.run(
        "k",
        (s) => {
          signal = s;
          return gate.promise;
        },
        first.signal,
      ),
    );
    const b = settle(shared.run("k", () => Promise.reject(new Error("must not start")), new AbortController().signal));
    first.abort();
    const ra = await a;
    expect(ra.ok).toBe(false);
    expect(!ra.ok && ra.error instanceof UpstreamError && ra.error.kind).toBe("cancelled");
    expect(signal.aborted).toBe(false);
    gate.resolve("result");
    expect(await b).toEqual({ ok: true, value: { value: "result", joined: true } });
  });

  it("the request is aborted only when every waiter has cancelled; a later call starts afresh", async () => {
    const shared = new SharedCalls<string>();
    let signal!: AbortSignal;
    let starts = 0;
    const start = (s: AbortSignal) => {
      starts += 1;
      signal = s;
      return new Promise<string>((_, reject) => s.addEventListener("abort", () => reject(new Error("aborted upstream"))));
    };
    const c1 = new AbortController();
    const c2 = new AbortController();
    const a = settle(shared.run("k", start, c1.signal));
    const b = settle(shared.run("k", start, c2.signal));
    c1.abort();
    expect(signal.aborted).toBe(false);
    c2.abort();
    expect(signal.aborted).toBe(true);
    for (const r of [await a, await b]) expect(!r.ok && r.error instanceof UpstreamError && r.error.kind).toBe("cancelled");
    expect(shared.size).toBe(0);
    const fresh = await shared.run("k", () => Promise.resolve("again"));
    expect(fresh).toEqual({ value: "again", joined: false });
    expect(starts).toBe(1);
  });

  it("an error reaches every waiter; an aborted signal is refused at once", async () => {
    const shared = new SharedCalls<string>();
    const boom = new UpstreamError({ kind: "upstream", message: "boom" });
    const gate = deferred<string>();
    const a = settle(shared.run("k", () => gate.promise));
    const b = settle(shared.run("k", () => gate.promise));
    gate.reject(boom);
    expect(await a).toEqual({ ok: false, error: boom });
    expect(await b).toEqual({ ok: false, error: boom });
    const done = new AbortController();
    done.abort();
    const r = await settle(shared.run("k", () => Promise.resolve("x"), done.signal));
    expect(!r.ok && (r.error as UpstreamError).kind).toBe("cancelled");
  });
});

describe("SharedCalls with the client", () => {
  const suite = useStub({ login: "user@example.com", password: "pw-shared", timeoutMs: 2000 });

  it("one of two identical calls cancels: one request, the other gets the result, nothing is torn down", async () => {
    suite.stub.fallback = { body: okEnvelope({ cost: 0.02 }), delayMs: 150 };
    const c = suite.client();
    const shared = new SharedCalls<Awaited<ReturnType<typeof c.post>>>();
    const task = { target: "example.com" };
    const start = (signal: AbortSignal) => c.post("/v3/backlinks/summary/live", task, { signal });
    const leaving = new AbortController();
    const a = settle(shared.run("summary:example.com", start, leaving.signal));
    const b = settle(shared.run("summary:example.com", start, new AbortController().signal));
    await suite.stub.arrivals(1);
    leaving.abort();
    const [ra, rb] = [await a, await b];
    expect(!ra.ok && (ra.error as UpstreamError).kind).toBe("cancelled");
    expect(rb.ok && rb.value.value.cost).toBe(0.02);
    expect(rb.ok && rb.value.joined).toBe(true);
    expect(suite.stub.seen).toHaveLength(1);
    expect(suite.stub.abortedByClient).toBe(0);
  });
});

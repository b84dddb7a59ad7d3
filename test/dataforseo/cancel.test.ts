// Cancellation of queued, in-flight and backing-off calls, and shutdown.
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../src/dataforseo/errors.js";
import { okEnvelope, topEnvelope, useStub } from "./stub.js";

const PATH = "/v3/backlinks/summary/live";
const suite = useStub({ login: "u", password: "pw-cancel", timeoutMs: 30_000 });
const make = suite.client;
const caught = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as UpstreamError);


describe("cancellation", () => {
  it("aborting an in-flight call closes its connection and rejects with kind cancelled", async () => {
    suite.stub.fallback = { hang: true };
    const c = make();
    const ac = new AbortController();
    const pending = caught(c.post(PATH, { target: "a.com" }, { signal: ac.signal }));
    await suite.stub.arrivals(1);
    expect(suite.stub.inFlight).toBe(1);
    const closed = suite.stub.nextClientClose();
    ac.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err!.kind).toBe("cancelled");
    expect(err!.attempts).toBe(1);
    await closed; // the stub saw the connection go away
    expect(suite.stub.abortedByClient).toBe(1);
    expect(c.stats().inFlight).toBe(0);
    // The client still works.
    suite.stub.fallback = { body: okEnvelope() };
    expect((await c.post(PATH, { target: "a.com" })).task.status_code).toBe(20000);
  });

  it("aborting queued calls removes them from the queue; nothing is sent for them", async () => {
    suite.stub.fallback = { hang: true };
    const c = make({ maxConcurrency: 1 });
    const holder = new AbortController();
    const first = caught(c.post(PATH, { target: "a.com" }, { signal: holder.signal }));
    await suite.stub.arrivals(1);
    const queuedAborts = [new AbortController(), new AbortController(), new AbortController()];
    const queued = queuedAborts.map((ac, i) => caught(c.post(PATH, { target: `q${i}.com` }, { signal: ac.signal })));
    expect(c.stats().queued).toBe(3);
    queuedAborts[1].abort();
    expect((await queued[1])!.kind).toBe("cancelled");
    expect((await queued[1])!.attempts).toBe(0);
    expect(c.stats().queued).toBe(2);
    queuedAborts[0].abort();
    queuedAborts[2].abort();
    await Promise.all(queued);
    expect(c.stats().queued).toBe(0);
    holder.abort();
    expect((await first)!.kind).toBe("cancelled");
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("an already aborted signal rejects at once without a request", async () => {
    const c = make();
    const ac = new AbortController();
    ac.abort();
    const err = await caught(c.post(PATH, { target: "a.com" }, { signal: ac.signal }));
    expect(err!.kind).toBe("cancelled");
    expect(suite.stub.seen).toHaveLength(0);
  });

  it("aborting during the backoff wait stops the retries", async () => {
    suite.stub.fallback = { status: 503, body: topEnvelope(50301, "3rd Party API Service Unavailable.") };
    const c = make({ retryBaseMs: 60_000, retryMaxMs: 60_000, random: () => 1 });
    const ac = new AbortController();
    const progress: string[] = [];
    const pending = caught(
      c.post(PATH, { target: "a.com" }, {
        signal: ac.signal,
        onProgress: (m) => {
          progress.push(m);
          ac.abort(); // cancel as soon as the retry is announced
        },
      }),
    );
    const err = await pending;
    expect(err!.kind).toBe("cancelled");
    expect(err!.attempts).toBe(1);
    expect(progress).toEqual(["retry 1/3 after 60.0 s: 50301 3rd Party API Service Unavailable."]);
    expect(suite.stub.seen).toHaveLength(1);
  });
});

describe("close()", () => {
  it("waits for in-flight calls within the grace period", async () => {
    suite.stub.fallback = { body: okEnvelope(), delayMs: 100 };
    const c = make();
    const pending = c.post(PATH, { target: "a.com" });
    await suite.stub.arrivals(1);
    await c.close(5000);
    expect((await pending).task.status_code).toBe(20000);
  });

  it("aborts in-flight calls after the grace period, rejects queued and new calls with kind closed", async () => {
    suite.stub.fallback = { hang: true };
    const c = make({ maxConcurrency: 1 });
    const inflight = caught(c.post(PATH, { target: "a.com" }));
    await suite.stub.arrivals(1);
    const queued = caught(c.post(PATH, { target: "b.com" }));
    const closed = suite.stub.nextClientClose();
    const closing = c.close(50);
    const newCall = await caught(c.post(PATH, { target: "c.com" }));
    expect(newCall!.kind).toBe("closed");
    expect((await queued)!.kind).toBe("closed");
    await closing;
    expect((await inflight)!.kind).toBe("closed");
    await closed;
    expect(suite.stub.seen).toHaveLength(1);
    // close is idempotent
    await c.close(0);
  });

  it("interrupts a backoff wait", async () => {
    suite.stub.fallback = { status: 500, body: topEnvelope(50000, "Internal Error.") };
    const c = make({ retryBaseMs: 60_000, retryMaxMs: 60_000, random: () => 1 });
    let announced!: () => void;
    const retrying = new Promise<void>((r) => (announced = r));
    const pending = caught(c.post(PATH, { target: "a.com" }, { onProgress: () => announced() }));
    await retrying;
    await c.close(0);
    expect((await pending)!.kind).toBe("closed");
    expect(suite.stub.seen).toHaveLength(1);
  });
});

// The concurrency cap, the rolling rate window and the fair queue, alone and through the client.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AcquireError, Limiter } from "../../src/dataforseo/limits.js";
import { UpstreamError } from "../../src/dataforseo/errors.js";
import { okEnvelope, topEnvelope, useStub } from "./stub.js";

describe("Limiter (fake clock)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts at most ratePerWindow in any window, in FIFO order", async () => {
    const lim = new Limiter({ maxConcurrency: 100, ratePerWindow: 3, windowMs: 1000, now: () => Date.now() });
    const t0 = Date.now();
    const startedAt: Array<[number, number]> = [];
    const all = Array.from({ length: 8 }, (_, i) =>
      lim.acquire().then((release) => {
        startedAt.push([i, Date.now() - t0]);
        release();
      }),
    );
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(startedAt.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(startedAt.map(([, t]) => t)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000]);
    // Sliding window check over every start.
    const times = startedAt.map(([, t]) => t);
    for (let i = 0; i + 3 < times.length; i++) expect(times[i + 3] - times[i]).toBeGreaterThanOrEqual(1000);
  });

  it("the window slides: a start frees its place exactly windowMs later", async () => {
    const lim = new Limiter({ maxConcurrency: 10, ratePerWindow: 2, windowMs: 1000, now: () => Date.now() });
    const t0 = Date.now();
    (await lim.acquire())();
    await vi.advanceTimersByTimeAsync(400);
    (await lim.acquire())();
    let third = -1;
    const p = lim.acquire().then((r) => {
      third = Date.now() - t0;
      r();
    });
    await vi.advanceTimersByTimeAsync(2000);
    await p;
    expect(third).toBe(1000);
  });

  it("never lets more than maxConcurrency hold a slot; releases admit the next in order", async () => {
    const lim = new Limiter({ maxConcurrency: 2, ratePerWindow: 1000, windowMs: 1000, now: () => Date.now() });
    const holders: Array<() => void> = [];
    const order: number[] = [];
    let peak = 0;
    const all = Array.from({ length: 6 }, (_, i) =>
      lim.acquire().then((release) => {
        order.push(i);
        peak = Math.max(peak, lim.inFlight);
        holders.push(release);
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(lim.inFlight).toBe(2);
    expect(lim.queued).toBe(4);
    while (order.length < 6) {
      const r = holders.shift()!;
      r();
      r(); // a second release is harmless
      await vi.advanceTimersByTimeAsync(0);
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it("reports the queue position once, times out, and honours abort", async () => {
    const lim = new Limiter({ maxConcurrency: 1, ratePerWindow: 1000, windowMs: 1000, now: () => Date.now() });
    const hold = await lim.acquire();
    const waits: Array<[number, string]> = [];
    const timedOut = lim.acquire({ timeoutMs: 500, onWait: (p, r) => waits.push([p, r]) }).catch((e: unknown) => e);
    const ac = new AbortController();
    const aborted = lim.acquire({ signal: ac.signal, onWait: (p, r) => waits.push([p, r]) }).catch((e: unknown) => e);
    expect(waits).toEqual([
      [1, "concurrency"],
      [2, "concurrency"],
    ]);
    ac.abort();
    const a = await aborted;
    expect(a).toBeInstanceOf(AcquireError);
    expect((a as AcquireError).reason).toBe("aborted");
    expect(lim.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    const t = await timedOut;
    expect((t as AcquireError).reason).toBe("timeout");
    expect(lim.queued).toBe(0);
    hold();
    expect(lim.inFlight).toBe(0);
  });

  it("close() rejects the queue and later calls", async () => {
    const lim = new Limiter({ maxConcurrency: 1, ratePerWindow: 10, windowMs: 1000 });
    const hold = await lim.acquire();
    const queued = lim.acquire().catch((e: unknown) => e);
    lim.close();
    expect(((await queued) as AcquireError).reason).toBe("closed");
    const later = await lim.acquire().catch((e: unknown) => e);
    expect((later as AcquireError).reason).toBe("closed");
    hold();
  });
});

describe("limits through the client", () => {
  const suite = useStub({ login: "u", password: "pw-limits", retryBaseMs: 1, retryMaxMs: 5 });
  const make = suite.client;

  it("100 parallel calls against a slow upstream: peak in flight never above the cap, all succeed", async () => {
    suite.stub.fallback = { body: okEnvelope(), delayMs: 20 };
    const c = make({ maxConcurrency: 5 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => c.post("/v3/backlinks/summary/live", { target: `t${i}.com` })));
    expect(results).toHaveLength(100);
    expect(results.every((r) => r.task.status_code === 20000)).toBe(true);
    expect(suite.stub.seen).toHaveLength(100);
    expect(suite.stub.peakInFlight).toBeLessThanOrEqual(5);
    expect(suite.stub.peakInFlight).toBeGreaterThanOrEqual(2);
    expect(c.stats()).toEqual({ inFlight: 0, queued: 0, started: 100, retries: 0 });
    // FIFO: requests reached the stub in the order the calls were made.
    const order = suite.stub.seen.map((s) => (JSON.parse(s.body) as Array<{ target: string }>)[0].target);
    expect(order.slice(0, 5).sort()).toEqual(["t0.com", "t1.com", "t2.com", "t3.com", "t4.com"]);
  });

  it("maxConcurrency above 30 is clamped to 30", async () => {
    suite.stub.fallback = { body: okEnvelope(), delayMs: 30 };
    const c = make({ maxConcurrency: 500 });
    await Promise.all(Array.from({ length: 60 }, () => c.post("/v3/backlinks/summary/live", { target: "a.com" })));
    expect(suite.stub.seen).toHaveLength(60);
    expect(suite.stub.peakInFlight).toBeLessThanOrEqual(30);
  });

  it("rate pacing: with 2 per 250 ms window, the third start waits for the first to leave the window", async () => {
    const c = make({ ratePerMinute: 2, windowMs: 250 });
    const progress: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => c.post("/v3/backlinks/summary/live", { target: "a.com" }, { onProgress: (m) => progress.push(m) })),
    );
    expect(suite.stub.seen).toHaveLength(6);
    // Any two starts apart by 2 places are at least a window apart (some slack for the trip to the stub).
    const at = suite.stub.seen.map((s) => s.at);
    for (let i = 0; i + 2 < at.length; i++) expect(at[i + 2] - at[i]).toBeGreaterThanOrEqual(200);
    // Four calls had to wait, each told why once.
    expect(progress).toHaveLength(4);
    expect(progress[0]).toMatch(/^waiting in queue: position 1 \(rate limit of 2 requests per 0\.25 s reached\)$/);
    expect(progress[3]).toMatch(/position 4/);
  });

  it("a call stuck in the queue longer than the timeout fails with queue_timeout naming the settings", async () => {
    // One start per 10 s window: the second call cannot start before its 300 ms queue timeout.
    const c = make({ ratePerMinute: 1, windowMs: 10_000, timeoutMs: 300 });
    await c.post("/v3/backlinks/summary/live", { target: "a.com" });
    const second = await c.post("/v3/backlinks/summary/live", { target: "b.com" }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(UpstreamError);
    const err = second as UpstreamError;
    expect(err.kind).toBe("queue_timeout");
    expect(err.attempts).toBe(0);
    expect(err.message).toContain("DATAFORSEO_MAX_CONCURRENCY=30");
    expect(err.message).toContain("DATAFORSEO_RATE_PER_MINUTE=1");
    expect(err.advice).toMatch(/DATAFORSEO_MAX_CONCURRENCY|DATAFORSEO_RATE_PER_MINUTE/);
    expect(suite.stub.seen).toHaveLength(1);
    expect(c.stats().queued).toBe(0);
  });

  it("a retry takes a slot again", async () => {
    suite.stub.script.push({ status: 500, body: topEnvelope(50000, "Internal Error.") });
    const c = make({ maxConcurrency: 1 });
    const res = await c.post("/v3/backlinks/summary/live", { target: "a.com" });
    expect(res.attempts).toBe(2);
    expect(c.stats().started).toBe(2);
    expect(c.stats().retries).toBe(1);
  });
});

// Whether a failed call may have been billed, and the retry rule that follows from it: only a
// call that provably never reached DataForSEO (or that DataForSEO answered with a code it does
// not bill, at cost 0) is repeated.
import { connect as netConnect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { buildConnector } from "undici";
import { MAX_TASK_COST_USD } from "../../src/dataforseo/client.js";
import { UpstreamError, describeError } from "../../src/dataforseo/errors.js";
import { okEnvelope, startStub, topEnvelope, useStub } from "./stub.js";

const PATH = "/v3/backlinks/summary/live";
const TASK = { target: "example.com" };
const GATEWAY = (code: number) =>
  `<html>\r\n<head><title>${code} Gateway</title></head>\r\n<body><center><h1>${code} Gateway</h1></center></body>\r\n</html>`;

const suite = useStub({
  login: "user@example.com",
  password: "pw-billing",
  maxRetries: 3,
  retryBaseMs: 1,
  retryMaxMs: 5,
  timeoutMs: 2000,
});

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

/** A connector to the stub that fails the first `failures` connections with `code` before any byte is written. */
function flakyConnector(url: string, failures: number, code: string): { connector: buildConnector.connector; calls: () => number } {
  const { hostname, port } = new URL(url);
  let calls = 0;
  const connector: buildConnector.connector = (_options, callback) => {
    calls += 1;
    if (calls <= failures) {
      setImmediate(() => callback(Object.assign(new Error(`connect ${code}`), { code }), null));
      return;
    }
    const socket: Socket = netConnect({ host: hostname, port: Number(port) });
    socket.once("connect", () => callback(null, socket));
    socket.once("error", (err) => callback(err, null));
  };
  return { connector, calls: () => calls };
}

describe("billing unknown: never retried, one request", () => {
  it("a timeout after the request was written", async () => {
    const c = suite.client({ timeoutMs: 200 });
    await c.post(PATH, TASK); // loads undici and opens the connection, so the timeout measures the answer
    suite.stub.fallback = { hang: true };
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("timeout");
    expect(err.billing).toBe("unknown");
    expect(err.attempts).toBe(1);
    expect(suite.stub.seen).toHaveLength(2);
    expect(describeError(err)).toMatch(/may have run \(and billed\) this call/);
  });

  it("a reset after the whole request was sent", async () => {
    suite.stub.fallback = { reset: true };
    const c = suite.client();
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("network");
    expect(err.billing).toBe("unknown");
    expect(err.message).toMatch(/after the request was sent/);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a connection lost while the body was being read", async () => {
    suite.stub.fallback = { body: okEnvelope({ cost: 0.5 }), cutAfterHeaders: true };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.billing).toBe("unknown");
    expect(err.cost).toBe(0);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it.each([502, 504, 503, 500])("a %i gateway page without DataForSEO's envelope", async (status) => {
    suite.stub.fallback = { status, body: GATEWAY(status), headers: { "content-type": "text/html" } };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.httpStatus).toBe(status);
    expect(err.billing).toBe("unknown");
    expect(err.retryable).toBe(true);
    expect(err.advice).toMatch(/not repeated/);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a 429 without DataForSEO's envelope", async () => {
    suite.stub.fallback = { status: 429, body: "Too Many Requests", headers: { "content-type": "text/plain" } };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.kind).toBe("rate_limit");
    expect(err.billing).toBe("unknown");
    expect(suite.stub.seen).toHaveLength(1);
  });

  it.each([301, 302, 307, 308])("a %i whose body looks like a paid result is an error, not a result", async (status) => {
    suite.stub.fallback = { status, body: okEnvelope({ cost: 0.02 }), headers: { location: "https://elsewhere.example/v3" } };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.kind).toBe("bad_response");
    expect(err.httpStatus).toBe(status);
    expect(err.billing).toBe("unknown");
    expect(err.cost).toBe(0);
    expect(err.message).toContain("https://elsewhere.example/v3");
    expect(err.advice).toMatch(/DATAFORSEO_BASE_URL/);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a truncated body and an HTML page with HTTP 200", async () => {
    const full = JSON.stringify(okEnvelope());
    suite.stub.script.push({ body: full.slice(0, 40) });
    suite.stub.script.push({ body: "<!DOCTYPE html><html>captive portal</html>" });
    const c = suite.client();
    expect((await failure(c.post(PATH, TASK))).billing).toBe("unknown");
    expect((await failure(c.post(PATH, TASK))).billing).toBe("unknown");
    expect(suite.stub.seen).toHaveLength(2);
  });
});

describe("cancellation", () => {
  it("after the request was written: billing unknown; before anything was sent: none", async () => {
    suite.stub.fallback = { body: okEnvelope(), delayMs: 300 };
    const c = suite.client({ maxConcurrency: 1 });
    const first = new AbortController();
    const queued = new AbortController();
    const a = failure(c.post(PATH, TASK, { signal: first.signal }));
    const b = failure(c.post(PATH, TASK, { signal: queued.signal }));
    await suite.stub.arrivals(1);
    queued.abort();
    first.abort();
    const [ea, eb] = [await a, await b];
    expect(ea.kind).toBe("cancelled");
    expect(ea.billing).toBe("unknown");
    expect(eb.kind).toBe("cancelled");
    expect(eb.billing).toBe("none");
    expect(suite.stub.seen).toHaveLength(1);
  });
});

describe("impossible costs are bad responses and never a cost", () => {
  const cases: Array<[string, unknown]> = [
    ["1e308 at both levels", { ...okEnvelope({ cost: 1e308 }) }],
    ["two task costs that overflow to Infinity", (() => {
      const env = okEnvelope({ cost: 1e308 });
      env.tasks.push({ ...env.tasks[0] });
      return env;
    })()],
    ["a negative cost", okEnvelope({ cost: -0.02 })],
    ["a cost above the bound", okEnvelope({ cost: MAX_TASK_COST_USD * 2 })],
    ["a cost that is not a number", { ...okEnvelope(), cost: "lots" }],
  ];
  it.each(cases)("%s", async (_name, body) => {
    suite.stub.fallback = { body };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toMatch(/impossible cost/);
    expect(err.cost).toBe(0);
    expect(err.billing).toBe("unknown");
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a cost written as '1e308' in a JSON number literal of 400 digits overflows and is caught", async () => {
    const env = JSON.stringify(okEnvelope({ cost: 0.02 })).replaceAll('"cost":0.02', `"cost":1${"0".repeat(400)}`);
    suite.stub.fallback = { body: env };
    const err = await failure(suite.client().post(PATH, TASK));
    expect(err.message).toMatch(/impossible cost/);
  });
});

describe("billing none: provably not run", () => {
  it("a refused connection is retried and says nothing was sent", async () => {
    const dead = await startStub();
    const url = dead.url;
    await dead.close();
    const c = suite.track(
      new (await import("../../src/dataforseo/client.js")).DataForSeoClient({ baseUrl: url, login: "a", password: "b", maxRetries: 2, retryBaseMs: 1, retryMaxMs: 2 }),
    );
    const err = await failure(c.post(PATH, TASK));
    expect(err.billing).toBe("none");
    expect(err.attempts).toBe(3);
  });

  it("a reset while connecting, before the request was written, is retried", async () => {
    const flaky = flakyConnector(suite.stub.url, 2, "ECONNRESET");
    const c = suite.client({ connector: flaky.connector });
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(3);
    expect(flaky.calls()).toBe(3);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a connect that never completes times out as not sent, and is retried", async () => {
    let calls = 0;
    const c = suite.client({
      timeoutMs: 100,
      maxRetries: 1,
      connector: () => {
        calls += 1; // never calls back
      },
    });
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("timeout");
    expect(err.billing).toBe("none");
    expect(err.message).toMatch(/nothing was sent/);
    expect(err.attempts).toBe(2);
    expect(suite.stub.seen).toHaveLength(0);
    expect(calls).toBeGreaterThanOrEqual(1);
  });

  it("the same connector, once the request is written, makes a reset unknown", async () => {
    suite.stub.fallback = { reset: true };
    const flaky = flakyConnector(suite.stub.url, 0, "ECONNRESET");
    const err = await failure(suite.client({ connector: flaky.connector }).post(PATH, TASK));
    expect(err.billing).toBe("unknown");
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("DataForSEO's envelope with an error code at cost 0 is not billed; with a cost it is", async () => {
    suite.stub.script.push({ body: okEnvelope({ code: 40501, cost: 0, result: null, message: "Invalid Field: 'x'." }) });
    suite.stub.script.push({ status: 401, body: topEnvelope(40100, "You are not authorized to access this resource.") });
    suite.stub.script.push({ body: okEnvelope({ code: 50000, cost: 0.02, result: null, message: "Internal Error." }) });
    const c = suite.client();
    expect((await failure(c.post(PATH, TASK))).billing).toBe("none");
    expect((await failure(c.post(PATH, TASK))).billing).toBe("none");
    const billed = await failure(c.post(PATH, TASK));
    expect(billed.billing).toBe("billed");
    expect(billed.cost).toBe(0.02);
    expect(suite.stub.seen).toHaveLength(3);
  });

  it("a transient code at cost 0 inside DataForSEO's envelope on a 502 is retried: the code decides", async () => {
    suite.stub.script.push({ status: 502, body: topEnvelope(50401, "Internal Error - Timeout.") });
    const res = await suite.client().post(PATH, TASK);
    expect(res.attempts).toBe(2);
  });
});

describe("the size of a success", () => {
  it("reports the decoded body's length, plain or gzipped, which bounds the JSON of any result it holds", async () => {
    const body = okEnvelope({ cost: 0.01, result: [{ items: [{ url_from: "https://a.example/é", rank: 1 }], total_count: 1 }] });
    for (const gzip of [false, true]) {
      suite.stub.fallback = { body, gzip };
      const got = await suite.client().post(PATH, TASK);
      const text = typeof body === "string" ? body : JSON.stringify(body);
      expect(got.bodyChars).toBe(text.length);
      expect(got.bodyChars!).toBeGreaterThan(JSON.stringify(got.task.result?.[0]).length);
    }
  });
});

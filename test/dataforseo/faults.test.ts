// One test per row of the fault table: the outcome, the number of requests sent, and that the
// client keeps working afterwards.
import { describe, expect, it } from "vitest";
import { DataForSeoClient } from "../../src/dataforseo/client.js";
import { UpstreamError, describeError } from "../../src/dataforseo/errors.js";
import { okEnvelope, startStub, topEnvelope, useStub } from "./stub.js";

const PATH = "/v3/backlinks/summary/live";
const TASK = { target: "example.com", internal_list_limit: 5 };
const HTML_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>";

const suite = useStub({
  login: "user@example.com",
  password: "pw-faults",
  maxRetries: 3,
  retryBaseMs: 5,
  retryMaxMs: 50,
  timeoutMs: 2000,
});
const client = suite.client;

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

/** After a fault the same client still answers a normal call. */
async function stillAnswers(c: DataForSeoClient): Promise<void> {
  suite.stub.script.length = 0;
  suite.stub.fallback = { body: okEnvelope() };
  const before = suite.stub.seen.length;
  const ok = await c.post(PATH, TASK);
  expect(ok.task.status_code).toBe(20000);
  expect(suite.stub.seen.length).toBe(before + 1);
}


describe("retried faults", () => {
  it("HTTP 500 carrying DataForSEO's 50000 at cost 0, then OK: two requests, success", async () => {
    suite.stub.script.push({ status: 500, body: topEnvelope(50000, "Internal Error.") });
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(2);
    expect(res.task.result?.[0]).toEqual({ target: "example.com", backlinks: 42 });
    expect(suite.stub.seen).toHaveLength(2);
    expect(c.stats().retries).toBe(1);
    await stillAnswers(c);
  });

  it("progress announces each retry with its reason", async () => {
    suite.stub.script.push({ status: 502, body: topEnvelope(50301, "3rd Party API Service Unavailable.") });
    suite.stub.script.push({ status: 502, body: topEnvelope(50301, "3rd Party API Service Unavailable.") });
    const c = client();
    const progress: string[] = [];
    const res = await c.post(PATH, TASK, { onProgress: (m) => progress.push(m) });
    expect(res.attempts).toBe(3);
    expect(suite.stub.seen).toHaveLength(3);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^retry 1\/3 after \d+\.\d s: 50301 3rd Party API Service Unavailable\.$/);
    expect(progress[1]).toMatch(/^retry 2\/3 after/);
    await stillAnswers(c);
  });

  it("40202 (rate limit per minute) then OK", async () => {
    suite.stub.script.push({ body: topEnvelope(40202, "The rate-limit per minute has been exceeded.") });
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(2);
    expect(suite.stub.seen).toHaveLength(2);
    await stillAnswers(c);
  });

  it("40209 at task level then OK", async () => {
    suite.stub.script.push({ body: okEnvelope({ code: 40209, cost: 0, result: null, message: "Too many simultaneous queries." }) });
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(2);
    expect(suite.stub.seen).toHaveLength(2);
  });

  it("429 with Retry-After: the wait is honoured instead of the backoff", async () => {
    suite.stub.script.push({ status: 429, body: topEnvelope(40202, "The rate-limit per minute has been exceeded."), headers: { "retry-after": "1" } });
    // retryBaseMs 0 makes the backoff zero, so the only wait possible is Retry-After's.
    const c = client({ retryBaseMs: 0, retryMaxMs: 5000 });
    const progress: string[] = [];
    const res = await c.post(PATH, TASK, { onProgress: (m) => progress.push(m) });
    expect(res.attempts).toBe(2);
    expect(suite.stub.seen).toHaveLength(2);
    expect(progress).toEqual(["retry 1/3 after 1.0 s: 40202 The rate-limit per minute has been exceeded."]);
  });

  it("50000 (internal error) then OK", async () => {
    suite.stub.script.push({ body: okEnvelope({ code: 50000, cost: 0, result: null, message: "Internal Error." }) });
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(2);
    expect(suite.stub.seen).toHaveLength(2);
    await stillAnswers(c);
  });

  it("50301 and 50401 at top level are retried", async () => {
    suite.stub.script.push({ body: topEnvelope(50301, "3rd Party API Service Unavailable.") });
    suite.stub.script.push({ body: topEnvelope(50401, "Internal Error - Timeout.") });
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.attempts).toBe(3);
  });

  it("always 50000 at cost 0: exactly 1 + maxRetries requests, then an error naming the code", async () => {
    suite.stub.fallback = { status: 500, body: topEnvelope(50000, "Internal Error.") };
    const c = client({ maxRetries: 2 });
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(3);
    expect(err.attempts).toBe(3);
    expect(err.kind).toBe("upstream");
    expect(err.code).toBe(50000);
    expect(err.billing).toBe("none");
    expect(err.httpStatus).toBe(500);
    expect(err.retryable).toBe(true);
    expect(describeError(err)).toMatch(/HTTP 500/);
    expect(describeError(err)).toMatch(/Requests sent: 3/);
    await stillAnswers(c);
  });

  it("always 40202: advice says how many retries were made", async () => {
    suite.stub.fallback = { body: topEnvelope(40202, "The rate-limit per minute has been exceeded.") };
    const c = client({ maxRetries: 3 });
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(4);
    expect(err.kind).toBe("rate_limit");
    expect(err.advice).toMatch(/Retried 3 times/);
    expect(err.advice).toMatch(/DATAFORSEO_MAX_CONCURRENCY/);
  });

  it("maxRetries 0 sends one request only", async () => {
    suite.stub.fallback = { status: 503, body: topEnvelope(50301, "3rd Party API Service Unavailable.") };
    const c = client({ maxRetries: 0 });
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.attempts).toBe(1);
  });
});

describe("faults that are never retried", () => {
  it("40501 invalid field: one request, kind validation, the field named", async () => {
    suite.stub.fallback = { body: okEnvelope({ code: 40501, cost: 0, result: null, message: "Invalid Field: 'search_after_token'." }) };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.kind).toBe("validation");
    expect(err.code).toBe(40501);
    expect(err.advice).toContain("'search_after_token'");
    expect(describeError(err)).toMatch(/^DataForSEO error 40501 \(Invalid Field: 'search_after_token'\.\)/);
    await stillAnswers(c);
  });

  it("HTTP 401 with 40100: one request, kind auth, advice names the env vars", async () => {
    suite.stub.fallback = {
      status: 401,
      body: topEnvelope(40100, "You are not authorized to access this resource. See your login details here: https://app.dataforseo.com/api-access ."),
    };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.kind).toBe("auth");
    expect(err.code).toBe(40100);
    expect(err.httpStatus).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.advice).toMatch(/DATAFORSEO_LOGIN/);
    expect(err.advice).toMatch(/DATAFORSEO_PASSWORD/);
    expect(err.advice).toMatch(/not the account password/);
  });

  it("40210 insufficient funds: one request, kind funds, top up", async () => {
    suite.stub.fallback = { body: okEnvelope({ code: 40210, cost: 0, result: null, message: "Insufficient Funds." }) };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.kind).toBe("funds");
    expect(describeError(err)).toMatch(/^DataForSEO error 40210 \(Insufficient Funds\.\):.*Advice: Top up the balance/);
  });

  it("40204 subscription: one request, kind subscription", async () => {
    suite.stub.fallback = {
      body: topEnvelope(40204, "Access denied. Visit Plans and Subscriptions to activate your subscription and get access to this API: https://app.dataforseo.com/backlinks-subscription"),
    };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.kind).toBe("subscription");
    expect(err.advice).toMatch(/Backlinks subscription/);
  });

  it("truncated JSON: one request, kind bad_response with the status and an excerpt", async () => {
    const full = JSON.stringify(okEnvelope());
    suite.stub.fallback = { body: full.slice(0, Math.floor(full.length / 2)) };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.kind).toBe("bad_response");
    expect(err.httpStatus).toBe(200);
    expect(err.message).toMatch(/HTTP 200 with JSON that is not valid/);
    expect(err.message).toContain('{"version":"0.1.20250101"');
    await stillAnswers(c);
  });

  it("HTML page with HTTP 200: bad_response, excerpt at most 200 characters without control characters", async () => {
    suite.stub.fallback = { body: `<!DOCTYPE html>\n<html>\u0007${"x".repeat(5000)}</html>`, headers: { "content-type": "text/html" } };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toMatch(/an HTML page instead of JSON/);
    const shown = /: "(.*)"$/.exec(err.message)?.[1] ?? "";
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThanOrEqual(200);
    expect(shown).not.toMatch(/[\u0000-\u001f]/);
  });

  it("envelope without tasks, and a task without status_code, are bad responses", async () => {
    const c = client();
    suite.stub.script.push({ body: { status_code: 20000, status_message: "Ok.", cost: 0 } });
    const e1 = await failure(c.post(PATH, TASK));
    expect(e1.message).toMatch(/without tasks/);
    const env = okEnvelope();
    delete (env.tasks[0] as Record<string, unknown>).status_code;
    suite.stub.script.push({ body: env });
    const e2 = await failure(c.post(PATH, TASK));
    expect(e2.message).toMatch(/task without status_code/);
    suite.stub.script.push({ body: { tasks: [] } });
    const e3 = await failure(c.post(PATH, TASK));
    expect(e3.message).toMatch(/without status_code/);
    expect(suite.stub.seen).toHaveLength(3);
  });

  it("a hanging upstream times out with a message naming DATAFORSEO_TIMEOUT_MS, without retry", async () => {
    suite.stub.fallback = { hang: true };
    const c = client({ timeoutMs: 300 });
    const closed = suite.stub.nextClientClose();
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain("DATAFORSEO_TIMEOUT_MS=300");
    expect(suite.stub.seen).toHaveLength(1);
    await closed; // the connection was torn down
    await stillAnswers(c);
  });

  it("a body that stalls after the headers times out too", async () => {
    suite.stub.fallback = { body: okEnvelope(), stallAfterHeaders: true };
    const c = client({ timeoutMs: 300 });
    const closed = suite.stub.nextClientClose();
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("timeout");
    expect(err.httpStatus).toBe(200);
    expect(suite.stub.seen).toHaveLength(1);
    await closed;
  });

  it("a connection lost while reading the body is not retried (the call may have been billed)", async () => {
    suite.stub.fallback = { body: okEnvelope({ cost: 0.5 }), cutAfterHeaders: true };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("network");
    expect(err.httpStatus).toBe(200);
    expect(suite.stub.seen).toHaveLength(1);
  });

  it("a retryable code on a response that cost money is not retried", async () => {
    suite.stub.fallback = { body: okEnvelope({ code: 50000, cost: 0.02, result: null, message: "Internal Error." }) };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.code).toBe(50000);
    expect(err.cost).toBe(0.02);
    expect(describeError(err)).toMatch(/cost \$0\.02/);
  });

  it("HTTP 503 whose envelope cost money is not retried", async () => {
    suite.stub.fallback = { status: 503, body: { status_code: 20000, cost: 0.1, tasks: [] } };
    const c = client();
    const err = await failure(c.post(PATH, TASK));
    expect(suite.stub.seen).toHaveLength(1);
    expect(err.cost).toBe(0.1);
  });
});

describe("requests and successes", () => {
  it("sends one task as a JSON array with Basic auth, JSON content type, gzip accepted", async () => {
    const c = client();
    const res = await c.post(PATH, TASK);
    expect(res.httpStatus).toBe(200);
    expect(res.cost).toBe(0.02);
    expect(res.task.path).toEqual(["v3", "backlinks", "summary", "live"]);
    const seen = suite.stub.seen[0];
    expect(seen.method).toBe("POST");
    expect(seen.path).toBe(PATH);
    expect(JSON.parse(seen.body)).toEqual([TASK]);
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from("user@example.com:pw-faults").toString("base64")}`);
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.headers["accept-encoding"]).toMatch(/gzip/);
    expect(seen.headers["user-agent"]).toBe("backlinks-mcp");
  });

  it("decompresses a gzip body; GET works", async () => {
    suite.stub.fallback = { body: okEnvelope({ cost: 0, result: [{ login: "user@example.com", money: { balance: 12.5 } }] }), gzip: true };
    const c = client({ userAgent: "backlinks-mcp/9" });
    const res = await c.get("/v3/appendix/user_data");
    expect(res.task.result?.[0]).toEqual({ login: "user@example.com", money: { balance: 12.5 } });
    expect(suite.stub.seen[0].method).toBe("GET");
    expect(suite.stub.seen[0].headers["user-agent"]).toBe("backlinks-mcp/9");
  });

  it("without credentials nothing is sent and the advice names the env vars and --demo", async () => {
    const c = new DataForSeoClient({ baseUrl: suite.stub.url, login: "someone" });
    suite.track(c);
    expect(c.hasCredentials).toBe(false);
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("config");
    expect(err.attempts).toBe(0);
    expect(err.advice).toMatch(/DATAFORSEO_LOGIN/);
    expect(err.advice).toMatch(/DATAFORSEO_PASSWORD/);
    expect(err.advice).toMatch(/DATAFORSEO_USERNAME/);
    expect(err.advice).toMatch(/--demo/);
    expect(suite.stub.seen).toHaveLength(0);
  });

  it("a task that cannot be encoded is refused without a request", async () => {
    const c = client();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err = await failure(c.post(PATH, cyclic));
    expect(err.kind).toBe("validation");
    expect(suite.stub.seen).toHaveLength(0);
  });

  it("a refused connection is retried, then reported as a network error", async () => {
    const dead = await startStub();
    const url = dead.url;
    await dead.close();
    const c = new DataForSeoClient({ baseUrl: url, login: "a", password: "b", maxRetries: 2, retryBaseMs: 1, retryMaxMs: 5 });
    suite.track(c);
    const err = await failure(c.post(PATH, TASK));
    expect(err.kind).toBe("network");
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(/before the request was sent/);
    expect(err.billing).toBe("none");
  });
});

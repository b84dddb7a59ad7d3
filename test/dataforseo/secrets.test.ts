// A canary password must never show in any error, advice, excerpt, progress message or log line,
// even when the upstream echoes the credentials back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataForSeoClient } from "../../src/dataforseo/client.js";
import { UpstreamError, describeError } from "../../src/dataforseo/errors.js";
import { okEnvelope, startStub, topEnvelope, type Reply, type Stub } from "./stub.js";

const LOGIN = "canary-user@example.com";
const CANARY = 'canary-Pw"7f3e\\91b2';
const BASIC = Buffer.from(`${LOGIN}:${CANARY}`).toString("base64");
const FORBIDDEN = [CANARY, JSON.stringify(CANARY).slice(1, -1), encodeURIComponent(CANARY), BASIC, BASIC.replace(/=+$/, ""), Buffer.from(CANARY).toString("base64").replace(/=+$/, "")];

let stub: Stub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(async () => {
  await stub.close();
});

it("no fault path leaks the password or the Authorization header", async () => {
  const logs: string[] = [];
  const progress: string[] = [];
  const client = new DataForSeoClient({
    baseUrl: stub.url,
    login: LOGIN,
    password: CANARY,
    maxRetries: 1,
    retryBaseMs: 1,
    retryMaxMs: 2,
    timeoutMs: 300,
    log: (l) => logs.push(l),
  });
  const replies: Reply[] = [
    { status: 401, body: "bad credentials", echoAuth: true },
    { status: 500, body: `<html>${CANARY}</html>` },
    { status: 502, body: "proxy", echoAuth: true },
    { status: 200, body: `not json ${CANARY} ${BASIC}` },
    { status: 200, body: topEnvelope(40100, `wrong password ${CANARY}`) },
    { status: 200, body: topEnvelope(40202, `slow down ${JSON.stringify(CANARY)}`) },
    { status: 200, body: okEnvelope({ code: 40501, cost: 0, result: null, message: `Invalid Field: '${CANARY}'.` }) },
    { status: 200, body: okEnvelope({ code: 50000, cost: 0, result: null, message: `Authorization: Basic ${BASIC}` }) },
    { status: 200, body: `{"status_code":20000,"tasks":[{"status_code":1,"status_message":"${encodeURIComponent(CANARY)}"` },
    { status: 200, body: { status_code: 20000, note: CANARY } },
    { status: 429, body: { status_code: 40202, status_message: BASIC }, headers: { "retry-after": "0" } },
    { status: 200, body: okEnvelope(), cutAfterHeaders: true, echoAuth: true },
    { hang: true },
    { reset: true },
  ];
  const texts: string[] = [];
  let errors = 0;
  for (const reply of replies) {
    stub.reset();
    stub.fallback = reply;
    try {
      await client.post("/v3/backlinks/summary/live", { target: "a.com" }, { onProgress: (m) => progress.push(m) });
    } catch (err) {
      expect(err).toBeInstanceOf(UpstreamError);
      const e = err as UpstreamError;
      errors++;
      texts.push(describeError(e), e.message, e.advice, e.apiMessage ?? "", String(e.stack ?? ""), JSON.stringify(e));
    }
  }
  await client.close(0);
  expect(errors).toBe(replies.length);
  const all = [...texts, ...logs, ...progress];
  expect(logs.length).toBeGreaterThan(replies.length);
  expect(progress.length).toBeGreaterThan(0);
  for (const text of all) for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
  // The echoed credentials were really there to be scrubbed.
  expect(texts.join("\n")).toContain("[redacted]");
});

describe("excerpt", () => {
  it("drops invisible characters before scrubbing, so a secret split by one is still removed", async () => {
    const { excerpt, makeScrubber } = await import("../../src/dataforseo/scrub.js");
    const scrub = makeScrubber(["canary-Secret-42"]);
    const out = excerpt("bad password canary-\u200bSecret\u2060-42\u{E0041} in body\nnext", scrub, 200);
    expect(out).not.toMatch(/canary|Secret/);
    expect(out).toMatch(/\[redacted\]/);
    expect(out).not.toMatch(/[\n\u200b\u2060]|\u{E0041}/u);
  });
});

// Property: whatever the upstream sends, post() resolves with a task or rejects with an
// UpstreamError; nothing else is thrown and nothing leaks.
import { afterAll, beforeAll, expect, it } from "vitest";
import fc from "fast-check";
import { DataForSeoClient } from "../../src/dataforseo/client.js";
import { UpstreamError, describeError } from "../../src/dataforseo/errors.js";
import { okEnvelope, startStub, type Reply, type Stub } from "./stub.js";

const CANARY = "fuzz-canary-5d1c0a";
let stub: Stub;
let client: DataForSeoClient;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  stub = await startStub();
  client = new DataForSeoClient({
    baseUrl: stub.url,
    login: "fuzz",
    password: CANARY,
    maxRetries: 1,
    retryBaseMs: 0,
    retryMaxMs: 0,
    timeoutMs: 2000,
  });
});
afterAll(async () => {
  await client.close(0);
  await stub.close();
  process.off("unhandledRejection", onUnhandled);
});

const code = fc.oneof(
  fc.constantFrom(20000, 40100, 40202, 40209, 40210, 40501, 50000, 50401, 40204),
  fc.integer({ min: -5, max: 70000 }),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const task = fc.record(
  {
    id: fc.oneof(fc.string(), anyJson),
    status_code: fc.oneof(code, anyJson),
    status_message: fc.oneof(fc.string(), anyJson),
    cost: fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(0, 0.02), fc.string()),
    result: fc.oneof(fc.constant(null), fc.array(anyJson, { maxLength: 3 }), anyJson),
    path: anyJson,
    data: anyJson,
  },
  { requiredKeys: [] },
);
const envelope = fc.record(
  {
    status_code: fc.oneof(code, anyJson),
    status_message: fc.oneof(fc.string(), anyJson, fc.constant(`Invalid Field: '${CANARY}'.`)),
    cost: fc.oneof(fc.double(), fc.constant(0), anyJson),
    tasks: fc.oneof(fc.array(task, { maxLength: 2 }), anyJson),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.string({ maxLength: 300 }),
  anyJson.map((j) => JSON.stringify(j) ?? ""),
  envelope.map((e) => JSON.stringify(e)),
  envelope.map((e) => JSON.stringify(e).slice(0, 40)),
  fc.constant(JSON.stringify(okEnvelope())),
);
const reply: fc.Arbitrary<Reply> = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 301, 400, 401, 402, 404, 429, 500, 502, 503),
  // Some answers echo the password back (appended, or inside status_message).
  body: fc.tuple(body, fc.boolean()).map(([b, leak]) => (leak ? `${b}${CANARY}` : b)),
  gzip: fc.boolean(),
  headers: fc.oneof(
    fc.constant({}),
    fc.record({ "retry-after": fc.constantFrom("0", "abc", "Thu, 01 Jan 1970 00:00:00 GMT", "-3") }),
    fc.record({ "content-encoding": fc.constantFrom("br", "compress", "identity") }),
  ),
});

it("random upstream answers end in a task or an UpstreamError, never another throw", async () => {
  let ok = 0;
  let failed = 0;
  await fc.assert(
    fc.asyncProperty(reply, async (r) => {
      stub.script.length = 0;
      stub.fallback = r;
      try {
        const res = await client.post("/v3/backlinks/summary/live", { target: "a.com" });
        expect(res.task.status_code).toBe(20000);
        expect(res.httpStatus).toBeLessThan(400);
        expect(res.task.result === null || Array.isArray(res.task.result)).toBe(true);
        ok++;
      } catch (err) {
        expect(err).toBeInstanceOf(UpstreamError);
        const text = describeError(err as UpstreamError);
        expect(text).not.toContain(CANARY);
        expect(text.length).toBeLessThan(2000);
        failed++;
      }
    }),
    { numRuns: 400 },
  );
  expect(ok).toBeGreaterThan(0);
  expect(failed).toBeGreaterThan(0);
  expect(unhandled).toEqual([]);
  // The client is still healthy.
  stub.fallback = { body: okEnvelope() };
  expect((await client.post("/v3/backlinks/summary/live", { target: "a.com" })).task.status_code).toBe(20000);
});

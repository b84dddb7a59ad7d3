// Status codes → kinds and advice; describeError; backoff and Retry-After.
import { describe, expect, it } from "vitest";
import statusCodes from "../../src/data/status-codes.json" with { type: "json" };
import {
  RETRY_CODES,
  UpstreamError,
  adviceFor,
  describeError,
  isTransientCode,
  kindForCode,
} from "../../src/dataforseo/errors.js";
import { backoffDelay, parseRetryAfter } from "../../src/dataforseo/retry.js";

const CODES = statusCodes.codes.map((c) => c.code);

describe("advice for every status code", () => {
  it("every code of the table gets one or two sentences of advice", () => {
    for (const code of CODES) {
      const advice = adviceFor(code);
      expect(advice.length, String(code)).toBeGreaterThan(15);
      expect(advice.length, String(code)).toBeLessThan(400);
      expect(advice, String(code)).toMatch(/[.)]$/);
    }
  });

  it("the important codes get their specific advice", () => {
    for (const code of [40100, 40104]) {
      expect(adviceFor(code)).toMatch(/DATAFORSEO_LOGIN/);
      expect(adviceFor(code)).toMatch(/DATAFORSEO_PASSWORD/);
      expect(adviceFor(code)).toMatch(/API access page/);
    }
    for (const code of [40200, 40210]) expect(adviceFor(code)).toMatch(/Top up the balance/);
    expect(adviceFor(40203)).toMatch(/daily cost limit/);
    expect(adviceFor(40204)).toMatch(/Activate the Backlinks subscription/);
    for (const code of [40202, 40209]) {
      expect(adviceFor(code, { attempts: 4 })).toMatch(/^Retried 3 times without success; wait a minute or lower DATAFORSEO_MAX_CONCURRENCY or DATAFORSEO_RATE_PER_MINUTE\.$/);
      expect(adviceFor(code, { attempts: 2 })).toMatch(/^Retried 1 time without/);
    }
    for (const code of [50000, 50301, 50401]) expect(adviceFor(code)).toMatch(/not billed/);
    expect(adviceFor(40501, { field: "order_by" })).toMatch(/'order_by'/);
  });

  it("codes outside the table still get advice by range", () => {
    expect(adviceFor(40999)).toMatch(/parameters/);
    expect(adviceFor(59999)).toMatch(/DataForSEO's side/);
    expect(kindForCode(40999)).toBe("validation");
    expect(kindForCode(59999)).toBe("upstream");
  });

  it("maps codes to kinds", () => {
    expect(kindForCode(40100)).toBe("auth");
    expect(kindForCode(40104)).toBe("auth");
    expect(kindForCode(40200)).toBe("funds");
    expect(kindForCode(40210)).toBe("funds");
    expect(kindForCode(40203)).toBe("funds");
    expect(kindForCode(40204)).toBe("subscription");
    expect(kindForCode(40202)).toBe("rate_limit");
    expect(kindForCode(40209)).toBe("rate_limit");
    expect(kindForCode(40501)).toBe("validation");
    expect(kindForCode(40400)).toBe("validation");
    expect(kindForCode(50000)).toBe("upstream");
  });

  it("only the rate and internal-error codes are retried; the retryable flag follows the table", () => {
    expect([...RETRY_CODES].sort()).toEqual([40202, 40209, 50000, 50301, 50401]);
    for (const code of RETRY_CODES) expect(isTransientCode(code)).toBe(true);
    for (const code of [40100, 40104, 40200, 40203, 40204, 40210, 40501]) expect(isTransientCode(code)).toBe(false);
  });
});

describe("describeError", () => {
  it("leads with the code and message, ends with the advice", () => {
    const err = new UpstreamError({ kind: "funds", code: 40210, apiMessage: "Insufficient Funds.", message: "the balance is too low", httpStatus: 402 });
    expect(describeError(err)).toBe(
      `DataForSEO error 40210 (Insufficient Funds.): the balance is too low. HTTP 402. Advice: ${adviceFor(40210)}`,
    );
  });

  it("leaves out HTTP 200 for a code carried by a normal answer", () => {
    const err = new UpstreamError({ kind: "subscription", code: 40204, message: "not activated", httpStatus: 200 });
    expect(describeError(err)).not.toMatch(/HTTP/);
    expect(describeError(err)).toMatch(/^DataForSEO error 40204 \(Access denied\./);
  });

  it("describes errors without a code by kind, with attempts and cost", () => {
    const err = new UpstreamError({ kind: "upstream", message: "HTTP 500 from DataForSEO", httpStatus: 500, attempts: 4, cost: 0.5 });
    const text = describeError(err);
    expect(text).toMatch(/^DataForSEO upstream error: HTTP 500 from DataForSEO\. Requests sent: 4\. This call cost \$0\.5\. Advice: /);
    expect(text.match(/HTTP 500/g)).toHaveLength(1);
  });

  it("redacts anything that looks like a Basic credential", () => {
    const err = new UpstreamError({ kind: "network", message: "echo Authorization: Basic dXNlcjpzZWNyZXQ=" });
    const text = describeError(err);
    expect(text).not.toContain("dXNlcjpzZWNyZXQ");
    expect(text).toContain("Basic [redacted]");
  });

  it("kinds without a code have their own advice", () => {
    expect(new UpstreamError({ kind: "timeout", message: "x" }).advice).toMatch(/DATAFORSEO_TIMEOUT_MS/);
    expect(new UpstreamError({ kind: "config", message: "x" }).advice).toMatch(/--demo/);
    expect(new UpstreamError({ kind: "queue_timeout", message: "x" }).advice).toMatch(/DATAFORSEO_MAX_CONCURRENCY/);
  });
});

describe("backoff and Retry-After", () => {
  it("full jitter: random in [0, min(max, base * 2^n)]", () => {
    expect(backoffDelay(0, 500, 20_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 20_000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 20_000, () => 1)).toBe(20_000);
    expect(backoffDelay(2, 500, 20_000, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, 500, 20_000, () => 0)).toBe(0);
    expect(backoffDelay(2, 500, 20_000, () => Number.NaN)).toBe(0);
    expect(backoffDelay(1000, 500, 20_000, () => 1)).toBe(20_000);
  });

  it("reads seconds and HTTP dates, capped", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", 20_000, now)).toBe(3000);
    expect(parseRetryAfter("1.5", 20_000, now)).toBe(1500);
    expect(parseRetryAfter("120", 20_000, now)).toBe(20_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:07 GMT", 20_000, now)).toBe(7000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", 20_000, now)).toBe(0);
    expect(parseRetryAfter(["2", "9"], 20_000, now)).toBe(2000);
    expect(parseRetryAfter(undefined, 20_000, now)).toBeUndefined();
    expect(parseRetryAfter("soon", 20_000, now)).toBeUndefined();
    expect(parseRetryAfter("-1", 20_000, now)).toBeUndefined();
    expect(parseRetryAfter("", 20_000, now)).toBeUndefined();
  });
});

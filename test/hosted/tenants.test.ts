import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { bearerToken, hashToken, parseTenants } from "../../src/hosted/tenants.js";

const file = (tenants: unknown[]) => JSON.stringify({ tenants });

describe("tenants file", () => {
  it("maps a token to its tenant through the stored hash, with caps in nano-dollars and toolsets", () => {
    const t = parseTenants(
      file([
        { name: "a", token_sha256: hashToken("tok-a"), login: "la", password: "pa", caps: { per_call_usd: 0.5, daily_usd: 10, monthly_usd: 100 }, toolsets: ["core"] },
        { name: "b", token_sha256: [hashToken("tok-b1"), hashToken("tok-b2").toUpperCase()], login: "lb", password: "pb" },
      ]),
    );
    expect(t.find("tok-a")).toMatchObject({ name: "a", login: "la", perCallNanos: 500_000_000, dailyNanos: 10e9, monthlyNanos: 100e9, toolsets: ["core"] });
    expect(t.find("tok-b1")?.name).toBe("b");
    expect(t.find("tok-b2")?.name).toBe("b");
    expect(t.find("tok-c")).toBeUndefined();
    expect(t.find("")).toBeUndefined();
    // The hash itself is not a token.
    expect(t.find(hashToken("tok-a"))).toBeUndefined();
  });

  it("refuses plain tokens, duplicates and unknown keys, without echoing any value", () => {
    const bad = [
      file([{ name: "a", token_sha256: "my-secret-token", login: "l", password: "secret-pw" }]),
      file([
        { name: "a", token_sha256: hashToken("x"), login: "l", password: "p" },
        { name: "a", token_sha256: hashToken("y"), login: "l", password: "p" },
      ]),
      file([
        { name: "a", token_sha256: hashToken("x"), login: "l", password: "p" },
        { name: "b", token_sha256: hashToken("x"), login: "l", password: "p" },
      ]),
      file([{ name: "a", token_sha256: hashToken("x"), login: "l", password: "secret-pw", extra: 1 }]),
      file([{ name: "a b", token_sha256: hashToken("x"), login: "l", password: "secret-pw" }]),
      file([{ name: "..", token_sha256: hashToken("x"), login: "l", password: "secret-pw" }]),
      file([{ name: "local", token_sha256: hashToken("x"), login: "l", password: "secret-pw" }]),
      "{ not json secret-pw",
    ];
    for (const text of bad) {
      let err: unknown;
      try {
        parseTenants(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toMatch(/secret-pw|my-secret-token/);
    }
  });

  it("reads only well-formed Bearer headers", () => {
    expect(bearerToken("Bearer abc.DEF-123")).toBe("abc.DEF-123");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer ")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it("hash-token prints the SHA-256 of a token read from stdin, or a fresh token with its hash (built)", () => {
    const script = fileURLToPath(new URL("../../dist/hosted/hash-token.js", import.meta.url));
    expect(execFileSync(process.execPath, [script], { input: "tok-a\n" }).toString().trim()).toBe(hashToken("tok-a"));
    const out = execFileSync(process.execPath, [script, "--new"]).toString();
    const token = /token: +(\S+)/.exec(out)![1]!;
    expect(out).toContain(`token_sha256: ${hashToken(token)}`);
    expect(token.length).toBeGreaterThan(40);
  });
});

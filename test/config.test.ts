import { describe, expect, it } from "vitest";
import { loadConfig, checkBaseUrl, ConfigError } from "../src/config.js";

describe("config", () => {
  it("has the documented defaults", () => {
    const { command, config } = loadConfig([], {});
    expect(command).toBe("serve");
    expect(config).toMatchObject({
      baseUrl: "https://api.dataforseo.com",
      demo: false,
      outputMaxChars: 40_000,
      maxConcurrency: 30,
      ratePerMinute: 2000,
      maxRetries: 3,
      timeoutMs: 120_000,
      cacheTtlMs: 3_600_000,
      cacheMaxBytes: 64 * 1024 * 1024,
      cursorMaxBytes: 64 * 1024 * 1024,
    });
    expect(config.maxCostUsd).toBeUndefined();
    expect(config.login).toBeUndefined();
  });

  it("reads env vars, accepts DATAFORSEO_USERNAME as an alias, and lets flags win", () => {
    const { config } = loadConfig(["--max-cost-usd", "0.5", "--cache-ttl-seconds=0", "--demo"], {
      DATAFORSEO_USERNAME: "user@example.com",
      DATAFORSEO_PASSWORD: "pw",
      DATAFORSEO_MAX_COST_USD: "9",
      DATAFORSEO_MAX_CONCURRENCY: "5",
      DATAFORSEO_OUTPUT_MAX_CHARS: "12000",
    });
    expect(config.login).toBe("user@example.com");
    expect(config.password).toBe("pw");
    expect(config.maxCostUsd).toBe(0.5);
    expect(config.cacheTtlMs).toBe(0);
    expect(config.demo).toBe(true);
    expect(config.maxConcurrency).toBe(5);
    expect(config.outputMaxChars).toBe(12000);
  });

  it("DATAFORSEO_LOGIN wins over DATAFORSEO_USERNAME", () => {
    const { config } = loadConfig([], { DATAFORSEO_LOGIN: "a", DATAFORSEO_USERNAME: "b" });
    expect(config.login).toBe("a");
  });

  it("rejects out-of-range values with the variable's name", () => {
    expect(() => loadConfig([], { DATAFORSEO_MAX_CONCURRENCY: "31" })).toThrow(/DATAFORSEO_MAX_CONCURRENCY/);
    expect(() => loadConfig([], { DATAFORSEO_TIMEOUT_MS: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig(["--nope"], {})).toThrow(/unknown option/);
    expect(() => loadConfig(["--max-retries"], {})).toThrow(/needs a value/);
  });

  it("only sends credentials to DataForSEO or loopback", () => {
    expect(checkBaseUrl("https://api.dataforseo.com")).toBe("https://api.dataforseo.com");
    expect(checkBaseUrl("https://sandbox.dataforseo.com/")).toBe("https://sandbox.dataforseo.com");
    expect(checkBaseUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(checkBaseUrl("http://localhost:9")).toBe("http://localhost:9");
    expect(checkBaseUrl("http://[::1]:9")).toBe("http://[::1]:9");
    for (const bad of [
      "http://api.dataforseo.com",
      "https://api.dataforseo.com.evil.example",
      "https://evil.example",
      "http://10.0.0.1:80",
      "https://user:pw@api.dataforseo.com",
      "https://api.dataforseo.com/v3",
      "not a url",
    ]) {
      expect(() => checkBaseUrl(bad), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig([], { DATAFORSEO_BASE_URL: "https://example.com" })).toThrow(/not allowed/);
  });

  it("routes the emulator subcommand", () => {
    const parsed = loadConfig(["emulator", "--port", "0"], {});
    expect(parsed.command).toBe("emulator");
    expect(parsed.rest).toEqual(["--port", "0"]);
  });
});

// The emulator command line: flag parsing, usage errors (exit code 2), start / print URL / stop on signal.
import { request } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEmulatorArgs } from "../../src/emulator/cli.js";
import { runEmulatorCli } from "../../src/emulator/index.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("parseEmulatorArgs", () => {
  it("reads every flag, in both --flag value and --flag=value forms", () => {
    const opts = parseEmulatorArgs([
      "--port", "0", "--host", "127.0.0.1", "--login", "a", "--password", "b", "--seed", "3", "--latency-ms", "50",
      "--fault", "http500", "--fault-count", "2", "--now=2026-01-31",
    ]);
    expect(opts).toEqual({
      port: 0, host: "127.0.0.1", login: "a", password: "b", seed: 3, latencyMs: 50,
      fault: { kind: "http500", count: 2 }, now: new Date("2026-01-31T00:00:00Z"),
    });
    expect(parseEmulatorArgs(["--fault", "http429", "--retry-after", "9"]).fault).toEqual({ kind: "http429", retryAfterSec: 9 });
    expect(parseEmulatorArgs(["--fault", "slow_body", "--slow-body-ms", "500"]).fault).toEqual({ kind: "slow_body", slowBodyMs: 500 });
    expect(parseEmulatorArgs([])).toEqual({});
    expect(parseEmulatorArgs(["--price-multiplier", "2.5", "--now", "2026-08-01"])).toEqual({ priceMultiplier: 2.5, now: new Date("2026-08-01T00:00:00Z") });
    expect(parseEmulatorArgs(["--price-multiplier=0"])).toEqual({ priceMultiplier: 0 });
  });

  it("rejects bad input", () => {
    for (const argv of [["--port", "abc"], ["--port", "70000"], ["--fault", "boom"], ["--nope"], ["--fault-count", "2"], ["--now", "2026-02-30"], ["--seed"], ["--login", ""], ["--price-multiplier", "-1"], ["--price-multiplier", "x"], ["--price-multiplier", "1001"]]) {
      expect(() => parseEmulatorArgs(argv)).toThrow();
    }
  });
});

describe("runEmulatorCli", () => {
  it("writes usage to stderr and sets exit code 2 on a usage error", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await runEmulatorCli(["--port", "nope"]);
    expect(process.exitCode).toBe(2);
    expect(String(err.mock.calls[0][0])).toMatch(/--port/);
    expect(out).not.toHaveBeenCalled();
  });

  it("prints exactly one line with the URL, serves, and stops on SIGTERM", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const before = new Set(process.listeners("SIGTERM"));
    const running = runEmulatorCli(["--port", "0", "--login", "a", "--password", "b", "--seed", "3"]);
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = lines[0].trim();
    const res = await request(`${url}/v3/backlinks/backlinks/live`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      body: JSON.stringify([{ target: "forbes.com", limit: 1 }]),
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { tasks: { status_code: number }[] }).tasks[0].status_code).toBe(20000);
    // Call our own SIGTERM handler directly rather than signalling the test process.
    const added = process.listeners("SIGTERM").filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    (added[0] as () => void)();
    await running;
    expect(process.listeners("SIGTERM").filter((l) => !before.has(l))).toHaveLength(0);
    await expect(request(`${url}/v3/appendix/user_data`)).rejects.toThrow();
  });
});

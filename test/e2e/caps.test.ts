// Spend limits that outlive the process, prices from user_data, and confirmation of big spends, through
// the built server against the emulator.
import { afterAll, describe, expect, it } from "vitest";
import { startHarness, tempStateDir, textOf, type Harness } from "./harness.js";
import { rmSync } from "node:fs";

/** Requests to paid endpoints (the free user_data price read is not one). */
function paid(h: Harness): Record<string, unknown>[] {
  return h.proxy.requests.filter((r) => r.path.startsWith("/v3/backlinks/")).map((r) => r.body as Record<string, unknown>);
}

function usageLine(text: string, key: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`${key}\t`));
  if (!line) throw new Error(`no ${key} line in:\n${text}`);
  return line.split("\t")[1]!;
}

const dollars = (s: string) => Number(/\$(\d+\.\d+)/.exec(s)![1]);

describe("daily cap across a restart", () => {
  const stateDir = tempStateDir();
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("still counts what was spent before the restart, and refuses with the cap, the spend and the reset time", async () => {
    // Three 10-row calls cost about $0.073; a fourth would pass $0.09.
    const env = { DATAFORSEO_DAILY_MAX_COST_USD: "0.09", DATAFORSEO_CACHE_TTL_SECONDS: "0" };
    const first = await startHarness({ env, stateDir });
    let spent = 0;
    try {
      for (const offset of [0, 10, 20]) {
        const res = await first.call("backlinks_referring_domains", { target: "bbc.com", limit: 10, offset });
        expect(res.isError, textOf(res)).toBeFalsy();
        spent += (res._meta as { cost_usd: number }).cost_usd;
      }
    } finally {
      await first.close();
    }
    expect(spent).toBeGreaterThan(0.07);

    const second = await startHarness({ env, stateDir });
    try {
      const usage = textOf(await second.call("backlinks_usage", {}));
      expect(dollars(usageLine(usage, "today_billed_usd"))).toBeCloseTo(spent, 6);
      expect(usageLine(usage, "today_cap_usd")).toBe("$0.0900");
      const before = paid(second).length;
      const res = await second.call("backlinks_referring_domains", { target: "bbc.com", limit: 10, offset: 40 });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/Daily cap reached, nothing was sent[\s\S]*spent today[\s\S]*\$0\.0900 cap \(DATAFORSEO_DAILY_MAX_COST_USD\)\. It resets at \d{4}-\d{2}-\d{2} 00:00 UTC/);
      expect(paid(second).length).toBe(before);
    } finally {
      await second.close();
    }
  });
});

describe("two servers on one account", () => {
  const stateDir = tempStateDir();
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("spending at once under one daily cap never pass it by more than the calls in flight", async () => {
    const cap = 0.5;
    // Two separate server processes (each with its own emulator), one account (login), one ledger folder.
    const servers = await Promise.all(
      [0, 1].map(() => startHarness({ emulator: { latencyMs: 30 }, env: { DATAFORSEO_DAILY_MAX_COST_USD: String(cap), DATAFORSEO_CACHE_TTL_SECONDS: "0" }, stateDir })),
    );
    try {
      let refused = 0;
      await Promise.all(
        servers.map(async (h, s) => {
          const calls = Array.from({ length: 25 }, (_, i) => h.call("backlinks_referring_domains", { target: "cnn.com", limit: 20, offset: (s * 25 + i) * 20 }));
          for (const res of await Promise.all(calls)) if (res.isError && /Daily cap reached/.test(textOf(res))) refused++;
        }),
      );
      const billed = servers.reduce((sum, h) => sum + h.emulator.stats().billedUsd, 0);
      // Every call reserves its worst case before it is sent, in the shared ledger: the cap holds exactly.
      expect(billed).toBeLessThanOrEqual(cap + 1e-9);
      expect(refused).toBeGreaterThan(0);
      // Once the other server has stopped (its last records written), the ledger holds everything billed.
      await servers[1]!.close();
      const usage = textOf(await servers[0]!.call("backlinks_usage", {}));
      expect(dollars(usageLine(usage, "today_billed_usd"))).toBeCloseTo(billed, 6);
    } finally {
      await Promise.all(servers.map((h) => h.close()));
    }
  }, 120_000);
});

describe("prices from user_data", () => {
  it("are used for estimates when they are higher than the built-in table", async () => {
    const h = await startHarness({ emulator: { priceMultiplier: 3 }, env: { DATAFORSEO_MAX_COST_USD: "0.1" } });
    try {
      // 1,000 rows: $0.06 at the table's prices fits a $0.10 cap, $0.18 at three times them does not.
      const res = await h.call("backlinks_backlinks", { target: "forbes.com", limit: 1000 });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/may cost up to \$0\.18/);
      expect(h.proxy.requests.map((r) => r.path)).toEqual(["/v3/appendix/user_data"]);
    } finally {
      await h.close();
    }
  });
});

describe("confirmation above DATAFORSEO_CONFIRM_ABOVE_USD", () => {
  const env = { DATAFORSEO_CONFIRM_ABOVE_USD: "0.01", DATAFORSEO_CACHE_TTL_SECONDS: "0" };

  it("asks the user by elicitation when the client supports it: accepted runs the call", async () => {
    const h = await startHarness({ env, onElicit: () => ({ action: "accept", content: { confirm: true } }) });
    try {
      const res = await h.call("backlinks_referring_domains", { target: "bbc.com", limit: 10 });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(h.elicited).toHaveLength(1);
      expect(h.elicited[0]).toMatch(/may cost up to \$0\.\d+[\s\S]*threshold is \$0\.0100/);
      expect(paid(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("declined: nothing is sent or charged", async () => {
    const h = await startHarness({ env, onElicit: () => ({ action: "decline" }) });
    try {
      const res = await h.call("backlinks_referring_domains", { target: "bbc.com", limit: 10 });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/Not run, nothing was sent or charged[\s\S]*declined/);
      expect(h.elicited).toHaveLength(1);
      expect(paid(h)).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it("unsupported: refused with the estimate, then confirm_cost_usd at the estimate runs it and below it is refused", async () => {
    const h = await startHarness({ env });
    try {
      const args = { target: "bbc.com", limit: 10 };
      const first = await h.call("backlinks_referring_domains", args);
      expect(first.isError).toBe(true);
      const text = textOf(first);
      expect(text).toMatch(/Confirmation needed, nothing was sent or charged[\s\S]*"confirm_cost_usd": \d+\.\d+ added/);
      const estimate = Number(/"confirm_cost_usd": (\d+\.\d+) added/.exec(text)![1]);
      expect(paid(h)).toHaveLength(0);

      const low = await h.call("backlinks_referring_domains", { ...args, confirm_cost_usd: estimate / 2 });
      expect(low.isError).toBe(true);
      expect(textOf(low)).toMatch(/below this call's worst case/);
      expect(paid(h)).toHaveLength(0);

      const ok = await h.call("backlinks_referring_domains", { ...args, confirm_cost_usd: estimate });
      expect(ok.isError, textOf(ok)).toBeFalsy();
      expect(paid(h)).toHaveLength(1);
      // The confirmation is never sent upstream.
      expect(paid(h)[0]).not.toHaveProperty("0.confirm_cost_usd");
      expect(JSON.stringify(paid(h)[0])).not.toMatch(/confirm_cost_usd/);
    } finally {
      await h.close();
    }
  });
});

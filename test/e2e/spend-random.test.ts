// Randomized spend: 1,000 calls at concurrency 30 through the built server against the emulator, with
// the process cap reached mid-run, the price tripled during the run, and failures before and after
// billing. The server's books must bracket what the emulator billed, and the cap may be passed by no
// more than the calls in flight can cost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, type Harness } from "./harness.js";
import { BIG_DOMAINS } from "./tool-args.js";
import { DEFAULT_PRICES } from "../../src/emulator/pricing.js";
import type { FaultConfig } from "../../src/emulator/index.js";

const CALLS = 1000;
const CONCURRENCY = 30;
const CAP_USD = 8;
const PRICE_RISE = 3;
/** Largest rows a call of the mix below can bill. */
const MAX_ROWS = 100;
/** No new call starts after this long: the run is bounded in time as well as in count. */
const RUN_MS = 120_000;

/** A small seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261125;

function randomCall(rand: () => number): { name: string; args: Record<string, unknown> } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const target = pick(BIG_DOMAINS);
  const limit = 1 + Math.floor(rand() * MAX_ROWS);
  const r = rand();
  if (r < 0.4) return { name: "backlinks_backlinks", args: { target, limit, offset: Math.floor(rand() * 50) } };
  if (r < 0.6) return { name: "backlinks_referring_domains", args: { target, limit, offset: Math.floor(rand() * 20) } };
  if (r < 0.75) return { name: "backlinks_anchors", args: { target, limit } };
  if (r < 0.9) return { name: "backlinks_summary", args: { target, internal_list_limit: 1 + Math.floor(rand() * 10) } };
  const n = 1 + Math.floor(rand() * 5);
  return { name: "backlinks_bulk_ranks", args: { targets: BIG_DOMAINS.slice(0, n) } };
}

/** What happens to the emulator when the n-th call is issued. */
const SCHEDULE: Record<number, { fault?: FaultConfig; price?: number }> = {
  60: { fault: { kind: "reset", count: 3 } },
  90: { fault: { kind: "hang_after_bill", count: 3 } },
  120: { fault: { kind: "reset_after_bill", count: 3 } },
  150: { price: PRICE_RISE },
  160: { fault: { kind: "hang_after_bill", count: 3 } },
  175: { fault: { kind: "reset_after_bill", count: 3 } },
  185: { fault: { kind: "http502_after_bill", count: 2 } },
};

interface Usage {
  billed: number;
  possibly: number;
  raw: string;
}

async function usage(h: Harness): Promise<Usage> {
  const res = await h.call("backlinks_usage", {});
  const raw = textOf(res);
  const get = (key: string) => {
    const m = new RegExp(`^${key}\\t\\$([0-9.]+)`, "m").exec(raw);
    if (!m) throw new Error(`no ${key} in backlinks_usage:\n${raw}`);
    return Number(m[1]);
  };
  return { billed: get("process_billed_usd"), possibly: get("process_possibly_billed_usd"), raw };
}

describe("randomized spend under a cap, a price rise and failures around billing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        DATAFORSEO_MAX_COST_USD: String(CAP_USD),
        DATAFORSEO_CACHE_TTL_SECONDS: "0",
        DATAFORSEO_TIMEOUT_MS: "1000",
        DATAFORSEO_CONFIRM_ABOVE_USD: "1000",
        DATAFORSEO_LOG_LEVEL: "error",
        DATAFORSEO_TOOLSETS: "all",
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("keeps the books bracketing what was billed and the cap within the in-flight bound", async () => {
    const rand = prng(SEED);
    const calls = Array.from({ length: CALLS }, () => randomCall(rand));
    const started = Date.now();
    let next = 0;
    let peakCommitted = 0;
    const outcome = { ok: 0, refusedByCap: 0, failed: 0, issued: 0 };
    const failures: Record<string, number> = {};
    const worker = async () => {
      while (next < calls.length && Date.now() - started < RUN_MS) {
        const i = next++;
        const step = SCHEDULE[i];
        if (step?.fault) h.emulator.setFault(step.fault);
        if (step?.price !== undefined) h.emulator.setPriceMultiplier(step.price);
        const { name, args } = calls[i]!;
        outcome.issued++;
        const res = await h.call(name, args);
        const text = textOf(res);
        if (!res.isError) outcome.ok++;
        else if (/cap|budget|DATAFORSEO_MAX_COST_USD/i.test(text) && /nothing was sent|not sent|refused/i.test(text)) outcome.refusedByCap++;
        else {
          outcome.failed++;
          const kind = text.slice(0, 60);
          failures[kind] = (failures[kind] ?? 0) + 1;
        }
        const meta = res._meta as { total_cost_usd?: number; possibly_billed_usd?: number } | undefined;
        if (meta && typeof meta.total_cost_usd === "number") {
          peakCommitted = Math.max(peakCommitted, meta.total_cost_usd + (meta.possibly_billed_usd ?? 0));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    h.emulator.setFault(null);

    const books = await usage(h);
    const emulated = h.emulator.stats().billedUsd;
    const inFlightBound = CONCURRENCY * PRICE_RISE * (DEFAULT_PRICES.perRequest + DEFAULT_PRICES.perRow * MAX_ROWS);
    const summary = { ...outcome, failures, emulatedUsd: emulated, billedUsd: books.billed, possiblyBilledUsd: books.possibly, peakCommitted, inFlightBound, seconds: (Date.now() - started) / 1000 };
    process.stderr.write(`spend-random: ${JSON.stringify(summary)}\n`);

    // The run went through every phase: paid calls, the cap reached mid-run, failures around billing.
    expect(outcome.issued).toBe(CALLS);
    expect(outcome.ok).toBeGreaterThan(100);
    expect(outcome.refusedByCap).toBeGreaterThan(100);
    expect(outcome.failed).toBeGreaterThan(0);
    expect(books.possibly).toBeGreaterThan(0);
    // What the emulator billed lies between what the server knows was billed and that plus what may have been.
    const EPS = 1e-6;
    expect(emulated).toBeGreaterThanOrEqual(books.billed - EPS);
    expect(emulated).toBeLessThanOrEqual(books.billed + books.possibly + EPS);
    // The cap is passed by at most what the calls in flight can cost at the new price.
    expect(books.billed + books.possibly).toBeLessThanOrEqual(CAP_USD + inFlightBound);
    expect(peakCommitted).toBeLessThanOrEqual(CAP_USD + inFlightBound);
    // The cap was reached: little is left under it.
    expect(books.billed + books.possibly).toBeGreaterThan(CAP_USD - inFlightBound);
  }, 200_000);
});

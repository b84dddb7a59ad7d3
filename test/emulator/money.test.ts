// Money faults for spend tests: a price multiplier, faults after billing, and the billing record.
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { AFTER_BILL_FAULTS, type Emulator } from "../../src/emulator/index.js";
import { AUTH, post, raw, start, task } from "./helpers.js";

const PER_REQUEST = 0.024;
const PER_ROW = 0.000036;
const round = (n: number) => Math.round(n * 1e8) / 1e8;

let emu: Emulator | null = null;
afterEach(async () => {
  await emu?.close();
  emu = null;
});

async function balance(e: Emulator): Promise<number> {
  const r = await raw(e, "/v3/appendix/user_data", { method: "GET" });
  return r.json.tasks[0].result[0].money.balance;
}

const BODY = JSON.stringify([{ target: "dataforseo.com", limit: 7 }]);

describe("price multiplier", () => {
  it("setPriceMultiplier scales per-request and per-row prices of later requests", async () => {
    emu = await start();
    const a = await task(emu, "backlinks", { target: "dataforseo.com", limit: 7 });
    expect(a.cost).toBe(round(PER_REQUEST + 7 * PER_ROW));
    emu.setPriceMultiplier(2.5);
    const b = await task(emu, "backlinks", { target: "dataforseo.com", limit: 7 });
    expect(b.cost).toBe(round(2.5 * PER_REQUEST + 7 * 2.5 * PER_ROW));
    const price = (await raw(emu, "/v3/appendix/user_data", { method: "GET" })).json.tasks[0].result[0].price.backlinks.backlinks.live.priority_normal;
    expect(price).toEqual([{ cost_type: "per_request", cost: round(2.5 * PER_REQUEST) }, { cost_type: "per_result", cost: round(2.5 * PER_ROW) }]);
    emu.setPriceMultiplier(1);
    expect((await task(emu, "backlinks", { target: "dataforseo.com", limit: 7 })).cost).toBe(a.cost);
    expect(emu.stats().billedUsd).toBe(round(2 * a.cost + b.cost));
    expect(emu.stats().billedRequests).toBe(3);
    expect(() => emu!.setPriceMultiplier(-1)).toThrow(RangeError);
  });

  it("the priceMultiplier option applies from the first request", async () => {
    emu = await start({ priceMultiplier: 3 });
    expect((await task(emu, "summary", { target: "dataforseo.com" })).cost).toBe(round(3 * PER_REQUEST + 3 * PER_ROW));
  });
});

describe("faults after billing", () => {
  const cost = round(PER_REQUEST + 7 * PER_ROW);

  it("are listed as the faults that come after billing", () => {
    expect([...AFTER_BILL_FAULTS].sort()).toEqual(["hang_after_bill", "http502_after_bill", "redirect_result", "reset_after_bill"]);
  });

  it("reset_after_bill charges, then destroys the socket", async () => {
    emu = await start({ fault: { kind: "reset_after_bill", count: 1 } });
    await expect(raw(emu, "/v3/backlinks/backlinks/live", { body: BODY })).rejects.toThrow();
    expect(emu.stats()).toMatchObject({ billedUsd: cost, billedRequests: 1 });
    expect(await balance(emu)).toBe(round(100 - cost));
  });

  it("http502_after_bill charges, then answers a gateway's HTML 502", async () => {
    emu = await start({ fault: { kind: "http502_after_bill", count: 1 } });
    const r = await raw(emu, "/v3/backlinks/backlinks/live", { body: BODY });
    expect(r.status).toBe(502);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
    expect(r.text).toMatch(/502 Bad Gateway/);
    expect(emu.stats()).toMatchObject({ billedUsd: cost, billedRequests: 1 });
    expect(await balance(emu)).toBe(round(100 - cost));
  });

  it("redirect_result answers 302 whose body is the normal, billed envelope", async () => {
    emu = await start({ fault: { kind: "redirect_result", count: 1 } });
    const r = await raw(emu, "/v3/backlinks/backlinks/live", { body: BODY });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe("/v3/backlinks/backlinks/live");
    expect(r.json.status_code).toBe(20000);
    expect(r.json.tasks[0].cost).toBe(cost);
    expect(r.json.tasks[0].result[0].items_count).toBe(7);
    expect(emu.stats().billedUsd).toBe(cost);
  });

  it("hang_after_bill charges and never answers", async () => {
    emu = await start({ fault: { kind: "hang_after_bill", count: 1 } });
    const ac = new AbortController();
    const pending = request(`${emu.url}/v3/backlinks/backlinks/live`, {
      method: "POST", headers: { authorization: AUTH, "content-type": "application/json" }, body: BODY, signal: ac.signal,
    });
    // wait (bounded) until the request was executed and billed, then give up on it
    for (let i = 0; i < 200 && emu.stats().billedRequests === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(emu.stats()).toMatchObject({ billedUsd: cost, billedRequests: 1, inFlight: 1 });
    ac.abort();
    await expect(pending).rejects.toThrow();
    expect(await balance(emu)).toBe(round(100 - cost));
  });

  it("faults before billing charge nothing; failed tasks charge nothing", async () => {
    emu = await start({ fault: { kind: "reset", count: 1 } });
    await expect(raw(emu, "/v3/backlinks/backlinks/live", { body: BODY })).rejects.toThrow();
    expect((await post(emu, "backlinks", { target: "not a target" })).json.cost).toBe(0);
    expect(emu.stats()).toMatchObject({ billedUsd: 0, billedRequests: 0 });
    expect(await balance(emu)).toBe(100);
  });
});

describe("deposit", () => {
  it("each account starts with $100 unless depositUsd says otherwise, and a task it cannot pay is refused", async () => {
    emu = await start();
    expect(await balance(emu)).toBe(100);
    await emu.close();
    emu = await start({ depositUsd: 0.03 });
    expect(await balance(emu)).toBe(0.03);
    const first = await raw(emu, "/v3/backlinks/backlinks/live", { body: BODY });
    expect(first.json.tasks[0].status_code).toBe(20000);
    const second = await raw(emu, "/v3/backlinks/backlinks/live", { body: BODY });
    expect(second.json.tasks[0].status_code).toBe(40210);
    await emu.close();
    emu = null;
    await expect(start({ depositUsd: -1 })).rejects.toThrow(RangeError);
  });
});

// Envelope, auth, routing, body errors, cost and balance, determinism, counters and every fault kind.
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FAULT_KINDS, startEmulator, type Emulator, type FaultKind } from "../../src/emulator/index.js";
import { clearGraphCache } from "../../src/emulator/graph.js";
import statusCodes from "../../src/data/status-codes.json" with { type: "json" };
import { AUTH, NOW, post, raw, result, start, task } from "./helpers.js";

const message = (code: number) => statusCodes.codes.find((c) => c.code === code)!.message;
const PRICE_REQUEST = 0.024;
const PRICE_ROW = 0.000036;
const round8 = (n: number) => Math.round(n * 1e8) / 1e8;

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());
afterEach(() => {
  emu.setFault(null);
  emu.setLatency(0);
});

describe("envelope and requests", () => {
  it("has the full envelope on success", async () => {
    const r = await post(emu, "backlinks", { target: "forbes.com", limit: 3 });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(Object.keys(r.json)).toEqual(["version", "status_code", "status_message", "time", "cost", "tasks_count", "tasks_error", "tasks"]);
    expect(r.json).toMatchObject({ status_code: 20000, status_message: "Ok.", tasks_count: 1, tasks_error: 0 });
    expect(r.json.time).toMatch(/^\d+\.\d{4} sec\.$/);
    expect(Object.keys(r.json.tasks[0])).toEqual(["id", "status_code", "status_message", "time", "cost", "result_count", "path", "data", "result"]);
    expect(r.json.tasks[0].result_count).toBe(1);
  });

  it("rejects missing and wrong credentials with HTTP 401 / 40100", async () => {
    for (const auth of [null, `Basic ${Buffer.from("demo:wrong").toString("base64")}`, "Bearer x"]) {
      const r = await raw(emu, "/v3/backlinks/backlinks/live", { body: JSON.stringify([{ target: "forbes.com" }]), auth });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ status_code: 40100, status_message: message(40100), tasks: null, cost: 0, tasks_count: 0 });
    }
    const custom = await startEmulator({ login: "alice", password: "s3cret", now: NOW });
    try {
      const ok = await raw(custom, "/v3/backlinks/backlinks/live", { body: JSON.stringify([{ target: "forbes.com", limit: 1 }]), auth: `Basic ${Buffer.from("alice:s3cret").toString("base64")}` });
      expect(ok.status).toBe(200);
      expect((await raw(custom, "/v3/backlinks/backlinks/live", { body: "[]" })).status).toBe(401);
    } finally {
      await custom.close();
    }
  });

  it("opens more accounts when asked, each with its own balance", async () => {
    const team = await startEmulator({ now: NOW, moreAccounts: [{ login: "b", password: "pb" }] });
    const as = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`;
    try {
      const balance = async (auth: string) => {
        const r = await raw(team, "/v3/appendix/user_data", { method: "GET", auth });
        return (r.json as any).tasks[0].result[0].money.balance as number;
      };
      const paid = await raw(team, "/v3/backlinks/backlinks/live", { body: JSON.stringify([{ target: "forbes.com", limit: 1 }]), auth: as("b", "pb") });
      expect(paid.status).toBe(200);
      expect(await balance(as("b", "pb"))).toBeLessThan(100);
      expect(await balance(as("demo", "demo"))).toBe(100);
      expect((await raw(team, "/v3/backlinks/backlinks/live", { body: "[]", auth: as("b", "wrong") })).status).toBe(401);
      expect(team.stats().peakInFlightByAccount).toMatchObject({ b: 1, demo: 1 });
    } finally {
      await team.close();
    }
  });

  it("answers unknown paths and methods with HTTP 404 / 40400", async () => {
    for (const [path, method] of [["/v3/backlinks/no_such_function/live", "POST"], ["/nope", "GET"], ["/v3/backlinks/backlinks/live", "GET"]]) {
      const r = await raw(emu, path, { method, body: method === "POST" ? "[]" : undefined });
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ status_code: 40400, status_message: message(40400), tasks: null });
    }
  });

  it("reports empty and invalid bodies at the top level", async () => {
    for (const [body, code] of [["", 40502], ["[]", 40502], ["{}", 40502], ["{not json", 40503], ['"text"', 40503], ['{"target":"forbes.com"}', 40503]] as const) {
      const r = await raw(emu, "/v3/backlinks/backlinks/live", { body });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ status_code: code, status_message: message(code), tasks: null, cost: 0 });
    }
    const notObject = await raw(emu, "/v3/backlinks/backlinks/live", { body: "[5]" });
    expect(notObject.json.tasks[0].status_code).toBe(40503);
  });

  it("accepts the object-of-tasks form some official clients send", async () => {
    const r = await raw(emu, "/v3/backlinks/backlinks/live", { body: JSON.stringify({ 0: { target: "forbes.com", limit: 2 } }) });
    expect(r.json.tasks[0].status_code).toBe(20000);
    expect(r.json.tasks[0].result[0].items_count).toBe(2);
  });

  it("runs the first task only; extra tasks get 40000 and cost nothing", async () => {
    const body = JSON.stringify([{ target: "forbes.com", limit: 2 }, { target: "cnn.com" }, { target: "bbc.com", tag: "t3" }]);
    const r = await raw(emu, "/v3/backlinks/backlinks/live", { body });
    expect(r.json.tasks_count).toBe(3);
    expect(r.json.tasks_error).toBe(2);
    expect(r.json.tasks.map((t: { status_code: number }) => t.status_code)).toEqual([20000, 40000, 40000]);
    expect(r.json.tasks[1]).toMatchObject({ status_message: message(40000), cost: 0, result: null, result_count: 0 });
    expect(r.json.tasks[2].data).toEqual({ api: "backlinks", function: "backlinks", target: "bbc.com", tag: "t3" });
    expect(r.json.cost).toBe(r.json.tasks[0].cost);
    expect(new Set(r.json.tasks.map((t: { id: string }) => t.id)).size).toBe(3);
  });

  it("reports validation errors at task level with HTTP 200 and top-level 20000", async () => {
    const r = await post(emu, "referring_domains", { target: "forbes.com", limit: 0 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status_code: 20000, tasks_error: 1, cost: 0 });
    expect(r.json.tasks[0]).toMatchObject({ status_code: 40501, result: null, result_count: 0, cost: 0 });
  });
});

describe("cost and balance", () => {
  it("charges per request plus per returned row, on the task and the envelope", async () => {
    for (const [fn, params] of [
      ["backlinks", { target: "forbes.com", limit: 37 }],
      ["referring_domains", { target: "forbes.com", limit: 1000 }],
      ["domain_pages_summary", { target: "https://ahrefs.com/blog/" }],
      ["bulk_new_lost_referring_domains", { targets: ["forbes.com", "cnn.com", "bbc.com"] }],
      ["backlinks", { target: "site3.example", limit: 5 }],
    ] as const) {
      const r = await post(emu, fn, params);
      const t = r.json.tasks[0];
      expect(t.status_code).toBe(20000);
      expect(t.cost).toBe(round8(PRICE_REQUEST + PRICE_ROW * t.result[0].items_count));
      expect(r.json.cost).toBe(t.cost);
    }
  });

  it("user_data is free, has the documented shape and shows the balance going down", async () => {
    const own = await start();
    try {
      const get = async () => {
        const r = await raw(own, "/v3/appendix/user_data", { method: "GET" });
        expect(r.status).toBe(200);
        expect(r.json.cost).toBe(0);
        expect(r.json.tasks[0].path).toEqual(["v3", "appendix", "user_data"]);
        expect(r.json.tasks[0].data).toEqual({ api: "appendix", function: "user_data" });
        return r.json.tasks[0].result[0];
      };
      const before = await get();
      expect(before.login).toBe("demo");
      expect(before.money.balance).toBe(100);
      expect(before.money.total).toBe(100);
      expect(before.rates.limits.minute).toBe(2000);
      expect(before.rates.limits.day).toBeGreaterThan(2000);
      expect(before.price.backlinks.backlinks.live.priority_normal).toEqual([
        { cost_type: "per_request", cost: PRICE_REQUEST },
        { cost_type: "per_result", cost: PRICE_ROW },
      ]);
      for (const fn of ["referring_domains", "bulk_new_lost_referring_domains", "domain_pages_summary"]) expect(before.price.backlinks[fn]).toBeDefined();
      expect(before.backlinks_subscription_expiry_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$/);
      const a = await task(own, "backlinks", { target: "forbes.com", limit: 100 });
      const b = await task(own, "referring_domains", { target: "cnn.com", limit: 10 });
      await task(own, "backlinks", { target: "forbes.com", limit: 0 });
      const after = await get();
      expect(after.money.balance).toBe(round8(100 - a.cost - b.cost));
      expect(after.rates.statistics.day.backlinks).toEqual({ backlinks: 1, referring_domains: 1 });
      expect((await raw(own, "/v3/appendix/user_data", { method: "GET", auth: null })).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe("determinism", () => {
  const calls: [string, Record<string, unknown>][] = [
    ["backlinks", { target: "forbes.com", limit: 200, filters: ["dofollow", "=", true], order_by: ["first_seen,desc"] }],
    ["backlinks", { target: "site7.example", limit: 50 }],
    ["referring_domains", { target: "backlinko.com", limit: 100 }],
    ["domain_pages_summary", { target: "yelp.com", limit: 100 }],
    ["bulk_new_lost_referring_domains", { targets: ["cnn.com", "https://www.apple.com/iphone/"] }],
  ];

  it("same seed and date give byte-identical responses; another seed differs", async () => {
    const a = await startEmulator({ seed: 7, now: NOW });
    const b = await startEmulator({ seed: 7, now: NOW });
    const c = await startEmulator({ seed: 8, now: NOW });
    try {
      for (const [fn, params] of calls) {
        const ra = await post(a, fn, params);
        clearGraphCache(); // b regenerates the data from scratch
        const [rb, rc] = await Promise.all([post(b, fn, params), post(c, fn, params)]);
        expect(ra.text).toBe(rb.text);
        expect(ra.json.tasks[0].status_code).toBe(20000);
        expect(rc.json.tasks[0].result).not.toEqual(ra.json.tasks[0].result);
      }
      const [ua, ub] = await Promise.all([raw(a, "/v3/appendix/user_data", { method: "GET" }), raw(b, "/v3/appendix/user_data", { method: "GET" })]);
      expect(ua.text).toBe(ub.text);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("dates follow the reference date", async () => {
    const later = await startEmulator({ now: new Date("2027-03-10T00:00:00Z") });
    try {
      const r = await result(later, "backlinks", { target: "forbes.com", limit: 1000 });
      for (const i of r.items) {
        expect(i.last_seen < "2027-03-10").toBe(true);
        expect(i.last_seen >= "2027-02-01").toBe(true);
      }
    } finally {
      await later.close();
    }
  });
});

describe("counters", () => {
  it("counts requests per path, including failed ones, and the peak in flight", async () => {
    emu.resetStats();
    emu.setLatency(300);
    await Promise.all(Array.from({ length: 5 }, () => post(emu, "backlinks", { target: "forbes.com", limit: 1 })));
    await raw(emu, "/nope", { method: "GET" });
    emu.setLatency(0);
    await raw(emu, "/v3/backlinks/backlinks/live", { body: "[]", auth: null });
    const s = emu.stats();
    expect(s.requests).toBe(7);
    expect(s.byPath).toEqual({ "/v3/backlinks/backlinks/live": 6, "/nope": 1 });
    expect(s.peakInFlight).toBe(5);
    // Per account too; the request without credentials opens none.
    expect(s.peakInFlightByAccount).toEqual({ demo: 5 });
    expect(s.inFlight).toBe(0);
    emu.resetStats();
    expect(emu.stats()).toEqual({ requests: 0, inFlight: 0, peakInFlight: 0, peakInFlightByAccount: {}, byPath: {}, billedUsd: 0, billedRequests: 0 });
  });
});

describe("faults", () => {
  const body = JSON.stringify([{ target: "forbes.com", limit: 5, tag: "f" }]);
  const send = () => raw(emu, "/v3/backlinks/backlinks/live", { body });

  it("knows every fault kind", () => {
    expect([...FAULT_KINDS].sort()).toEqual([
      "code40100", "code40202", "code40204", "code40209", "code40210", "code50000", "code50301", "code50401",
      "hang", "hang_after_bill", "http429", "http500", "http502_after_bill", "http502_html", "redirect_result", "reset",
      "reset_after_bill", "slow_body", "truncated",
    ]);
  });

  it("http500 and http502_html answer with HTML", async () => {
    for (const [kind, status] of [["http500", 500], ["http502_html", 502]] as const) {
      emu.setFault({ kind });
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.headers["content-type"]).toMatch(/text\/html/);
      expect(r.text).toMatch(/^<html>/);
      expect(r.json).toBeUndefined();
    }
  });

  it("http429 carries Retry-After", async () => {
    emu.setFault({ kind: "http429", retryAfterSec: 7 });
    const r = await send();
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("7");
  });

  it("rate-limit and auth codes come at the top level with tasks null", async () => {
    for (const [kind, code, status] of [["code40202", 40202, 200], ["code40209", 40209, 200], ["code40100", 40100, 401]] as const) {
      emu.setFault({ kind });
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.json).toMatchObject({ status_code: code, status_message: message(code), tasks: null, cost: 0 });
    }
  });

  it("server, subscription and funds codes come as a task error under 20000", async () => {
    for (const kind of ["code50000", "code50301", "code50401", "code40204", "code40210"] as FaultKind[]) {
      const code = Number(kind.slice(4));
      emu.setFault({ kind });
      const r = await send();
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ status_code: 20000, tasks_error: 1, cost: 0 });
      expect(r.json.tasks[0]).toMatchObject({ status_code: code, status_message: message(code), result: null, cost: 0 });
      expect(r.json.tasks[0].data.tag).toBe("f");
    }
  });

  it("reset destroys the connection without an answer", async () => {
    emu.setFault({ kind: "reset" });
    await expect(send()).rejects.toThrow();
    expect(emu.stats().inFlight).toBe(0);
  });

  it("truncated sends valid headers and half a JSON body", async () => {
    emu.setFault({ kind: "truncated" });
    const r = await send();
    expect(r.status).toBe(200);
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.text));
    expect(r.text.startsWith('{"version"')).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it("slow_body trickles a complete body in several chunks", async () => {
    emu.setFault({ kind: "slow_body", slowBodyMs: 200 });
    const res = await request(`${emu.url}/v3/backlinks/backlinks/live`, { method: "POST", headers: { authorization: AUTH }, body });
    let chunks = 0;
    let text = "";
    for await (const chunk of res.body) {
      chunks++;
      text += chunk.toString();
    }
    expect(chunks).toBeGreaterThan(1);
    expect(JSON.parse(text).tasks[0].result[0].items_count).toBe(5);
  });

  it("hang never answers until the client gives up; close() still returns", async () => {
    const own = await start({ fault: { kind: "hang" } });
    const pending = request(`${own.url}/v3/backlinks/backlinks/live`, { method: "POST", headers: { authorization: AUTH }, body, signal: AbortSignal.timeout(300) });
    await expect(pending).rejects.toThrow();
    const second = request(`${own.url}/v3/backlinks/backlinks/live`, { method: "POST", headers: { authorization: AUTH }, body }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(own.stats().inFlight).toBeGreaterThan(0);
    await own.close();
    expect(await second).toBeInstanceOf(Error);
  });

  it("count fails only the first N requests, then serves normally", async () => {
    emu.setFault({ kind: "http500", count: 2 });
    expect((await send()).status).toBe(500);
    expect((await send()).status).toBe(500);
    const ok = await send();
    expect(ok.status).toBe(200);
    expect(ok.json.tasks[0].status_code).toBe(20000);
    emu.setFault({ kind: "code40209", count: 1 });
    expect((await send()).json.status_code).toBe(40209);
    expect((await send()).json.status_code).toBe(20000);
  });

  it("faults given at start apply, and faulted requests are counted and free", async () => {
    const own = await start({ fault: { kind: "code50000", count: 1 } });
    try {
      const first = await raw(own, "/v3/backlinks/backlinks/live", { body });
      expect(first.json.tasks[0].status_code).toBe(50000);
      const user = await raw(own, "/v3/appendix/user_data", { method: "GET" });
      expect(user.json.tasks[0].result[0].money.balance).toBe(100);
      expect(own.stats().requests).toBe(2);
    } finally {
      await own.close();
    }
  });
});

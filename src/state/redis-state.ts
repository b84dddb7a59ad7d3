// HostedState over Redis, shared by every replica. Each change that must be atomic (a bounded
// insert, a spend reservation, a place among the requests in flight) is one Lua script, timed by
// the Redis server's clock so replicas with skewed clocks agree. Every key has a TTL; every map is
// bounded per namespace; every key of a tenant shares one hash tag, {t:<tenant>:<account hash>}.
// Any failure surfaces as StateUnavailableError: the caller refuses to spend (fails closed).
import { createHash } from "node:crypto";
import { randomId } from "./random-id.js";
import { Redis } from "ioredis";
import type { PageState } from "../paging/paging-store.js";
import type { CachedResult } from "../tools/deps.js";
import {
  StateUnavailableError,
  dayOf,
  monthOf,
  storedBytes,
  type HostedState,
  type MapBounds,
  type Namespace,
  type Reserved,
  type SlotLimits,
  type SlotResult,
  type SpendCaps,
  type SpendTotals,
} from "../hosted/state.js";

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Insert into a bounded map: drop expired and oldest entries until the new one fits its bounds. */
const PUT_BOUNDED = `${NOW}
local idx, sizes, total = KEYS[1], KEYS[2], KEYS[3]
local prefix, member, value = ARGV[1], ARGV[2], ARGV[3]
local ttl, maxEntries, maxBytes, bytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local function drop(m)
  local size = tonumber(redis.call('HGET', sizes, m) or '0')
  redis.call('HDEL', sizes, m)
  redis.call('ZREM', idx, m)
  redis.call('DEL', prefix .. m)
  if size > 0 then redis.call('DECRBY', total, size) end
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', idx, '-inf', now)) do drop(m) end
drop(member)
while true do
  local n = redis.call('ZCARD', idx)
  if n == 0 then break end
  local used = tonumber(redis.call('GET', total) or '0')
  if n < maxEntries and used + bytes <= maxBytes then break end
  drop(redis.call('ZRANGE', idx, 0, 0)[1])
end
redis.call('SET', prefix .. member, value, 'PX', ttl)
redis.call('ZADD', idx, now + ttl, member)
redis.call('HSET', sizes, member, bytes)
redis.call('INCRBY', total, bytes)
redis.call('PEXPIRE', idx, ttl)
redis.call('PEXPIRE', sizes, ttl)
redis.call('PEXPIRE', total, ttl)
return 1
`;

/** Sum of holds still counted (expired ones are dropped on the way). */
const HELD = `
local function held(zset, amounts, now)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', zset, '-inf', now)) do redis.call('HDEL', amounts, id) end
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
  local sum = 0
  for _, v in ipairs(redis.call('HVALS', amounts)) do sum = sum + tonumber(v) end
  return sum
end
local function spent(h)
  local v = redis.call('HMGET', h, 'b', 'p')
  return (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
end
`;

/** KEYS day, month, holds zset, hold amounts; ARGV estimate, daily cap (-1 none), monthly cap, id, ttl. */
const RESERVE = `${NOW}${HELD}
local est, dcap, mcap, id, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local h = held(KEYS[3], KEYS[4], now)
local ds, ms = spent(KEYS[1]), spent(KEYS[2])
if dcap >= 0 and ds + h + est > dcap then
  redis.call('HINCRBY', KEYS[1], 'f', 1)
  redis.call('HINCRBY', KEYS[2], 'f', 1)
  return {0, 'daily', ds, h, dcap}
end
if mcap >= 0 and ms + h + est > mcap then
  redis.call('HINCRBY', KEYS[1], 'f', 1)
  redis.call('HINCRBY', KEYS[2], 'f', 1)
  return {0, 'monthly', ms, h, mcap}
end
redis.call('ZADD', KEYS[3], now + ttl, id)
redis.call('HSET', KEYS[4], id, est)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('PEXPIRE', KEYS[4], ttl)
redis.call('PEXPIRE', KEYS[1], 3 * 86400000)
redis.call('PEXPIRE', KEYS[2], 62 * 86400000)
return {1}
`;

/** KEYS day, month, holds zset, hold amounts, settled marker; ARGV id, billed, possibly billed. */
const SETTLE = `
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('SET', KEYS[5], '1', 'NX', 'PX', 86400000) then
  for _, k in ipairs({KEYS[1], KEYS[2]}) do
    redis.call('HINCRBY', k, 'b', ARGV[2])
    redis.call('HINCRBY', k, 'p', ARGV[3])
    redis.call('HINCRBY', k, 'c', 1)
  end
  redis.call('PEXPIRE', KEYS[1], 3 * 86400000)
  redis.call('PEXPIRE', KEYS[2], 62 * 86400000)
end
return 1
`;

/** KEYS day, month, holds zset, hold amounts → {day b, p, c, f, month b, p, c, f, held}. */
const TOTALS = `${NOW}${HELD}
local d = redis.call('HMGET', KEYS[1], 'b', 'p', 'c', 'f')
local m = redis.call('HMGET', KEYS[2], 'b', 'p', 'c', 'f')
local out = {}
for i = 1, 4 do out[i] = tonumber(d[i]) or 0 end
for i = 1, 4 do out[i + 4] = tonumber(m[i]) or 0 end
out[9] = held(KEYS[3], KEYS[4], now)
return out
`;

/** KEYS slots zset, starts zset; ARGV id, max in flight, per minute, lease → 0 ok, -1 full, n ms until the rate allows. */
const ACQUIRE = `${NOW}
local id, max, rate, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
if redis.call('ZCARD', KEYS[1]) >= max then return -1 end
if redis.call('ZCARD', KEYS[2]) >= rate then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + 60000 - now)
end
redis.call('ZADD', KEYS[1], now + lease, id)
redis.call('ZADD', KEYS[2], now, id)
redis.call('PEXPIRE', KEYS[1], lease * 2)
redis.call('PEXPIRE', KEYS[2], 120000)
return 0
`;

const RENEW = `${NOW}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1
`;

interface Scripts {
  bmcpPut(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<number>;
  bmcpReserve(k1: string, k2: string, k3: string, k4: string, ...args: (string | number)[]): Promise<(number | string)[]>;
  bmcpSettle(k1: string, k2: string, k3: string, k4: string, k5: string, ...args: (string | number)[]): Promise<number>;
  bmcpTotals(k1: string, k2: string, k3: string, k4: string): Promise<number[]>;
  bmcpAcquire(k1: string, k2: string, ...args: (string | number)[]): Promise<number>;
  bmcpRenew(k1: string, ...args: (string | number)[]): Promise<number>;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

export interface RedisStateOptions {
  /** Longest wait for one command before the store counts as unreachable (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Key prefix (default "bmcp"). */
  prefix?: string;
  log?: (level: "error" | "info", line: string) => void;
}

export class RedisState implements HostedState {
  readonly kind = "redis" as const;
  private readonly redis: Redis & Scripts;
  private readonly prefix: string;
  private readonly log: NonNullable<RedisStateOptions["log"]>;
  private up = false;

  constructor(url: string, options: RedisStateOptions = {}) {
    this.prefix = options.prefix ?? "bmcp";
    this.log = options.log ?? (() => undefined);
    const timeout = options.commandTimeoutMs ?? 2000;
    const redis = new Redis(url, {
      // Fail at once while disconnected instead of queueing: spending is refused, not delayed.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeout,
      connectTimeout: timeout,
      // Keep trying to reconnect, every second at most: the server recovers by itself.
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
      lazyConnect: false,
    });
    redis.defineCommand("bmcpPut", { numberOfKeys: 3, lua: PUT_BOUNDED });
    redis.defineCommand("bmcpReserve", { numberOfKeys: 4, lua: RESERVE });
    redis.defineCommand("bmcpSettle", { numberOfKeys: 5, lua: SETTLE });
    redis.defineCommand("bmcpTotals", { numberOfKeys: 4, lua: TOTALS });
    redis.defineCommand("bmcpAcquire", { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand("bmcpRenew", { numberOfKeys: 1, lua: RENEW });
    redis.on("ready", () => {
      if (!this.up) this.log("info", "shared state store reachable");
      this.up = true;
    });
    redis.on("error", () => {
      if (this.up) this.log("error", "shared state store unreachable: calls that spend are refused until it returns");
      this.up = false;
    });
    redis.on("end", () => (this.up = false));
    this.redis = redis as Redis & Scripts;
  }

  /** Resolves once connected, or after `ms` whatever happened (the store may come up later). */
  ready(ms = 3000): Promise<boolean> {
    if (this.redis.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off("ready", onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.redis.once("ready", onReady);
    });
  }

  private tag(ns: Namespace): string {
    return `${this.prefix}:{t:${ns.tenant}:${ns.account}}`;
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new StateUnavailableError(err);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async getCursor(ns: Namespace, handleOrToken: string): Promise<PageState | undefined> {
    const base = `${this.tag(ns)}:cursor:`;
    return this.run(async () => {
      let text = await this.redis.get(base + "v:" + handleOrToken);
      if (text === null) {
        const handle = await this.redis.get(base + "tok:" + sha(handleOrToken));
        if (handle !== null) text = await this.redis.get(base + "v:" + handle);
      }
      return text === null ? undefined : (JSON.parse(text) as PageState);
    });
  }

  async putCursor(ns: Namespace, handle: string, state: PageState, bounds: MapBounds): Promise<void> {
    const base = `${this.tag(ns)}:cursor:`;
    const text = JSON.stringify(state);
    await this.run(async () => {
      await this.redis.bmcpPut(base + "idx", base + "sizes", base + "bytes", base + "v:", handle, text, bounds.ttlMs, bounds.maxEntries, bounds.maxBytes, storedBytes(text));
      const token = state.held === null ? state.next?.searchAfterToken : undefined;
      if (token) await this.redis.set(base + "tok:" + sha(token), handle, "PX", bounds.ttlMs);
    });
  }

  async getCached(ns: Namespace, key: string): Promise<{ value: CachedResult; ageMs: number } | undefined> {
    const text = await this.run(() => this.redis.get(`${this.tag(ns)}:cache:v:${key}`));
    if (text === null) return undefined;
    const entry = JSON.parse(text) as { at: number; v: CachedResult };
    return { value: entry.v, ageMs: Math.max(0, Date.now() - entry.at) };
  }

  async putCached(ns: Namespace, key: string, value: CachedResult, bounds: MapBounds): Promise<void> {
    const base = `${this.tag(ns)}:cache:`;
    const text = JSON.stringify({ at: Date.now(), v: value });
    const bytes = storedBytes(text);
    if (bounds.ttlMs <= 0 || bytes > bounds.maxBytes) return;
    await this.run(() => this.redis.bmcpPut(base + "idx", base + "sizes", base + "bytes", base + "v:", key, text, bounds.ttlMs, bounds.maxEntries, bounds.maxBytes, bytes));
  }

  private spendKeys(ns: Namespace, now: number): [string, string, string, string] {
    const t = this.tag(ns);
    return [`${t}:spend:day:${dayOf(now)}`, `${t}:spend:month:${monthOf(now)}`, `${t}:spend:holds`, `${t}:spend:amounts`];
  }

  async reserve(ns: Namespace, estimateNanos: number, caps: SpendCaps, ttlMs: number, now = Date.now()): Promise<Reserved> {
    const id = randomId(9);
    const reply = await this.run(() =>
      this.redis.bmcpReserve(...this.spendKeys(ns, now), estimateNanos, caps.dailyNanos ?? -1, caps.monthlyNanos ?? -1, id, ttlMs),
    );
    if (Number(reply[0]) === 1) return { ok: true, id };
    return {
      ok: false,
      cap: reply[1] === "monthly" ? "monthly" : "daily",
      spentNanos: Number(reply[2]),
      reservedNanos: Number(reply[3]),
      capNanos: Number(reply[4]),
    };
  }

  async settle(ns: Namespace, id: string, billedNanos: number, possiblyBilledNanos: number, now = Date.now()): Promise<void> {
    await this.run(() =>
      this.redis.bmcpSettle(...this.spendKeys(ns, now), `${this.tag(ns)}:spend:settled:${id}`, id, Math.round(billedNanos), Math.round(possiblyBilledNanos)),
    );
  }

  async release(ns: Namespace, id: string): Promise<void> {
    const [, , holds, amounts] = this.spendKeys(ns, Date.now());
    await this.run(() => this.redis.multi().zrem(holds, id).hdel(amounts, id).exec());
  }

  async totals(ns: Namespace, now = Date.now()): Promise<SpendTotals> {
    const v = (await this.run(() => this.redis.bmcpTotals(...this.spendKeys(ns, now)))).map(Number);
    const tally = (i: number) => ({ billedNanos: v[i]!, possiblyBilledNanos: v[i + 1]!, calls: v[i + 2]!, refusals: v[i + 3]! });
    return { today: tally(0), month: tally(4), reservedNanos: v[8]! };
  }

  private slotKeys(account: string): [string, string] {
    const t = `${this.prefix}:{a:${account}}`;
    return [`${t}:slots`, `${t}:starts`];
  }

  async acquireSlot(account: string, limits: SlotLimits): Promise<SlotResult> {
    const id = randomId(9);
    const reply = Number(
      await this.run(() => this.redis.bmcpAcquire(...this.slotKeys(account), id, limits.maxInFlight, limits.ratePerMinute, limits.leaseMs)),
    );
    if (reply === 0) return { ok: true, id };
    return { ok: false, retryMs: reply < 0 ? 5 : reply };
  }

  async renewSlot(account: string, id: string, leaseMs: number): Promise<void> {
    await this.run(() => this.redis.bmcpRenew(this.slotKeys(account)[0], id, leaseMs));
  }

  async releaseSlot(account: string, id: string): Promise<void> {
    await this.run(() => this.redis.zrem(this.slotKeys(account)[0], id));
  }

  async close(): Promise<void> {
    this.redis.disconnect(false);
  }
}

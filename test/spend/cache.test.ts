import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ResponseCache, cacheKey, stableStringify } from "../../src/spend/cache.js";

function clock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("ResponseCache TTL", () => {
  it("serves an entry with its age until the TTL runs out, then drops it", () => {
    const c = clock(1_000);
    const cache = new ResponseCache<string>({ ttlMs: 60_000, maxBytes: 1000, now: c.now });
    cache.set("k", "v", 10);
    c.advance(59_999);
    expect(cache.get("k")).toEqual({ value: "v", ageMs: 59_999 });
    c.advance(1);
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("with TTL 0 stores nothing and always misses", () => {
    const cache = new ResponseCache<string>({ ttlMs: 0, maxBytes: 1000, now: clock().now });
    cache.set("k", "v", 10);
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.enabled).toBe(false);
  });

  it("prune drops only expired entries", () => {
    const c = clock();
    const cache = new ResponseCache<number>({ ttlMs: 100, maxBytes: 1000, now: c.now });
    cache.set("old", 1, 5);
    c.advance(60);
    cache.set("new", 2, 7);
    c.advance(40);
    expect(cache.prune()).toBe(1);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(7);
    expect(cache.get("new")?.value).toBe(2);
  });
});

describe("ResponseCache size bound", () => {
  it("evicts the least recently used entry first", () => {
    const cache = new ResponseCache<string>({ ttlMs: 1000, maxBytes: 30, now: clock().now });
    cache.set("a", "A", 10);
    cache.set("b", "B", 10);
    cache.set("c", "C", 10);
    expect(cache.get("a")?.value).toBe("A"); // a is now the most recent
    cache.set("d", "D", 10);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.value).toBe("A");
    expect(cache.get("c")?.value).toBe("C");
    expect(cache.get("d")?.value).toBe("D");
    cache.set("e", "E", 20); // needs two slots: a then c are the oldest now
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBeUndefined();
    expect(cache.get("d")?.value).toBe("D");
    expect(cache.bytes).toBe(30);
  });

  it("does not store an entry larger than the bound, and drops the key's old value", () => {
    const cache = new ResponseCache<string>({ ttlMs: 1000, maxBytes: 100, now: clock().now });
    cache.set("small", "s", 40);
    cache.set("k", "old", 50);
    cache.set("k", "huge", 101);
    expect(cache.get("k")).toBeUndefined();
    expect(cache.get("small")?.value).toBe("s");
    expect(cache.bytes).toBe(40);
    cache.set("exact", "x", 100);
    expect(cache.get("exact")?.value).toBe("x");
    expect(cache.bytes).toBe(100);
  });

  it("replacing a key counts its bytes once", () => {
    const cache = new ResponseCache<string>({ ttlMs: 1000, maxBytes: 100, now: clock().now });
    cache.set("k", "v1", 30);
    cache.set("k", "v2", 45);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(45);
    expect(cache.get("k")?.value).toBe("v2");
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("stays within maxBytes over 10,000 distinct inserts", () => {
    const maxBytes = 50_000;
    const cache = new ResponseCache<number>({ ttlMs: 3_600_000, maxBytes, now: clock().now });
    const sizes = fc.sample(fc.integer({ min: 0, max: 6_000 }), { numRuns: 10_000, seed: 42 });
    let peak = 0;
    sizes.forEach((bytes, i) => {
      cache.set(`key-${i}`, i, bytes);
      peak = Math.max(peak, cache.bytes);
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    });
    expect(peak).toBeGreaterThan(maxBytes - 6_000); // the cache did fill up
    // The newest entry survives, and the byte count equals what is held.
    expect(cache.get(`key-${sizes.length - 1}`)?.value).toBe(sizes.length - 1);
    let held = 0;
    let count = 0;
    sizes.forEach((bytes, i) => {
      if (cache.get(`key-${i}`) !== undefined) {
        held += bytes;
        count += 1;
      }
    });
    expect(count).toBe(cache.size);
    expect(held).toBe(cache.bytes);
  });

  it("matches a simple reference model under random operations", () => {
    type Op = { kind: "set"; key: number; bytes: number } | { kind: "get"; key: number } | { kind: "wait"; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 9 }), bytes: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant("get" as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const ttlMs = 50;
        const maxBytes = 100;
        const c = clock();
        const cache = new ResponseCache<string>({ ttlMs, maxBytes, now: c.now });
        // Model: array ordered from least to most recently used.
        let model: { key: string; value: string; at: number; bytes: number }[] = [];
        ops.forEach((o, step) => {
          if (o.kind === "wait") {
            c.advance(o.ms);
          } else if (o.kind === "set") {
            const key = String(o.key);
            model = model.filter((e) => e.key !== key);
            if (o.bytes <= maxBytes) {
              while (model.reduce((s, e) => s + e.bytes, 0) + o.bytes > maxBytes) model.shift();
              model.push({ key, value: `v${step}`, at: c.now(), bytes: o.bytes });
            }
            cache.set(key, `v${step}`, o.bytes);
          } else {
            const key = String(o.key);
            const i = model.findIndex((e) => e.key === key);
            let expected: { value: string; ageMs: number } | undefined;
            if (i >= 0) {
              const [e] = model.splice(i, 1);
              if (c.now() - e.at < ttlMs) {
                model.push(e);
                expected = { value: e.value, ageMs: c.now() - e.at };
              }
            }
            expect(cache.get(key)).toEqual(expected);
          }
          expect(cache.size).toBe(model.length);
          expect(cache.bytes).toBe(model.reduce((s, e) => s + e.bytes, 0));
        });
      }),
      { numRuns: 200 },
    );
  });

  it("rejects bad options and sizes", () => {
    expect(() => new ResponseCache({ ttlMs: -1, maxBytes: 10 })).toThrow(RangeError);
    expect(() => new ResponseCache({ ttlMs: 10, maxBytes: Number.NaN })).toThrow(RangeError);
    expect(() => new ResponseCache({ ttlMs: 10, maxBytes: 10 }).set("k", 1, -5)).toThrow(RangeError);
  });
});

describe("stableStringify", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe(
      stableStringify({ a: { c: "x", d: [3, { y: 2, z: 1 }] }, b: 1 }),
    );
    expect(stableStringify([2, 1])).not.toBe(stableStringify([1, 2]));
    expect(stableStringify({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it("drops undefined from objects, like JSON", () => {
    expect(stableStringify({ a: 1, b: undefined })).toBe(stableStringify({ a: 1 }));
    expect(stableStringify([undefined])).toBe("[null]");
  });

  it("round-trips any JSON value to the same data", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(stableStringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("throws on a cycle instead of looping", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => stableStringify(a)).toThrow(TypeError);
  });
});

describe("cacheKey", () => {
  const params = {
    target: "example.com",
    limit: 100,
    filters: ["dofollow", "=", true],
    order_by: ["rank,desc"],
    nested: { x: 1, y: [1, 2] },
    tag: "first",
  };
  const key = cacheKey("/v3/backlinks/backlinks/live", params, "cred-hash-1");

  it("is a sha256 hex, so it holds no parameter or credential text", () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores key order, undefined values and the tag", () => {
    const reordered = {
      tag: "second",
      nested: { y: [1, 2], x: 1 },
      order_by: ["rank,desc"],
      filters: ["dofollow", "=", true],
      limit: 100,
      target: "example.com",
      offset: undefined,
    };
    expect(cacheKey("/v3/backlinks/backlinks/live", reordered, "cred-hash-1")).toBe(key);
    const { tag: _tag, ...untagged } = params;
    expect(cacheKey("/v3/backlinks/backlinks/live", untagged, "cred-hash-1")).toBe(key);
  });

  it("changes with any parameter, the endpoint or the credentials", () => {
    const other = [
      cacheKey("/v3/backlinks/backlinks/live", { ...params, limit: 101 }, "cred-hash-1"),
      cacheKey("/v3/backlinks/backlinks/live", { ...params, target: "Example.com" }, "cred-hash-1"),
      cacheKey("/v3/backlinks/backlinks/live", { ...params, nested: { x: 1, y: [2, 1] } }, "cred-hash-1"),
      cacheKey("/v3/backlinks/backlinks/live", { ...params, offset: 0 }, "cred-hash-1"),
      cacheKey("/v3/backlinks/referring_domains/live", params, "cred-hash-1"),
      cacheKey("/v3/backlinks/backlinks/live", params, "cred-hash-2"),
    ];
    expect(new Set([key, ...other]).size).toBe(other.length + 1);
  });

  it("keeps the endpoint and credential apart (no ambiguous joins)", () => {
    expect(cacheKey("/a", {}, "b/c")).not.toBe(cacheKey("/a/b", {}, "c"));
  });
});

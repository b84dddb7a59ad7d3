import { describe, expect, it } from "vitest";
import { randomId } from "../../src/state/random-id.js";

describe("randomId", () => {
  it("gives ids of the asked length in base64url or hex, never the same twice", () => {
    const seen = new Set<string>();
    // More than one pool's worth, so refills are crossed.
    for (let i = 0; i < 2000; i++) {
      const id = randomId(9);
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
    }
    for (let i = 0; i < 600; i++) expect(randomId(8, "hex")).toMatch(/^[0-9a-f]{16}$/);
    expect(randomId(256)).toHaveLength(342);
  });

  it("spreads bytes evenly (no byte value stuck or missing)", () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 4000; i++) for (const c of randomId(16, "hex")) counts[parseInt(c, 16)]!++;
    // 128,000 hex digits: 8,000 expected each; 7,400-8,600 is more than 6 standard deviations.
    for (const n of counts) {
      expect(n).toBeGreaterThan(7400);
      expect(n).toBeLessThan(8600);
    }
  });

  it("refuses sizes outside 1-256 bytes", () => {
    for (const bad of [0, -1, 1.5, 257, Number.NaN]) expect(() => randomId(bad)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { CursorStore, HANDLE_PREFIX, type CursorState } from "../../src/paging/cursors.js";

const state = (n: number, token?: string): CursorState => ({
  tool: "backlinks_backlinks",
  args: { target: `t${n}.com` },
  held: null,
  next: token ? { searchAfterToken: token } : { offset: n },
  shown: n,
});

describe("CursorStore", () => {
  it("issues short handles that resolve to their state", () => {
    const store = new CursorStore({ max: 10, ttlMs: 1000 });
    const h = store.issue(state(1));
    expect(h.startsWith(HANDLE_PREFIX)).toBe(true);
    expect(h.length).toBeLessThanOrEqual(32);
    expect(store.get(h)?.args).toEqual({ target: "t1.com" });
    expect(store.get("bl_unknown")).toBeUndefined();
  });

  it("resolves DataForSEO's raw token to the same state", () => {
    const store = new CursorStore({ max: 10, ttlMs: 1000 });
    store.issue(state(2, "RAW-TOKEN-abc"));
    expect(store.get("RAW-TOKEN-abc")?.shown).toBe(2);
  });

  it("expires by age", () => {
    let now = 0;
    const store = new CursorStore({ max: 10, ttlMs: 1000, now: () => now });
    const h = store.issue(state(1, "tok"));
    now = 999;
    expect(store.get(h)).toBeDefined();
    now = 1001;
    expect(store.get(h)).toBeUndefined();
    expect(store.get("tok")).toBeUndefined();
  });

  it("keeps at most max cursors, dropping the oldest", () => {
    const store = new CursorStore({ max: 3, ttlMs: 60_000 });
    const handles = [1, 2, 3, 4, 5].map((n) => store.issue(state(n)));
    expect(store.size).toBe(3);
    expect(store.get(handles[0]!)).toBeUndefined();
    expect(store.get(handles[1]!)).toBeUndefined();
    expect(store.get(handles[4]!)?.shown).toBe(5);
  });

  it("bounds the bytes of held rows", () => {
    const store = new CursorStore({ max: 100, ttlMs: 60_000, maxBytes: 1000 });
    const held = JSON.stringify(["x".repeat(146)]); // 150 characters, counted as 300 bytes
    for (let i = 0; i < 10; i++) store.issue({ ...state(i), held });
    expect(store.heldBytes).toBeLessThanOrEqual(1000);
    expect(store.size).toBe(3);
    // held rows do not map a raw token: it belongs to the page after them
    const withToken = store.issue({ ...state(11, "TOK"), held });
    expect(store.get("TOK")).toBeUndefined();
    expect(store.get(withToken)?.held).toBe(held);
  });
});

// Thousands of random and malformed arguments through the real server: every answer is a tool result
// (isError or not), never a protocol error, a crash or an unhandled rejection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { startHarness, type Harness } from "./harness.js";

import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { OTHER_MEMBERS } from "../../src/tools/toolsets.js";

// Every tool the server registers, so a new endpoint is fuzzed without touching this file.
const TOOLS = [...ENDPOINT_TOOLS.map((t) => t.name), ...Object.values(OTHER_MEMBERS).flat(), "backlinks_next_page", "backlinks_usage"];

const fieldNames = fc.constantFrom("rank", "dofollow", "anchor", "first_seen", "backlinks", "domain", "url", "rnak", "referring_links_tld.com", "", "a.b.c");
const ops = fc.constantFrom("=", "<>", ">", "<", "like", "ilike", "in", "not_in", "regex", "match", "has", "contains", "and", "or");
const values = fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.constant("2024-01-01"), fc.constant("(["));
const condition = fc.tuple(fieldNames, ops, values);
const filterExpr = fc.oneof(
  condition,
  fc.tuple(condition, fc.constantFrom("and", "or", "xor"), condition),
  fc.array(fc.oneof(condition, fc.constantFrom("and", "or")), { maxLength: 20 }),
  fc.anything(),
);

// Mostly plausible arguments with random mistakes, plus pure noise.
const argsArb = fc.oneof(
  fc.record(
    {
      target: fc.oneof(fc.constantFrom("forbes.com", "cnn.com", "https://ahrefs.com/blog/", "", "not a domain"), fc.string({ maxLength: 30 })),
      targets: fc.oneof(fc.array(fc.constantFrom("forbes.com", "bbc.com", "x"), { maxLength: 4 }), fc.anything()),
      limit: fc.oneof(fc.integer({ min: -5, max: 1200 }), fc.double(), fc.string({ maxLength: 4 })),
      offset: fc.oneof(fc.integer({ min: -1, max: 25_000 }), fc.constant("10")),
      filters: filterExpr,
      backlinks_filters: filterExpr,
      order_by: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), fc.constant(["rank,desc"]), fc.anything()),
      mode: fc.constantFrom("as_is", "one_per_domain", "one_per_anchor", "bogus"),
      custom_mode: fc.oneof(fc.record({ field: fc.constantFrom("anchor", "nope"), value: fc.integer({ min: -1, max: 1001 }) }), fc.anything()),
      date_from: fc.oneof(fc.constantFrom("2024-02-30", "yesterday", ""), fc.string({ maxLength: 12 })),
      format: fc.constantFrom("text", "json", "xml"),
      fields: fc.oneof(fc.array(fc.constantFrom("url_from", "rank", "domain", "x.y", "referring_links_tld"), { maxLength: 4 }), fc.anything()),
      search_after_token: fc.oneof(fc.string({ maxLength: 40 }), fc.constant("bl_nope")),
      internal_list_limit: fc.integer({ min: -1, max: 1001 }),
      tag: fc.string({ maxLength: 300 }),
      junk: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything(), { maxKeys: 5 }),
);

describe("fuzzing the tools", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_OUTPUT_MAX_CHARS: "8000", DATAFORSEO_TOOLSETS: "all" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers every random call with a tool result and keeps running", async () => {
    let calls = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TOOLS), argsArb, async (tool, args) => {
        const result = await h.client.callTool({ name: tool, arguments: args as Record<string, unknown> });
        calls++;
        expect(Array.isArray(result.content)).toBe(true);
        expect((result.content as unknown[]).length).toBeGreaterThan(0);
        if (result.isError) errors++;
      }),
      { numRuns: 2000 },
    );
    expect(calls).toBe(2000);
    // Both kinds of answer occurred, so the generator reached the happy path as well.
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThan(calls);
    const { tools } = await h.client.listTools();
    expect(tools).toHaveLength(TOOLS.length);
    expect(h.stderr()).not.toMatch(/uncaught|unhandled|fatal/i);
  }, 180_000);
});

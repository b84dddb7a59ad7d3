// The token ceiling: the largest reply of every endpoint tool (the most rows a call can ask for, every
// output field, text and json) stays within 20,000 o200k tokens, under Claude Code's 25,000 default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { startHarness, textOf, type Harness } from "./harness.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { allFields, largestArgs } from "./tool-args.js";

const CEILING = 20_000;

/** Largest token count seen per tool, printed at the end for the record. */
const largest = new Map<string, { tokens: number; chars: number; format: string }>();

describe("token ceiling of every endpoint tool", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_CONFIRM_ABOVE_USD: "1000" } });
  }, 60_000);
  afterAll(async () => {
    const lines = [...largest.entries()].map(([tool, m]) => `${tool}\t${m.tokens} tokens\t${m.chars} chars\t${m.format}`);
    process.stderr.write(`largest replies (o200k tokens):\n${lines.join("\n")}\n`);
    await h.close();
  });

  for (const tool of ENDPOINT_TOOLS) {
    for (const format of ["text", "json"] as const) {
      it(`${tool.name} (${format}) with every field and the most rows stays within ${CEILING} tokens`, async () => {
        const args = largestArgs(tool);
        const targetCount = Array.isArray(args.targets) ? args.targets.length : undefined;
        const fields = allFields(tool, targetCount);
        expect(fields.length).toBeGreaterThan(0);
        const res = await h.call(tool.name, { ...args, fields, format });
        const text = textOf(res);
        expect(res.isError, text.slice(0, 600)).toBeFalsy();
        // The reply carries rows, not just a header: the measure means something.
        expect(text.length).toBeGreaterThan(200);
        const tokens = encode(text).length;
        const prev = largest.get(tool.name);
        if (!prev || tokens > prev.tokens) largest.set(tool.name, { tokens, chars: text.length, format });
        expect(tokens, `${tool.name} ${format}: ${text.length} chars`).toBeLessThanOrEqual(CEILING);
      }, 60_000);
    }
  }
});

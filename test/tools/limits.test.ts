// Every documented limit and default reaches the model, in the tool's schema or once in the instructions,
// and every limit is enforced by the tool's own schema whether it is advertised or not.
import { describe, expect, it } from "vitest";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { literalDefault, numericBound, type ParamSpec } from "../../src/reference/endpoints.js";
import { INSTRUCTIONS, advertised } from "../../src/server.js";

/** The instructions' "Defaults (limits): …" line, one entry per parameter. */
function instructionEntries(): Map<string, string> {
  const line = INSTRUCTIONS.split("\n").find((l) => l.startsWith("Defaults"));
  expect(line, "the instructions carry a defaults line").toBeDefined();
  const body = line!.slice(line!.indexOf(":") + 1).replace(/\.$/, "");
  return new Map(body.split(", ").map((part) => {
    const trimmed = part.trim();
    const space = trimmed.indexOf(" ");
    return [trimmed.slice(0, space), trimmed.slice(space + 1)];
  }));
}

/** The documented upper limit of a parameter, as a number, when it has one. */
function upper(p: ParamSpec): number | undefined {
  if (p.type === "integer") return numericBound(p.max);
  if (p.type === "string") return p.max_length;
  if (p.type.startsWith("array") || p.type === "object<string,string>") return p.max_items ?? p.max_rules;
  return undefined;
}

/** A value of size n: the number, n characters, or n distinct items (so a duplicate check cannot be what refuses it). */
function sized(p: ParamSpec, n: number): unknown {
  if (p.type === "integer") return n;
  if (p.type === "string") return "x".repeat(n);
  if (p.name === "order_by") return Array.from({ length: n }, (_, i) => `f${i},asc`);
  return Array.from({ length: n }, (_, i) => `site${i}.com`);
}

describe("documented limits", () => {
  const entries = instructionEntries();

  it("each limit is in the tool's advertised schema or in the instructions, and the schema refuses one past it", () => {
    let checked = 0;
    for (const tool of ENDPOINT_TOOLS) {
      const schema = advertised(tool.input) as { properties: Record<string, Record<string, unknown>> };
      for (const p of tool.ref.params) {
        const limit = upper(p);
        if (limit === undefined) continue;
        checked++;
        const prop = schema.properties[p.name];
        expect(prop, `${tool.name}.${p.name} is advertised`).toBeDefined();
        const inSchema = prop.maximum === limit || prop.maxItems === limit || prop.maxLength === limit;
        const said = entries.get(p.name);
        const inInstructions = said !== undefined && new RegExp(`(^|[^0-9])${limit}([^0-9]|$)`).test(said);
        expect(inSchema || inInstructions, `${tool.name}.${p.name} ≤ ${limit} reaches the model`).toBe(true);
        const base: Record<string, unknown> = tool.ref.params.some((q) => q.name === "targets") ? { targets: ["a.com", "b.com"] } : { target: "a.com" };
        const over = tool.input.safeParse({ ...base, [p.name]: sized(p, limit + 1) });
        expect(over.success, `${tool.name}.${p.name} one past ${limit} is refused`).toBe(false);
        const at = tool.input.safeParse({ ...base, [p.name]: sized(p, limit) });
        expect(at.success, `${tool.name}.${p.name} at ${limit}: ${at.error?.message}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("each documented literal default is said in the instructions", () => {
    for (const tool of ENDPOINT_TOOLS) {
      for (const p of tool.ref.params) {
        const value = literalDefault(p);
        if (value === undefined) continue;
        if (value === true) {
          expect(entries.get("switches"), `${tool.name}.${p.name}`).toBe("true");
          continue;
        }
        expect(entries.get(p.name)?.split(" ")[0], `${tool.name}.${p.name} default ${value}`).toBe(String(value));
      }
    }
  });

  it("a limit that differs between endpoints stays in each schema", () => {
    const schema = (name: string) => advertised(ENDPOINT_TOOLS.find((t) => t.name === name)!.input) as { properties: Record<string, Record<string, unknown>> };
    expect(schema("backlinks_backlinks").properties.offset.maximum).toBe(20000);
    expect(schema("backlinks_domain_intersection").properties.targets.maxItems).toBe(20);
    expect(schema("backlinks_bulk_ranks").properties.targets.maxItems).toBe(1000);
    expect(entries.has("offset") && entries.get("offset")).toBe("0");
  });
});

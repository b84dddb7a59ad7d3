// Every registered endpoint's result shape can be rendered: a result built from the reference's result
// tree goes through the same row extraction and presentation as a paid call, and every default column
// shows a value. An endpoint whose rows the pipeline cannot find fails here, never as a paid "rows 0".
import { describe, expect, it } from "vitest";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { ENDPOINTS, type FieldNode } from "../../src/reference/endpoints.js";
import { defaultColumns, rowsOf } from "../../src/tools/rows.js";
import { present, type PageMeta } from "../../src/tools/present.js";

/** A value of the documented type, recognisable in the output. */
function sample(node: FieldNode, depth = 0): unknown {
  const t = node.type;
  if (t === "integer" || t === "number" || t === "float") return 7;
  if (t === "boolean") return true;
  if (t === "string") return node.name.includes("date") || node.name.endsWith("_seen") || node.name.includes("visited") ? "2026-01-02 03:04:05 +00:00" : `${node.name}-value`;
  if (t.startsWith("object<string,integer>")) return { com: 3, org: 1 };
  if (t === "object<string,string>") return { "1": "a.com", "2": "b.com" };
  if (t.startsWith("array<string>")) return ["x", "y"];
  if (t === "object" || t.startsWith("object<string,object>") || t.startsWith("object<string,array<object>>") || t.startsWith("array<object>")) {
    const inner = Object.fromEntries((node.fields ?? []).map((f) => [f.name, sample(f, depth + 1)]));
    if (t === "object") return inner;
    if (t.startsWith("array<object>")) return [inner, inner];
    if (t.startsWith("object<string,array<object>>")) return { "1": [inner], "2": [inner] };
    return { "1": inner, "2": inner };
  }
  return `${node.name}-any`;
}

function sampleResult(result: FieldNode[]): Record<string, unknown> {
  return Object.fromEntries(result.map((f) => [f.name, sample(f)]));
}

const META: PageMeta = { tool: "t", subject: "s", shownBefore: 0, costUsd: 0.0241, totalCostUsd: 0.0241, source: "api", demo: false };

describe("every endpoint's result renders", () => {
  it("covers every live endpoint of the reference with exactly one tool", () => {
    expect(ENDPOINT_TOOLS.map((t) => t.ref.key).sort()).toEqual(ENDPOINTS.map((e) => e.key).sort());
    expect(ENDPOINTS).toHaveLength(20);
  });

  for (const tool of ENDPOINT_TOOLS) {
    it(`${tool.name}: rows found and every default column shows a value`, async () => {
      const args: Record<string, unknown> = tool.ref.param("targets") ? { targets: ["a.com", "b.com"] } : { target: "a.com" };
      const result = sampleResult(tool.ref.result);
      const rows = rowsOf(tool, result);
      expect(rows.length, "rows").toBeGreaterThan(0);
      const columns = defaultColumns(tool, args);
      expect(columns.length).toBeGreaterThan(0);
      const out = await present(rows, false, META, {
        format: "text",
        layout: tool.ref.rows === "record" ? "record" : "table",
        columns,
        explicitFields: false,
        listLimit: 10,
        maxChars: 40_000,
        maxTokens: 20_000,
      }, async () => null);
      const lines = out.text.split("\n");
      if (tool.ref.rows === "record") {
        // key<TAB>value per column, none left empty
        const keys = lines.slice(1, -1).map((l) => l.split("\t")[0]);
        expect(keys).toEqual(columns);
      } else {
        expect(lines[1]!.split("\t")).toEqual(columns);
        for (const row of lines.slice(2, -1)) {
          const cells = row.split("\t");
          cells.forEach((cell, i) => expect(cell, `${tool.name} column ${columns[i]}`).not.toBe(""));
        }
      }
    });
  }
});

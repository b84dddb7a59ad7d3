// The built server (dist/index.js) over stdio with the workflows toolset on: the tools are listed and
// work end to end, prompts and resources are served. Needs `npm run build`, and "workflows" among the
// toolset names the server knows (src/tools/toolsets.ts); until then this file is skipped.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsetNames } from "../../src/tools/toolsets.js";
import { startHarness, textOf, type Harness } from "../e2e/harness.js";

describe.skipIf(!toolsetNames().includes("workflows"))("workflows over stdio", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flows-stdio-"));
    h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "core,workflows", DATAFORSEO_EXPORT_DIR: dir, DATAFORSEO_CONFIRM_ABOVE_USD: "1000" } });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the two tools, exports to a readable resource and serves prompts", async () => {
    const listed = (await h.client.listTools()).tools.map((t) => t.name);
    expect(listed).toEqual(expect.arrayContaining(["backlinks_audit", "backlinks_export"]));
    const res = await h.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, max_rows: 1500 });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect((res.structuredContent as { rows: number }).rows).toBe(1500);
    const link = res.content.find((c) => c.type === "resource_link") as { uri: string };
    const read = await h.client.readResource({ uri: link.uri });
    expect((read.contents[0] as { text: string }).text.split("\r\n").filter((l) => l.length > 0)).toHaveLength(1501);
    const prompts = await h.client.listPrompts();
    expect(prompts.prompts).toHaveLength(5);
  });

  it("without the toolset the tools are not listed", async () => {
    const plain = await startHarness();
    try {
      const listed = (await plain.client.listTools()).tools.map((t) => t.name);
      expect(listed).not.toContain("backlinks_export");
    } finally {
      await plain.close();
    }
  });
});

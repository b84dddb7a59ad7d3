// Toolsets: only the chosen groups are advertised; a tool outside them says which toolset enables it.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, SERVER_ENTRY, type Harness } from "./harness.js";
import { ENDPOINT_TOOLS } from "../../src/tools/endpoints/index.js";
import { toolsetsOf } from "../../src/tools/toolsets.js";

const REQUIRED_DEFAULT = [
  "backlinks_summary", "backlinks_backlinks", "backlinks_referring_domains", "backlinks_anchors", "backlinks_domain_pages_summary",
  "backlinks_domain_intersection", "backlinks_bulk_new_lost_referring_domains", "backlinks_next_page", "backlinks_usage",
];

describe("toolsets", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("the default set holds the audit essentials and nothing outside core", async () => {
    const names = (await h.client.listTools()).tools.map((t) => t.name);
    for (const name of REQUIRED_DEFAULT) expect(names).toContain(name);
    const core = new Set([...toolsetsOf().core!, "backlinks_next_page", "backlinks_usage"]);
    expect(names.sort()).toEqual([...core].sort());
  });

  it("a tool outside the chosen sets is refused with the toolset that enables it, and nothing is sent", async () => {
    const before = h.proxy.requests.length;
    const res = await h.call("backlinks_history", { target: "forbes.com" });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/toolset[\s\S]*history[\s\S]*DATAFORSEO_TOOLSETS/);
    expect(h.proxy.requests.length).toBe(before);
  });
});

describe("toolsets chosen", () => {
  it("history adds exactly the history group; all lists every tool", async () => {
    const h = await startHarness({ env: { DATAFORSEO_TOOLSETS: "core,history" } });
    try {
      const names = (await h.client.listTools()).tools.map((t) => t.name);
      for (const name of toolsetsOf().history!) expect(names).toContain(name);
      expect(names).not.toContain("backlinks_competitors");
      const res = await h.call("backlinks_history", { target: "forbes.com" });
      expect(textOf(res)).not.toMatch(/not enabled/);
    } finally {
      await h.close();
    }
    const all = await startHarness({ env: { DATAFORSEO_TOOLSETS: "all" } });
    try {
      const names = (await all.client.listTools()).tools.map((t) => t.name);
      expect(names.sort()).toEqual([...new Set([...Object.values(toolsetsOf()).flat(), "backlinks_next_page", "backlinks_usage"])].sort());
      expect(names.length).toBe(ENDPOINT_TOOLS.length + 4);
    } finally {
      await all.close();
    }
  });

  it("an unknown toolset stops the server at start with the valid names", () => {
    const run = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", DATAFORSEO_TOOLSETS: "core,linkz" },
      input: "",
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/unknown toolset 'linkz'[\s\S]*core[\s\S]*all/);
  });
});

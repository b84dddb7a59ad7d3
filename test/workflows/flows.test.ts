// The scorecard, prompts, completion and resources through the SDK client against the emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { advertised } from "../../src/server.js";
import { daysAgo } from "../../src/workflows/audit.js";
import { auditInput, exportInput } from "../../src/workflows/inputs.js";
import { PROMPT_NAMES } from "../../src/workflows/prompts.js";
import { AUDIT_DESCRIPTION, EXPORT_DESCRIPTION } from "../../src/workflows/index.js";
import { startFlows, exported, paid, textOf, type FlowHarness } from "./harness.js";

/** One task straight from the emulator: the oracle the scorecard is checked against. */
async function emulatorResult(h: FlowHarness, fn: string, task: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.emulator.url}/v3/backlinks/${fn}/live`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("demo:demo").toString("base64")}`, "content-type": "application/json" },
    body: JSON.stringify([task]),
  });
  const body = (await res.json()) as { tasks: { status_code: number; result: Record<string, unknown>[] }[] };
  expect(body.tasks[0]!.status_code).toBe(20000);
  return body.tasks[0]!.result[0]!;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

describe("workflows end to end", () => {
  let h: FlowHarness;
  beforeAll(async () => {
    h = await startFlows();
  });
  afterAll(async () => {
    await h.close();
  });

  it("backlinks_audit: ratios equal what the emulator's own summary and new/lost answers give", async () => {
    const before = paid(h);
    const result = await h.call("backlinks_audit", { target: "forbes.com" });
    expect(result.isError, textOf(result)).toBeFalsy();
    const sc = result.structuredContent as { calls: number; cost_usd: number; figures: Record<string, unknown> };
    expect(sc.calls).toBe(3);
    expect(paid(h) - before).toBe(3);
    const s = await emulatorResult(h, "summary", { target: "forbes.com" });
    const f = sc.figures;
    const attributes = (s.referring_links_attributes ?? {}) as Record<string, number>;
    expect(f.backlinks).toBe(s.backlinks);
    expect(f.referring_domains).toBe(s.referring_domains);
    expect(f.rank).toBe(s.rank);
    expect(f.dofollow_share).toBe(round4(1 - (attributes.nofollow ?? 0) / (s.backlinks as number)));
    expect(f.backlinks_per_referring_domain).toBe(round4((s.backlinks as number) / (s.referring_domains as number)));
    expect(f.ips_per_referring_domain).toBe(round4((s.referring_ips as number) / (s.referring_domains as number)));
    expect(f.subnets_per_referring_domain).toBe(round4((s.referring_subnets as number) / (s.referring_domains as number)));
    for (const days of [30, 90]) {
      const v = await emulatorResult(h, "bulk_new_lost_referring_domains", { targets: ["forbes.com"], date_from: daysAgo(new Date(), days) });
      const item = (v.items as Record<string, number>[])[0]!;
      expect(f[`new_referring_domains_${days}d`]).toBe(item.new_referring_domains);
      expect(f[`lost_referring_domains_${days}d`]).toBe(item.lost_referring_domains);
    }
    const text = textOf(result);
    expect(text).toMatch(/^# backlinks_audit forbes\.com \| 3 calls/);
    expect(text).toMatch(/\ndofollow_share\t[\d.]+\t1 - summary\.referring_links_attributes\.nofollow/);
    expect(text).toMatch(/\nnew_referring_domains_30d\t\d+\tbulk_new_lost_referring_domains\(date_from \d{4}-\d{2}-\d{2}\)\.new_referring_domains/);
    // The same audit again comes from the cache: nothing sent, nothing paid.
    const again = await h.call("backlinks_audit", { target: "forbes.com" });
    expect((again.structuredContent as { cost_usd: number }).cost_usd).toBe(0);
    expect(paid(h) - before).toBe(3);
  });

  it("backlinks_audit is refused whole when the cap cannot hold every call", async () => {
    // Three calls of one row each cost at most 3 x $0.024036; a cap just below refuses before the first.
    const capped = await startFlows({ env: { DATAFORSEO_MAX_COST_USD: "0.07" } });
    try {
      const result = await capped.call("backlinks_audit", { target: "forbes.com" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/needs 3 calls costing up to \$0\.072108 in all\. Budget cap reached, nothing was sent/);
      expect(paid(capped)).toBe(0);
    } finally {
      await capped.close();
    }
  });

  it("backlinks_audit checks its arguments before anything is sent", async () => {
    const before = paid(h);
    const result = await h.call("backlinks_audit", { target: "forbes.com", limit: 5 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/unknown parameter 'limit'/);
    expect(paid(h)).toBe(before);
  });

  it("prompts/list and prompts/get for every prompt name the tools in order", async () => {
    const listed = await h.client.listPrompts();
    expect(listed.prompts.map((p) => p.name).sort()).toEqual([...PROMPT_NAMES].sort());
    const args: Record<string, Record<string, string>> = {
      backlink_audit: { target: "forbes.com" },
      competitor_link_gap: { target: "forbes.com", competitors: "cnn.com, bbc.com" },
      lost_links_recovery: { target: "forbes.com", since: "2026-09-01" },
      toxic_links_review: { target: "forbes.com" },
      anchor_profile: { target: "forbes.com" },
    };
    const expected: Record<string, string[]> = {
      backlink_audit: ["backlinks_audit", "backlinks_referring_domains", "backlinks_anchors"],
      competitor_link_gap: ["backlinks_domain_intersection", "backlinks_export"],
      lost_links_recovery: ["backlinks_bulk_new_lost_referring_domains", "backlinks_backlinks"],
      toxic_links_review: ["backlinks_summary", "backlinks_referring_domains", "backlinks_referring_networks", "backlinks_export"],
      anchor_profile: ["backlinks_summary", "backlinks_anchors"],
    };
    for (const name of PROMPT_NAMES) {
      const got = await h.client.getPrompt({ name, arguments: args[name] });
      const text = got.messages.map((m) => (m.content.type === "text" ? m.content.text : "")).join("\n");
      let at = -1;
      for (const tool of expected[name]!) {
        const i = text.indexOf(`${tool} {`, at + 1);
        expect(i, `${name} names ${tool} in order`).toBeGreaterThan(at);
        at = i;
      }
      expect(text).toMatch(/"limit":\d+|backlinks_audit|"fields"/);
    }
    const gap = await h.client.getPrompt({ name: "competitor_link_gap", arguments: args.competitor_link_gap });
    const text = gap.messages[0]!.content.type === "text" ? gap.messages[0]!.content.text : "";
    expect(text).toContain('backlinks_domain_intersection {"targets":["cnn.com","bbc.com"],"exclude_targets":["forbes.com"],"order_by":["intersections_count,desc","1.rank,desc"],"limit":50}');
  });

  it("prompt arguments complete from targets used earlier in the session", async () => {
    await h.call("backlinks_backlinks", { target: "ahrefs.com", limit: 1 });
    const done = await h.client.complete({ ref: { type: "ref/prompt", name: "backlink_audit" }, argument: { name: "target", value: "ahr" } });
    expect(done.completion.values).toEqual(["ahrefs.com"]);
    const all = await h.client.complete({ ref: { type: "ref/prompt", name: "anchor_profile" }, argument: { name: "target", value: "" } });
    expect(all.completion.values).toContain("forbes.com");
    const list = await h.client.complete({ ref: { type: "ref/prompt", name: "competitor_link_gap" }, argument: { name: "competitors", value: "forbes.com,ah" } });
    expect(list.completion.values).toEqual(["forbes.com,ahrefs.com"]);
  });

  it("resources: field catalogues by template, exports listed and readable from the reply's link", async () => {
    const templates = await h.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(["backlinks://exports/{name}", "backlinks://fields/{endpoint}"]);
    const fields = await h.client.readResource({ uri: "backlinks://fields/backlinks" });
    const text = (fields.contents[0] as { text: string }).text;
    expect(text).toMatch(/^domain_from_rank\tnum\t= <> < <= > >= in not_in$/m);
    expect(text).toMatch(/^anchor\tstr\t.*\bilike\b/m);
    await expect(h.client.readResource({ uri: "backlinks://fields/nope" })).rejects.toThrow(/no field catalogue/);

    const result = await h.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "cnn.com", fields: ["url_from", "anchor", "dofollow"] }, max_rows: 50 });
    const link = result.content.find((c) => c.type === "resource_link") as { uri: string };
    const read = await h.client.readResource({ uri: link.uri });
    const csv = (read.contents[0] as { text: string; mimeType: string });
    expect(csv.mimeType).toBe("text/csv");
    expect(csv.text.split("\r\n")[0]).toBe("url_from,anchor,dofollow");
    expect(csv.text.split("\r\n").filter((l) => l.length > 0)).toHaveLength(51);
    const listed = await h.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(link.uri);
    expect(exported(result).rows).toBe(50);
    await expect(h.client.readResource({ uri: "backlinks://exports/..%2Fsecret" })).rejects.toThrow();
  });

  it("the two tools stay small in tools/list (o200k tokens of name, description and input schema)", () => {
    // Counted as scripts/readme-tables.mjs counts every tool: the JSON of name, description and input schema.
    const tokens = (name: string, description: string, inputSchema: unknown) => encode(JSON.stringify({ name, description, inputSchema })).length;
    const audit = tokens("backlinks_audit", AUDIT_DESCRIPTION, advertised(auditInput));
    const exp = tokens("backlinks_export", EXPORT_DESCRIPTION, advertised(exportInput));
    console.log(`tools/list tokens (o200k): backlinks_audit ${audit}, backlinks_export ${exp}, together ${audit + exp}`);
    expect(audit).toBeLessThan(200);
    expect(exp).toBeLessThan(300);
  });
});

// backlinks_export through the SDK client against the emulator: every row once, cost = sum of the
// pages, progress per page, bounds (max_cost_usd, budget cap), cancel, the cache, disavow files.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallToolResultSchema, type CallToolResult, type ProgressNotification } from "@modelcontextprotocol/sdk/types.js";
import pricing from "../../src/data/backlinks-pricing.json" with { type: "json" };
import { startFlows, parseCsv, exported, paid, textOf, type FlowHarness } from "./harness.js";

const PER_REQUEST = pricing.from_2026_07_01.per_request_usd;
const PER_ROW = pricing.from_2026_07_01.per_row_usd;

function pageCost(rows: number): number {
  return Math.round((PER_REQUEST + PER_ROW * rows) * 1e9);
}

describe("backlinks_export", () => {
  let h: FlowHarness;
  beforeAll(async () => {
    h = await startFlows();
  });
  afterAll(async () => {
    await h.close();
  });

  it("writes all 53,892 live forbes.com backlinks once, costs the sum of its pages and reports progress per page", { timeout: 240_000 }, async () => {
    const before = paid(h);
    const progress: ProgressNotification["params"][] = [];
    const result = (await h.client.request(
      { method: "tools/call", params: { name: "backlinks_export", arguments: { tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, max_rows: 100_000, max_cost_usd: 10 } } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p), timeout: 120_000 },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const out = exported(result);
    expect(out.total_count).toBe(53_892);
    expect(out.rows).toBe(53_892);
    expect(out.partial).toBe(false);
    expect(out.stop).toBe("complete");
    const pages = Math.ceil(53_892 / 1000);
    expect(out.pages).toBe(pages);
    // Every page went upstream once: token paging, 1,000 rows a page, the other parameters unchanged.
    const sent = h.proxy.tasks("/v3/backlinks/backlinks/live").slice(-pages);
    expect(paid(h) - before).toBe(pages);
    expect(sent[0]).toEqual({ target: "forbes.com", limit: 1000 });
    for (const task of sent.slice(1)) {
      expect(Object.keys(task).sort()).toEqual(["limit", "search_after_token", "target"]);
      expect(task.limit).toBe(1000);
    }
    // Cost: the sum of the pages as billed per request and per row.
    const expectedNanos = (pages - 1) * pageCost(1000) + pageCost(53_892 - (pages - 1) * 1000);
    expect(Math.round((out.cost_usd as number) * 1e9)).toBe(expectedNanos);
    expect(Math.round(h.deps.ledger.spentUsd * 1e9)).toBe(expectedNanos);
    // Progress: one notification per page, rows so far increasing to the total.
    expect(progress).toHaveLength(pages);
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: pages }, (_, i) => Math.min((i + 1) * 1000, 53_892)));
    expect(progress.every((p) => p.total === 53_892)).toBe(true);
    expect(progress.at(-1)!.message).toMatch(/^page 54: 53892 rows, \$3\.2361/);
    // The file: RFC 4180, a header row, 53,892 data rows, no duplicates, full values.
    const name = out.file as string;
    expect(name).toMatch(/^backlinks-forbes\.com-\d{8}-\d{6}-[0-9a-f]{6}\.csv$/);
    const csv = parseCsv(await readFile(join(h.exportDir, name), "utf8"));
    const header = csv[0]!;
    expect(header).toEqual(out.columns);
    expect(header.slice(0, 4)).toEqual(["type", "domain_from", "url_from", "url_from_https"]);
    const data = csv.slice(1);
    expect(data).toHaveLength(53_892);
    expect(data.every((r) => r.length === header.length)).toBe(true);
    expect(new Set(data.map((r) => r.join("\u0001"))).size).toBe(53_892);
    const urlFrom = header.indexOf("url_from");
    expect(data.every((r) => /^https?:\/\//.test(r[urlFrom]!))).toBe(true);
    const dofollow = header.indexOf("dofollow");
    expect(new Set(data.map((r) => r[dofollow]))).toEqual(new Set(["true", "false"]));
    // The reply links the file as a resource that resources/read serves.
    const link = result.content.find((c) => c.type === "resource_link") as { uri: string; name: string } | undefined;
    expect(link?.uri).toBe(`backlinks://exports/${name}`);
    const text = textOf(result);
    expect(text).toMatch(/rows written\t53892 of total_count 53892/);
    expect(text).toMatch(/top domain_from\t/);
  });

  it("a second export of the same query buys nothing the cache already has", async () => {
    const args = { tool: "backlinks_backlinks", arguments: { target: "cnn.com", filters: ["dofollow", "=", true] }, max_rows: 3000 };
    const first = exported(await h.call("backlinks_export", args));
    expect(first.rows).toBe(3000);
    expect(first.cost_usd).toBeGreaterThan(0);
    const sentBefore = paid(h);
    const spentBefore = h.deps.ledger.spentUsd;
    const second = exported(await h.call("backlinks_export", args));
    expect(second.rows).toBe(3000);
    expect(second.cost_usd).toBe(0);
    expect(paid(h)).toBe(sentBefore);
    expect(h.deps.ledger.spentUsd).toBe(spentBefore);
    // The same rows, in a different file: files never overwrite each other.
    expect(second.file).not.toBe(first.file);
    const a = await readFile(join(h.exportDir, first.file as string), "utf8");
    const b = await readFile(join(h.exportDir, second.file as string), "utf8");
    expect(b).toBe(a);
  });

  it("stops at max_cost_usd before a page could pass it, keeps the pages paid for and marks the file partial", async () => {
    const before = paid(h);
    const result = await h.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "forbes.com", order_by: ["first_seen,desc"] }, max_rows: 20_000, max_cost_usd: 0.2 });
    const out = exported(result);
    // A full page costs at most $0.06: three fit under $0.20, a fourth could pass it.
    expect(out.stop).toBe("max_cost");
    expect(out.pages).toBe(3);
    expect(out.rows).toBe(3000);
    expect(out.cost_usd as number).toBeLessThanOrEqual(0.2);
    expect(paid(h) - before).toBe(3);
    expect(out.partial).toBe(true);
    expect(out.file).toMatch(/-partial\.csv$/);
    expect(textOf(result)).toMatch(/PARTIAL: stopped at max_cost_usd/);
    const csv = parseCsv(await readFile(join(h.exportDir, out.file as string), "utf8"));
    expect(csv).toHaveLength(3001);
  });

  it("offset paging for endpoints without a token; jsonl keeps the full rows", async () => {
    const before = paid(h);
    const out = exported(await h.call("backlinks_export", { tool: "backlinks_referring_domains", arguments: { target: "forbes.com" }, format: "jsonl", max_rows: 2500 }));
    expect(out.rows).toBe(2500);
    const sent = h.proxy.tasks("/v3/backlinks/referring_domains/live").slice(-(paid(h) - before));
    expect(sent.map((t) => [t.offset ?? 0, t.limit])).toEqual([[0, 1000], [1000, 1000], [2000, 500]]);
    const lines = (await readFile(join(h.exportDir, out.file as string), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(2500);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(new Set(rows.map((r) => r.domain)).size).toBe(2500);
    expect(rows[0]).toHaveProperty("referring_links_tld");
  });

  it("refuses what it cannot do before anything is sent", async () => {
    const before = paid(h);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ tool: "backlinks_summary", arguments: { target: "forbes.com" } }, /cannot be exported; exportable tools: backlinks_backlinks/],
      [{ tool: "backlinks_backlinks", arguments: { target: "forbes.com", limit: 10 } }, /arguments\.limit: not allowed here/],
      [{ tool: "backlinks_backlinks", arguments: { target: "forbes.com", filters: ["no_such_field", "=", 1] } }, /no_such_field/],
      [{ tool: "backlinks_backlinks", arguments: { target: "forbes.com", bogus: 1 } }, /unknown parameter 'bogus'/],
      [{ tool: "backlinks_anchors", arguments: { target: "forbes.com" }, format: "disavow" }, /format disavow needs rows that name a referring domain/],
      [{ tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, max_rows: 0 }, /max_rows/],
    ];
    for (const [args, message] of cases) {
      const res = await h.call("backlinks_export", args);
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(message);
    }
    expect(paid(h)).toBe(before);
  });

  it("writes a Google disavow file that never names the target and lists each domain once", async () => {
    const result = await h.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "forbes.com", filters: ["backlink_spam_score", ">=", 20] }, format: "disavow", max_rows: 5000, max_cost_usd: 1 });
    const out = exported(result);
    expect(out.file).toMatch(/\.txt$/);
    const text = await readFile(join(h.exportDir, out.file as string), "utf8");
    const lines = text.trimEnd().split("\n");
    const comments = lines.filter((l) => l.startsWith("#"));
    const entries = lines.filter((l) => !l.startsWith("#"));
    expect(comments.join("\n")).toMatch(/source: DataForSEO \/v3\/backlinks\/backlinks\/live/);
    expect(comments.join("\n")).toMatch(/date: \d{4}-\d{2}-\d{2}T/);
    expect(comments.join("\n")).toMatch(/criteria: .*backlink_spam_score/);
    // Google's format: comment lines, and domain:<host> lines (or URLs); nothing else.
    expect(entries.length).toBeGreaterThan(10);
    for (const line of entries) expect(line).toMatch(/^domain:[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    const hosts = entries.map((l) => l.slice("domain:".length));
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts.some((d) => d === "forbes.com" || d.endsWith(".forbes.com"))).toBe(false);
    expect(out.domains).toBe(hosts.length);
  });

  it("a disavow export of referring domains excludes the target even when the data has it", async () => {
    const result = await h.call("backlinks_export", { tool: "backlinks_referring_domains", arguments: { target: "forbes.com", exclude_internal_backlinks: false }, format: "disavow", max_rows: 3000 });
    const out = exported(result);
    // With internal links kept, forbes.com itself is among the referring domains: it is skipped.
    expect(textOf(result)).toMatch(/rows read\t3000; domains written 2999 \(each once; 1 rows skipped/);
    const hosts = (await readFile(join(h.exportDir, out.file as string), "utf8")).split("\n").filter((l) => l.startsWith("domain:"));
    expect(hosts.length).toBeGreaterThan(0);
    expect(hosts.some((l) => /^domain:(.*\.)?forbes\.com$/.test(l))).toBe(false);
  });

  it("cancel stops after the current page, sends nothing more and leaves a file marked partial", async () => {
    h.emulator.setLatency(150);
    try {
      const controller = new AbortController();
      const filesBefore = new Set(await readdir(h.exportDir));
      let atCancel = -1;
      const started = paid(h);
      const call = h.client.request(
        { method: "tools/call", params: { name: "backlinks_export", arguments: { tool: "backlinks_backlinks", arguments: { target: "forbes.com", order_by: ["rank,asc"] }, max_rows: 50_000, max_cost_usd: 10 } } },
        CallToolResultSchema,
        {
          signal: controller.signal,
          onprogress: (p) => {
            if (p.progress >= 2000 && atCancel < 0) {
              atCancel = paid(h);
              controller.abort("user stopped it");
            }
          },
        },
      );
      await expect(call).rejects.toThrow();
      // Wait until the page under way at the cancel has landed: no new request for 10 polls (at most 60).
      let last = paid(h);
      let quiet = 0;
      for (let i = 0; i < 60 && quiet < 10; i++) {
        await new Promise((r) => setTimeout(r, 100));
        quiet = paid(h) === last ? quiet + 1 : 0;
        last = paid(h);
      }
      // At most the page already on its way when the cancel arrived; never a new one after it.
      expect(atCancel).toBeGreaterThan(started);
      expect(paid(h) - atCancel).toBeLessThanOrEqual(1);
      const created = (await readdir(h.exportDir)).filter((f) => !filesBefore.has(f));
      expect(created).toHaveLength(1);
      expect(created[0]).toMatch(/^backlinks-forbes\.com-.*-partial\.csv$/);
      // The cancelled file keeps every row paid for.
      const rows = parseCsv(await readFile(join(h.exportDir, created[0]!), "utf8")).length - 1;
      expect(rows).toBe((paid(h) - started) * 1000);
      // And resources/list shows it, marked partial.
      const listed = await h.client.listResources();
      expect(listed.resources.map((r) => r.name)).toContain(created[0]);
    } finally {
      h.emulator.setLatency(0);
    }
  });

  it("asks for confirmation once for the whole export when it may cost more than the threshold", async () => {
    const strict = await startFlows({ env: { DATAFORSEO_CONFIRM_ABOVE_USD: "0.5" } });
    try {
      const args = { tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, max_rows: 10_000, max_cost_usd: 2 };
      const refused = await strict.call("backlinks_export", args);
      expect(refused.isError).toBe(true);
      // Ten pages of at most $0.06: the export may cost up to $0.60, above the $0.50 threshold.
      expect(textOf(refused)).toMatch(/Confirmation needed, nothing was sent or charged: backlinks_export may cost up to \$0\.6000/);
      expect(paid(strict)).toBe(0);
      expect(await readdir(strict.exportDir)).toEqual([]);
      const done = exported(await strict.call("backlinks_export", { ...args, confirm_cost_usd: 0.6 }));
      expect(done.rows).toBe(10_000);
      expect(paid(strict)).toBe(10);
    } finally {
      await strict.close();
    }
  });

  it("stops at the budget cap, saying so", async () => {
    const capped = await startFlows({ env: { DATAFORSEO_MAX_COST_USD: "0.13" } });
    try {
      const out = exported(await capped.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "forbes.com" }, max_rows: 10_000, max_cost_usd: 5 }));
      expect(out.stop).toBe("budget");
      expect(out.pages).toBe(2);
      expect(out.partial).toBe(true);
      expect(capped.deps.ledger.spentUsd).toBeLessThanOrEqual(0.13);
      // With no room for even one page: an error, nothing sent, no file left behind.
      const sent = paid(capped);
      const files = await readdir(capped.exportDir);
      const none = await capped.call("backlinks_export", { tool: "backlinks_backlinks", arguments: { target: "bbc.com" } });
      expect(none.isError).toBe(true);
      expect(textOf(none)).toMatch(/stopped at a spending cap before the first row, no file written: Budget cap reached/);
      expect(paid(capped)).toBe(sent);
      expect(await readdir(capped.exportDir)).toEqual(files);
    } finally {
      await capped.close();
    }
  });
});

// Deep paging: walk every backlink of a large target through backlinks_next_page, 1,000 rows a
// reply, and check that no row is repeated or missed. The same walk straight against the
// emulator (search_after_token) gives the per-page baseline and checks the row key is unique.
import { connect, nextHandle, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { directPost, PATHS } from "../lib/upstream.mjs";
import { round, since } from "../lib/stats.mjs";

const FIELDS = ["url_from", "url_to", "anchor", "item_type"];
const keyOf = (item) => FIELDS.map((f) => String(item[f] ?? "")).join("\t");

async function walkServer(server, target) {
  const seen = new Set();
  let rows = 0;
  let pages = 0;
  const start = performance.now();
  // json format: the rows' raw values, so keys compare exactly with the direct walk's.
  let result = await server.call("backlinks_backlinks", { target, limit: 1000, fields: FIELDS, format: "json" });
  const expected = result.structuredContent?.total_count ?? NaN;
  for (;;) {
    pages++;
    const items = result.structuredContent?.items ?? [];
    if (items.length !== result.structuredContent?.rows_shown) {
      throw new Error(`page ${pages}: ${items.length} items but rows_shown ${result.structuredContent?.rows_shown}`);
    }
    for (const item of items) seen.add(keyOf(item));
    rows += items.length;
    const next = nextHandle(result);
    if (!next) break;
    result = await server.call("backlinks_next_page", { search_after_token: next });
  }
  return { rows, distinct: seen.size, pages, expected, ms: since(start) };
}

async function walkDirect(emulatorUrl, target) {
  const seen = new Set();
  let rows = 0;
  let pages = 0;
  let token;
  const start = performance.now();
  do {
    const task = token ? { target, limit: 1000, search_after_token: token } : { target, limit: 1000 };
    const result = await directPost(emulatorUrl, PATHS.backlinks_backlinks, task);
    pages++;
    for (const item of result.items ?? []) seen.add(keyOf(item));
    rows += (result.items ?? []).length;
    token = result.search_after_token;
  } while (token);
  return { rows, distinct: seen.size, pages, ms: since(start) };
}

export async function runPaging({ emulatorUrl, quick, log }) {
  const target = quick ? "backlinko.com" : "forbes.com";
  const server = await connect(SERVER_ENTRY, serverEnv(emulatorUrl, { DATAFORSEO_OUTPUT_MAX_CHARS: "10000000" }));
  try {
    const direct = await walkDirect(emulatorUrl, target);
    const ours = await walkServer(server, target);
    const r = {
      target,
      fields: FIELDS,
      format: "json",
      rows: ours.rows,
      expected_rows: ours.expected,
      pages: ours.pages,
      ms_per_page: round(ours.ms / ours.pages, 1),
      direct_ms_per_page: round(direct.ms / direct.pages, 1),
      duplicates: ours.rows - ours.distinct,
      gaps: Math.max(0, ours.expected - ours.distinct),
      key_collisions_upstream: direct.rows - direct.distinct,
    };
    r.ratio_ms_per_page = round(r.ms_per_page / r.direct_ms_per_page, 3);
    log(`  ${r.rows} rows of ${r.expected_rows} in ${r.pages} pages, ${r.ms_per_page} ms/page, duplicates ${r.duplicates}, gaps ${r.gaps}`);
    return r;
  } finally {
    await server.close();
  }
}

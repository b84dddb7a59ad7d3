// Deep paging: walk every backlink of a large target through backlinks_next_page, 1,000 rows a
// reply, and check that no row is repeated or missed. The same walk straight against the
// emulator (search_after_token) gives the per-page baseline and checks the row key is unique.
import { connect, nextHandle, serverEnv, SERVER_ENTRY } from "../lib/mcp.mjs";
import { directPost, PATHS } from "../lib/upstream.mjs";
import { since, spread } from "../lib/stats.mjs";

const REPEATS = 3;

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
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(emulatorUrl, { DATAFORSEO_OUTPUT_MAX_CHARS: "10000000", DATAFORSEO_OUTPUT_MAX_TOKENS: "1000000" }),
  );
  try {
    // Three walks each way, interleaved; correctness is checked on every walk of ours.
    const directs = [];
    const walks = [];
    for (let i = 0; i < REPEATS; i++) {
      directs.push(await walkDirect(emulatorUrl, target));
      walks.push(await walkServer(server, target));
    }
    const ours = walks[0];
    const direct = directs[0];
    const r = {
      target,
      fields: FIELDS,
      format: "json",
      walks: REPEATS,
      rows: ours.rows,
      expected_rows: ours.expected,
      pages: ours.pages,
      ms_per_page: spread(walks.map((w) => w.ms / w.pages), 1),
      direct_ms_per_page: spread(directs.map((w) => w.ms / w.pages), 1),
      duplicates: Math.max(...walks.map((w) => w.rows - w.distinct)),
      gaps: Math.max(...walks.map((w) => Math.max(0, w.expected - w.distinct))),
      key_collisions_upstream: Math.max(...directs.map((w) => w.rows - w.distinct)),
    };
    log(`  ${r.rows} rows of ${r.expected_rows} in ${r.pages} pages, ${r.ms_per_page.median} ms/page (direct ${r.direct_ms_per_page.median}), duplicates ${r.duplicates}, gaps ${r.gaps}`);
    return r;
  } finally {
    await server.close();
  }
}

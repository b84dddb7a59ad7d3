// Tokens per row: our text and json replies against the raw API items (minified) and the
// official server's style (pretty-printed, nulls and falses dropped), plus a bare TSV floor.
import { connect, nextHandle, serverEnv, SERVER_ENTRY, textOf } from "../lib/mcp.mjs";
import { directPost, PATHS } from "../lib/upstream.mjs";
import { bareTsv, officialStyle, rawJson, tokens } from "../lib/tokens.mjs";
import { round } from "../lib/stats.mjs";

const TARGET = "forbes.com";

/** The list tools and the arguments of an n-row request (the API task is the same object). */
export const LIST_TOOLS = [
  { tool: "backlinks_backlinks", args: (n) => ({ target: TARGET, limit: n }) },
  { tool: "backlinks_referring_domains", args: (n) => ({ target: TARGET, limit: n }) },
  { tool: "backlinks_domain_pages_summary", args: (n) => ({ target: TARGET, limit: n }) },
  {
    tool: "backlinks_bulk_new_lost_referring_domains",
    // One row per target: n synthetic domains.
    args: (n) => ({ targets: Array.from({ length: n }, (_, i) => `site${i + 1}-example.com`) }),
  },
];

/**
 * Every reply needed to show `want` rows: the first call, then backlinks_next_page while the
 * output budget held rows back. Returns the replies' texts and the rows shown.
 */
async function readRows(server, tool, args, want) {
  const texts = [];
  let result = await server.call(tool, args);
  let shown = 0;
  for (;;) {
    texts.push(textOf(result));
    shown += result.structuredContent?.rows_shown ?? 0;
    const next = nextHandle(result);
    if (shown >= want || !next) break;
    result = await server.call("backlinks_next_page", { search_after_token: next });
  }
  return { texts, shown };
}

const perRow = (count, rows) => (rows > 0 ? round(count / rows, 2) : NaN);

export async function runOutput({ emulatorUrl, quick, log }) {
  const sizes = [10, 100, 1000];
  const server = await connect(SERVER_ENTRY, serverEnv(emulatorUrl, { DATAFORSEO_CACHE_TTL_SECONDS: "0" }));
  const out = {};
  try {
    for (const { tool, args } of LIST_TOOLS) {
      const figures = { text: {}, json: {}, raw_json: {}, official_style: {}, bare_tsv: {}, text_vs_tsv: {} };
      let columns = [];
      for (const n of quick ? [10, 100] : sizes) {
        const text = await readRows(server, tool, args(n), n);
        const json = await readRows(server, tool, { ...args(n), format: "json" }, n);
        const raw = await directPost(emulatorUrl, PATHS[tool], args(n));
        const items = Array.isArray(raw.items) ? raw.items : [];
        const rows = items.length;
        if (text.shown !== rows || json.shown !== rows) {
          throw new Error(`${tool} ${n} rows: server showed ${text.shown} (text) / ${json.shown} (json), API gave ${rows}`);
        }
        columns = text.texts[0].split("\n")[1].split("\t");
        const textTokens = text.texts.reduce((sum, t) => sum + tokens(t), 0);
        const jsonTokens = json.texts.reduce((sum, t) => sum + tokens(t), 0);
        const floorTokens = tokens(bareTsv(items, columns));
        const key = n === 100 ? "" : `_${n}`;
        figures.text[`tokens_per_row${key}`] = perRow(textTokens, rows);
        figures.text[`replies${key}`] = text.texts.length;
        figures.json[`tokens_per_row${key}`] = perRow(jsonTokens, rows);
        figures.json[`replies${key}`] = json.texts.length;
        figures.raw_json[`tokens_per_row${key}`] = perRow(tokens(rawJson(items)), rows);
        figures.official_style[`tokens_per_row${key}`] = perRow(tokens(officialStyle(items)), rows);
        figures.bare_tsv[`tokens_per_row${key}`] = perRow(floorTokens, rows);
        figures.text_vs_tsv[`ratio${key}`] = round(textTokens / floorTokens, 3);
        log(`  ${tool} ${rows} rows: text ${figures.text[`tokens_per_row${key}`]} tok/row in ${text.texts.length} replies`);
      }
      figures.text_vs_tsv_ratio = figures.text_vs_tsv.ratio;
      figures.columns = columns;
      out[tool] = figures;
    }
  } finally {
    await server.close();
  }
  return out;
}

// Tokens per row for every list tool, at 100 rows: our default text, our text with exactly the
// fields the official server's `.ai` reply shows, the `.ai` reply itself, and the raw API JSON of
// the same rows. The emulator's date is pinned and each reply's running session total is replaced
// by the call's own cost, so the figures do not depend on the day or on earlier calls.
import { connect, nextHandle, serverEnv, SERVER_ENTRY, textOf } from "../lib/mcp.mjs";
import { directPost, endpointTools } from "../lib/upstream.mjs";
import { aiFields, aiItem, bareTsv, pinSessionTotal, rawJson, tokens } from "../lib/tokens.mjs";
import { round } from "../lib/stats.mjs";

const TARGET = "forbes.com";
const MAX_FIELDS = 60;

/** The tool's arguments for an n-row request (the API task is the same, except intersection targets). */
export function argsFor(tool, ref, n) {
  if (ref.targetKind === "targets") {
    return { targets: Array.from({ length: n }, (_, i) => `site${i + 1}-example.com`) };
  }
  if (ref.targetKind === "intersection") {
    const pages = ref.key === "page_intersection";
    return { targets: pages ? ["https://forbes.com/", "https://nytimes.com/"] : ["forbes.com", "nytimes.com"], limit: n };
  }
  if (ref.hasLimit) return { target: TARGET, limit: n };
  // Rows per date: n days (time series) or months (history) back from the pinned date.
  if (ref.key === "history") return { target: TARGET, date_from: "2019-01-01" };
  return { target: TARGET, date_from: "2026-07-24", date_to: "2026-10-31", group_range: "day" };
}

/** The API task for tool arguments: intersection targets become the API's numbered object. */
function apiTask(ref, args) {
  if (ref.targetKind !== "intersection") return args;
  return { ...args, targets: Object.fromEntries(args.targets.map((t, i) => [String(i + 1), t])) };
}

/** The fields an `.ai` row shows, as our `fields` argument: top-level keys, or `<n>.<key>` per target. */
function equalFields(ref, items) {
  if (ref.rows !== "intersection") return aiFields(items);
  const container = `${ref.key}`;
  const seen = new Set(["intersections_count"]);
  for (const item of items) {
    for (const [n, obj] of Object.entries(item[container] ?? {})) {
      // page_intersection: a list of link objects per target; domain_intersection: one object.
      for (const one of Array.isArray(obj) ? obj : [obj]) for (const k of Object.keys(aiItem(one ?? {}))) seen.add(`${n}.${k}`);
    }
  }
  return [...seen];
}

/** Every reply needed to show `want` rows: the first call, then backlinks_next_page while rows are held. */
async function readRows(server, tool, args, want) {
  const texts = [];
  let result = await server.call(tool, args);
  let shown = 0;
  for (;;) {
    texts.push(pinSessionTotal(textOf(result)));
    shown += result.structuredContent?.rows_shown ?? 0;
    const next = nextHandle(result);
    if (shown >= want || !next) break;
    result = await server.call("backlinks_next_page", { search_after_token: next });
  }
  return { texts, shown, tokens: texts.reduce((sum, t) => sum + tokens(t), 0) };
}

const perRow = (count, rows) => (rows > 0 ? round(count / rows, 1) : NaN);

export async function runOutput({ emulatorUrl, quick, log }) {
  const n = quick ? 10 : 100;
  const refs = await endpointTools();
  const server = await connect(
    SERVER_ENTRY,
    serverEnv(emulatorUrl, { DATAFORSEO_CACHE_TTL_SECONDS: "0", DATAFORSEO_TOOLSETS: "all" }),
  );
  const out = { rows_requested: n };
  try {
    for (const [tool, ref] of Object.entries(refs)) {
      if (ref.rows === "record") continue; // summary: one object, not a list
      const args = argsFor(tool, ref, n);
      const raw = await directPost(emulatorUrl, ref.path, apiTask(ref, args));
      const items = Array.isArray(raw.items) ? raw.items : [];
      const rows = items.length;
      const text = await readRows(server, tool, args, rows);
      const allFields = equalFields(ref, items);
      // The tool takes at most 60 fields; past that the comparison is not like for like (said in the result).
      const fields = allFields.slice(0, MAX_FIELDS);
      const equal = await readRows(server, tool, { ...args, fields }, rows);
      if (text.shown !== rows || equal.shown !== rows) {
        throw new Error(`${tool}: server showed ${text.shown} / ${equal.shown} rows, the API gave ${rows}`);
      }
      const columns = text.texts[0].split("\n")[1]?.split("\t") ?? [];
      const ai = items.map(aiItem);
      const f = {
        rows,
        default_fields: columns.length,
        ai_fields: allFields.length,
        ai_fields_used: fields.length,
        text: perRow(text.tokens, rows),
        text_replies: text.texts.length,
        text_ai_fields: perRow(equal.tokens, rows),
        text_ai_fields_replies: equal.texts.length,
        ai_json: perRow(tokens(JSON.stringify(ai)), rows),
        ai_json_pretty: perRow(tokens(ai.map((x) => JSON.stringify(x, null, 2)).join("\n")), rows),
        raw_json: perRow(tokens(rawJson(items)), rows),
        bare_tsv: perRow(tokens(bareTsv(items, columns)), rows),
      };
      f.text_ai_fields_vs_ai_json = round(f.text_ai_fields / f.ai_json, 2);
      f.text_ai_fields_vs_raw_json = round(f.text_ai_fields / f.raw_json, 2);
      f.text_vs_ai_json = round(f.text / f.ai_json, 2);
      f.text_vs_bare_tsv = round(f.text / f.bare_tsv, 2);
      f.fields = fields;
      out[tool] = f;
      log(`  ${tool} ${rows} rows: text ${f.text}, same fields as .ai ${f.text_ai_fields}, .ai ${f.ai_json}, raw ${f.raw_json} tok/row`);
    }
  } finally {
    await server.close();
  }
  return out;
}

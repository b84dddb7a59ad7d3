#!/usr/bin/env node
// The README's tool, toolset and parameter tables, generated from the same data the server uses
// (the reference file, the overlays and the advertised schemas). Needs a build (dist/).
//
//   node scripts/readme-tables.mjs          rewrite the generated parts of README.md
//   node scripts/readme-tables.mjs --check  exit 1 when README.md is stale (the test runs this)
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encode } from "gpt-tokenizer/encoding/o200k_base";

const root = new URL("../", import.meta.url);
const dist = (path) => new URL(`dist/${path}`, root).href;
const { ENDPOINT_TOOLS } = await import(dist("tools/endpoints/index.js"));
const { TOOLSET_PURPOSE, toolsetsOf } = await import(dist("tools/toolsets.js"));
const { createServer, INSTRUCTIONS } = await import(dist("server.js"));
const { loadConfig } = await import(dist("config.js"));
const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
const { integerMinimum, literalDefault, numericBound } = await import(dist("reference/endpoints.js"));
const { settingsList } = await import(dist("config.js"));

const README = fileURLToPath(new URL("README.md", root));

/** Every tool as the server lists it with all toolsets on (what the model reads). */
async function listedTools() {
  const { config } = loadConfig([], { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_STATE_DIR: mkdtempSync(join(tmpdir(), "readme-")) });
  const parts = createServer(config);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "readme", version: "1" });
  await parts.server.connect(a);
  await client.connect(b);
  const { tools } = await client.listTools();
  await client.close();
  await parts.close(0);
  return new Map(tools.map((t) => [t.name, t]));
}

const LISTED = await listedTools();

/** Tokens the model pays for one tool in tools/list: name, description, input schema. */
function toolTokens(name) {
  const t = LISTED.get(name);
  return encode(JSON.stringify({ name: t.name, description: t.description, inputSchema: t.inputSchema })).length;
}

function limits(p) {
  const parts = [];
  if (p.enum) parts.push(p.enum.join(" \\| "));
  const min = numericBound(p.min);
  const max = numericBound(p.max);
  if (p.type === "integer" && (min !== undefined || max !== undefined)) parts.push(`${integerMinimum(p)}–${max ?? "∞"}`);
  if (p.max_items) parts.push(`≤ ${p.max_items} items`);
  if (p.max_rules) parts.push(`≤ ${p.max_rules} rules`);
  if (p.max_conditions) parts.push(`≤ ${p.max_conditions} conditions`);
  if (p.max_length) parts.push(`≤ ${p.max_length} chars`);
  if (p.format) parts.push(p.format);
  if (typeof p.min === "string" && p.format) parts.push(`from ${p.min}`);
  const def = literalDefault(p) ?? (typeof p.default === "string" ? p.default : undefined);
  if (def !== undefined) parts.push(`default ${def}`);
  return parts.join(", ");
}

function toolsTable() {
  const rows = ["| tool | toolsets | endpoint | answers | tokens |", "| --- | --- | --- | --- | ---: |"];
  for (const t of ENDPOINT_TOOLS) {
    rows.push(`| \`${t.name}\` | ${t.overlay.toolsets.join(", ")} | \`POST ${t.ref.path}\` | ${t.overlay.title} | ${toolTokens(t.name)} |`);
  }
  const members = toolsetsOf();
  const endpointNames = new Set(ENDPOINT_TOOLS.map((t) => t.name));
  for (const [set, names] of Object.entries(members)) {
    for (const name of names.filter((n) => !endpointNames.has(n))) {
      rows.push(`| \`${name}\` | ${set} | (several calls) | ${LISTED.get(name).title} | ${toolTokens(name)} |`);
    }
  }
  for (const name of ["backlinks_next_page", "backlinks_usage"]) {
    rows.push(`| \`${name}\` | (always) | ${name === "backlinks_usage" ? "`GET /v3/appendix/user_data` (free)" : "(held rows free, else the next page)"} | ${LISTED.get(name).title} | ${toolTokens(name)} |`);
  }
  return rows.join("\n");
}

function toolsetsTable() {
  const members = toolsetsOf();
  const rows = ["| toolset | for | tools | tokens |", "| --- | --- | --- | ---: |"];
  for (const [name, purpose] of Object.entries(TOOLSET_PURPOSE)) {
    const list = members[name] ?? [];
    const tokens = list.reduce((sum, n) => sum + toolTokens(n), 0);
    rows.push(`| \`${name}\` | ${purpose} | ${list.map((n) => `\`${n}\``).join(", ")} | ${tokens} |`);
  }
  const always = toolTokens("backlinks_next_page") + toolTokens("backlinks_usage");
  const core = (members.core ?? []).reduce((sum, n) => sum + toolTokens(n), 0);
  const instructions = encode(INSTRUCTIONS).length;
  rows.push(
    "",
    `Every configuration also has \`backlinks_next_page\` and \`backlinks_usage\` (${always} tokens) and the server instructions (${instructions} tokens), which state the filter grammar and the defaults once for all tools. The default set (\`core\`) therefore costs ${core + always + instructions} tokens a turn; \`all\` costs ${[...LISTED.keys()].reduce((sum, n) => sum + toolTokens(n), 0) + instructions}.`,
  );
  return rows.join("\n");
}

function parametersList() {
  const lines = [];
  for (const t of ENDPOINT_TOOLS) {
    const params = t.ref.params.map((p) => {
      const extra = limits(p);
      return `\`${p.name}\`${p.required ? "\\*" : ""}${extra ? ` (${extra})` : ""}`;
    });
    for (const local of t.localParams) params.push(`\`${local}\` (local only)`);
    lines.push(`- \`${t.name}\`: ${params.join(", ")}, \`format\`, \`fields\``);
  }
  return lines.join("\n");
}

function settingsTable() {
  const rows = ["| variable | flag | meaning |", "| --- | --- | --- |"];
  for (const s of settingsList()) rows.push(`| \`${s.env}\` | ${s.flag ? `\`${s.flag}\`` : "(environment only)"} | ${s.help.replace(/\|/g, "\\|")} |`);
  return rows.join("\n");
}

const SECTIONS = { tools: toolsTable, toolsets: toolsetsTable, parameters: parametersList, settings: settingsTable };

function render(text) {
  let out = text;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} block`);
    out = `${out.slice(0, a + start.length)}\n${make()}\n${out.slice(b)}`;
  }
  return out;
}

const current = readFileSync(README, "utf8");
const next = render(current);
if (process.argv.includes("--check")) {
  if (next !== current) {
    process.stderr.write("README.md tables are stale: run `npm run build && node scripts/readme-tables.mjs`\n");
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(README, next);
}

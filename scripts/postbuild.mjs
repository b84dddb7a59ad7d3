// After tsc: marks the bin entry executable, and writes dist/advertised.json, the JSON Schemas that
// tools/list advertises, converted once here from the same code instead of in every fresh process
// (src/server.ts reads it; without it the server converts them itself).
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const entry = new URL("../dist/index.js", import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);

const { createServer, schemasOf, VERSION } = await import("../dist/server.js");
const { loadConfig } = await import("../dist/config.js");
const stateDir = mkdtempSync(join(tmpdir(), "backlinks-mcp-build-"));
try {
  const env = { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_STATE_DIR: stateDir, DATAFORSEO_EXPORT_DIR: stateDir, DATAFORSEO_LOG_LEVEL: "error" };
  const parts = createServer(loadConfig([], env).config);
  const tools = Object.fromEntries(parts.listed.map((t) => [t.name, schemasOf(t, false)]));
  await parts.close(0);
  writeFileSync(new URL("../dist/advertised.json", import.meta.url), `${JSON.stringify({ version: VERSION, tools })}\n`);
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}

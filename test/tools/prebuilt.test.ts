// dist/advertised.json (written by the build) holds exactly the schemas the source converts, so a
// server started from dist advertises what one started from source would.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createServer, schemasOf, VERSION } from "../../src/server.js";
import { loadConfig } from "../../src/config.js";

describe("prebuilt tools/list schemas", () => {
  it("match the schemas converted from source, for every registered tool", async () => {
    const file = JSON.parse(readFileSync(new URL("../../dist/advertised.json", import.meta.url), "utf8")) as {
      version: string;
      tools: Record<string, unknown>;
    };
    expect(file.version).toBe(VERSION);
    const dir = mkdtempSync(join(tmpdir(), "bl-prebuilt-"));
    const parts = createServer(loadConfig([], { DATAFORSEO_TOOLSETS: "all", DATAFORSEO_STATE_DIR: dir, DATAFORSEO_EXPORT_DIR: dir }).config);
    try {
      expect(Object.keys(file.tools).sort()).toEqual(parts.listed.map((t) => t.name).sort());
      for (const t of parts.listed) expect(file.tools[t.name], t.name).toEqual(schemasOf(t, false));
    } finally {
      await parts.close(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

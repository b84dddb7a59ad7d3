// The README's tool, toolset and parameter tables are generated from the data the server uses;
// this fails when they are stale (fix: npm run readme).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("README tables", () => {
  it("match what the server registers", () => {
    const script = fileURLToPath(new URL("../scripts/readme-tables.mjs", import.meta.url));
    const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

// Install path from git: `npm install git+file://<clone>` clones the committed state, installs the
// clone's dependencies (dev ones too), runs prepare to build dist/, packs and installs the result.
// Needs the npm registry; the slowest test of the suite (2.5 to 3.5 minutes, most of it devDependencies).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SKIP, callInstalled, git, npm, ROOT, rowsOf } from "./install.js";

const work = mkdtempSync(join(tmpdir(), "backlinks-mcp-git-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(SKIP)("npm install from a git clone", () => {
  it("runs prepare, so the installed backlinks-mcp answers backlinks_backlinks", { timeout: 420_000 }, async () => {
    const clone = join(work, "clone");
    await git(["clone", "--quiet", "--no-hardlinks", ROOT, clone], work);
    expect(existsSync(join(clone, "dist"))).toBe(false);
    const app = join(work, "app-git");
    mkdirSync(app, { recursive: true });
    await npm(["init", "-y"], app);
    await npm(["install", "--omit=dev", `git+file://${clone}`], app, 380_000);
    const bin = join(app, "node_modules", ".bin", "backlinks-mcp");
    expect(existsSync(bin)).toBe(true);

    const { result, stderr } = await callInstalled(bin);
    expect(result.isError, stderr).toBeFalsy();
    expect(rowsOf(result)).toHaveLength(3);
  });
});

// Install paths, end to end: `npm pack` on a checkout with no dist/ builds it (the prepare script),
// the tarball installs with --omit=dev into an empty folder, and the installed `backlinks-mcp --demo`
// answers a real tool call. Needs the npm registry for the runtime dependencies (one to two minutes).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SKIP, callInstalled, copyCheckout, npm, rowsOf } from "./install.js";

const work = mkdtempSync(join(tmpdir(), "backlinks-mcp-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(SKIP)("npm pack, then npm install --omit=dev of the tarball", () => {
  it("gives a runnable backlinks-mcp that answers backlinks_backlinks", { timeout: 300_000 }, async () => {
    const checkout = join(work, "checkout");
    await copyCheckout(checkout);
    expect(existsSync(join(checkout, "dist"))).toBe(false);

    const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", work], checkout)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/cli.js", "dist/transport/stdio.js", "LICENSE", "package.json"]));
    expect(files.some((f) => f.startsWith("dist/data/"))).toBe(true);
    expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);

    const app = join(work, "app");
    mkdirSync(app, { recursive: true });
    await npm(["init", "-y"], app);
    await npm(["install", "--omit=dev", join(work, packed[0]!.filename)], app, 240_000);
    const bin = join(app, "node_modules", ".bin", "backlinks-mcp");
    expect(existsSync(bin)).toBe(true);

    const { result, stderr } = await callInstalled(bin);
    expect(result.isError, stderr).toBeFalsy();
    expect(rowsOf(result)).toHaveLength(3);
  });
});

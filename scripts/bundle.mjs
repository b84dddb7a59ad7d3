// Builds the Claude Desktop bundle (backlinks-mcp.mcpb) from production files only.
//
// A temporary folder is staged with dist/, manifest.json, icon.png, README.md, LICENSE and a package.json
// without scripts or devDependencies; the production dependencies are installed there from the lockfile
// (`npm ci --omit=dev --ignore-scripts`), then @anthropic-ai/mcpb validates the manifest and packs the folder.
//
// Usage: node scripts/bundle.mjs [--out file.mcpb] [--offline] [--keep-stage]
//   --offline      install dependencies from the npm cache only (no network); fails if something is not cached
//   --keep-stage   leave the staging folder in place and print its path
// Run `npm run build` first (`npm run bundle` does both). Refuses to pack when manifest.json or server.json is out of
// step with the built server or package.json (see scripts/sync-manifest.mjs).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { packExtension, validateManifest } from "@anthropic-ai/mcpb";
import { expectedMetadata } from "./sync-manifest.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Keys of package.json that matter at run time or for the record; everything else stays out of the bundle. */
const RUNTIME_KEYS = [
  "name", "version", "description", "mcpName", "keywords", "homepage", "repository", "bugs",
  "license", "type", "bin", "engines", "dependencies",
];

function npmCommand() {
  // npm on Windows is a .cmd shim; execFileSync needs the shell to run it there.
  return process.platform === "win32" ? { cmd: "npm.cmd", shell: true } : { cmd: "npm", shell: false };
}

function folderBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * Stages the production files and packs them. Returns { out, stage, bytes, installedBytes, files }.
 * `stage` is removed afterwards unless keepStage is set.
 */
export async function buildBundle({ out = join(ROOT, "backlinks-mcp.mcpb"), offline = false, keepStage = false, log = () => {} } = {}) {
  if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("dist/index.js is missing: run `npm run build` first");
  // A bundle whose manifest lists other tools than the server it carries would mislead Claude Desktop's UI.
  const { differences } = await expectedMetadata();
  if (differences.length > 0) {
    throw new Error(`out of date: ${differences.join(", ")}; run node scripts/sync-manifest.mjs and commit the result`);
  }
  const stage = mkdtempSync(join(tmpdir(), "backlinks-mcp-bundle-"));
  try {
    cpSync(join(ROOT, "dist"), join(stage, "dist"), { recursive: true });
    for (const file of ["manifest.json", "icon.png", "README.md", "LICENSE"]) {
      if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(stage, file));
      else log(`note: ${file} not found, left out of the bundle`);
    }
    // npm ci checks package.json against the lockfile, so it runs on the full file; the slim one is written after.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    cpSync(join(ROOT, "package.json"), join(stage, "package.json"));
    cpSync(join(ROOT, "package-lock.json"), join(stage, "package-lock.json"));
    const npm = npmCommand();
    const args = ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", offline ? "--offline" : "--prefer-offline"];
    log(`installing production dependencies: npm ${args.join(" ")}`);
    execFileSync(npm.cmd, args, { cwd: stage, stdio: ["ignore", "ignore", "pipe"], shell: npm.shell });
    const slim = Object.fromEntries(RUNTIME_KEYS.filter((k) => k in pkg).map((k) => [k, pkg[k]]));
    writeFileSync(join(stage, "package.json"), `${JSON.stringify(slim, null, 2)}\n`);
    rmSync(join(stage, "package-lock.json"));
    rmSync(join(stage, "node_modules", ".package-lock.json"), { force: true });
    const installedBytes = folderBytes(join(stage, "node_modules"));

    if (!validateManifest(join(stage, "manifest.json"))) throw new Error("manifest.json failed mcpb validation");
    const ok = await packExtension({ extensionPath: stage, outputPath: resolve(out), silent: true });
    if (!ok) throw new Error("mcpb pack failed");
    return { out: resolve(out), stage, bytes: statSync(resolve(out)).size, installedBytes };
  } finally {
    if (!keepStage) rmSync(stage, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf("--out");
  const log = (line) => process.stderr.write(`${line}\n`);
  // mcpb's validator reports on stdout; keep this script's stdout for the final path only.
  const realLog = console.log;
  console.log = (...a) => process.stderr.write(`${a.join(" ")}\n`);
  try {
    const result = await buildBundle({
      out: outIndex >= 0 ? argv[outIndex + 1] : undefined,
      offline: argv.includes("--offline"),
      keepStage: argv.includes("--keep-stage"),
      log,
    });
    const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    log(`bundle ${result.out}: ${mb(result.bytes)} (${result.bytes} bytes); production node_modules ${mb(result.installedBytes)}`);
    if (argv.includes("--keep-stage")) log(`staging folder kept: ${result.stage}`);
    console.log = realLog;
    process.stdout.write(`${result.out}\n`);
  } catch (err) {
    log(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

// Keeps manifest.json and server.json in step with package.json and the built server:
// the manifest's tool list is the server's tools/list (all toolsets on), versions and names come from package.json.
// Usage: node scripts/sync-manifest.mjs          rewrite both files (run `npm run build` first)
//        node scripts/sync-manifest.mjs --check  exit 1 and say what differs, change nothing
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { listServerTools } from "./lib/server-tools.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const readJson = (file) => JSON.parse(readFileSync(`${ROOT}${file}`, "utf8"));

/**
 * What manifest.json and server.json should hold, given package.json and the server built in dist/.
 * Returns { manifest, serverJson, differences } where differences lists each out-of-date field.
 */
export async function expectedMetadata() {
  const pkg = readJson("package.json");
  const manifest = readJson("manifest.json");
  const serverJson = readJson("server.json");
  const tools = await listServerTools(`${ROOT}dist/index.js`);

  const nextManifest = { ...manifest, name: pkg.name, version: pkg.version, tools };
  const nextServerJson = {
    ...serverJson,
    name: pkg.mcpName,
    version: pkg.version,
    packages: serverJson.packages.map((p) =>
      p.registryType === "npm" ? { ...p, identifier: pkg.name, version: pkg.version } : p,
    ),
  };

  const differences = [];
  for (const key of ["name", "version", "tools"]) {
    if (!isDeepStrictEqual(manifest[key], nextManifest[key])) differences.push(`manifest.json: ${key}`);
  }
  for (const key of ["name", "version", "packages"]) {
    if (!isDeepStrictEqual(serverJson[key], nextServerJson[key])) differences.push(`server.json: ${key}`);
  }
  return { manifest: nextManifest, serverJson: nextServerJson, differences };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { manifest, serverJson, differences } = await expectedMetadata();
  if (process.argv.includes("--check")) {
    if (differences.length > 0) {
      process.stderr.write(`out of date: ${differences.join(", ")}; run node scripts/sync-manifest.mjs\n`);
      process.exit(1);
    }
    process.stderr.write("manifest.json and server.json are in sync\n");
  } else {
    writeFileSync(`${ROOT}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(`${ROOT}server.json`, `${JSON.stringify(serverJson, null, 2)}\n`);
    process.stderr.write(differences.length ? `updated: ${differences.join(", ")}\n` : "already in sync\n");
  }
}

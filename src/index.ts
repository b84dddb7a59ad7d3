#!/usr/bin/env node
// Bin entry. It checks the Node.js version before anything else is loaded: static imports are
// evaluated before a module's own code, so the server proper (src/cli.ts, with undici, zod and the
// SDK) is imported dynamically, only once the check has passed. Keep this file free of imports and
// of syntax newer than what old Node releases can parse (no `??`, `?.`, top-level await), so that on
// an old Node the user reads the message below instead of a stack trace.

/** The oldest Node.js this package runs on: undici 7 needs 20.18.1 (JSON import attributes need 20.10). */
const MINIMUM = [20, 18, 1];
/** Exit code when the running Node.js is too old. */
const EXIT_OLD_NODE = 3;

function parseVersion(text: string): number[] {
  const parts = String(text).replace(/^v/, "").split(".");
  return [0, 1, 2].map(function (i) {
    const n = parseInt(parts[i] || "0", 10);
    return isNaN(n) ? 0 : n;
  });
}

function isNewEnough(version: number[]): boolean {
  for (let i = 0; i < MINIMUM.length; i++) {
    if (version[i] !== MINIMUM[i]) return version[i] > MINIMUM[i];
  }
  return true;
}

const running = process.versions.node;
if (!isNewEnough(parseVersion(running))) {
  process.stderr.write(
    "backlinks-mcp: this is Node.js " +
      running +
      "; backlinks-mcp needs Node.js " +
      MINIMUM.join(".") +
      " or newer (a current LTS release from https://nodejs.org works).\n",
  );
  process.exit(EXIT_OLD_NODE);
} else {
  // V8 settings first (src/v8-tuning.ts), then the server.
  import("./v8-tuning.js")
    .then(function (tuning) {
      tuning.tuneV8();
      return import("./cli.js");
    })
    .catch(function (err: unknown) {
      process.stderr.write("backlinks-mcp: fatal: " + (err instanceof Error ? err.message : String(err)) + "\n");
      process.exit(1);
    });
}

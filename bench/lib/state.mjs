// A temporary state folder per server process, so that no benchmark touches a real ledger.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = [];

export function tempStateDir() {
  const dir = mkdtempSync(join(tmpdir(), "backlinks-bench-state-"));
  made.push(dir);
  return dir;
}

/** Removes every folder made by tempStateDir (called once the run ends). */
export function removeStateDirs() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

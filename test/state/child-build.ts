// Child processes cannot import TypeScript: transpile src/state into a temp folder (with the
// project's node_modules linked in) so plain `node` children can load the real store.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";

export async function buildStateForChildren(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "bl-state-child-"));
  const src = path.resolve("src/state");
  for (const name of await fs.readdir(src)) {
    if (!name.endsWith(".ts")) continue;
    const out = ts.transpileModule(await fs.readFile(path.join(src, name), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await fs.writeFile(path.join(dir, name.replace(/\.ts$/, ".js")), out.outputText);
  }
  await fs.writeFile(path.join(dir, "package.json"), '{"type":"module"}');
  await fs.symlink(path.resolve("node_modules"), path.join(dir, "node_modules"), "junction");
  await fs.copyFile(path.resolve("test/state/spend-child.mjs"), path.join(dir, "spend-child.mjs"));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

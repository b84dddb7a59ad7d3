// The V8 settings of the bin entry: a young generation kept at its initial size under steady allocation, and
// left alone when the user gives a semi-space flag. Run in child processes (a V8 setting is per process).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const TUNING = fileURLToPath(new URL("../../dist/v8-tuning.js", import.meta.url));

/** New-space size in MB after allocating many short-lived objects, some surviving a while (like parsed responses). */
function youngAfterLoad(args: string[], given: string): { young: number } {
  const script = `
    const { tuneV8 } = await import(${JSON.stringify(TUNING)});
    const v8 = await import("node:v8");
    tuneV8(${JSON.stringify(given)});
    let keep = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50000; i++) keep.push({ url: "https://example.com/" + i, rank: i, tags: [i, i + 1] });
      keep = keep.slice(-20000);
      await new Promise((r) => setImmediate(r));
    }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
    process.stdout.write(JSON.stringify({ young: young / 1048576 }));
  `;
  return JSON.parse(execFileSync(process.execPath, [...args, "--input-type=module", "-e", script], { encoding: "utf8" })) as { young: number };
}

describe("V8 tuning", () => {
  it("keeps the young generation at its initial size under steady allocation", () => {
    const { young } = youngAfterLoad([], "");
    expect(young).toBeGreaterThan(0);
    expect(young).toBeLessThanOrEqual(4);
    // The same load without the setting grows it (the check above can fail).
    expect(youngAfterLoad([], "--semi-space-growth-factor=2").young).toBeGreaterThan(8);
  });

  it("fixes the old generation's growing factor, unless the user sets it", () => {
    const set = (given: string) =>
      JSON.parse(
        execFileSync(process.execPath, ["--input-type=module", "-e", `const { tuneV8 } = await import(${JSON.stringify(TUNING)}); process.stdout.write(JSON.stringify(tuneV8(${JSON.stringify(given)})));`], { encoding: "utf8" }),
      ) as string[];
    expect(set("")).toContain("--heap-growing-percent=100");
    expect(set("--heap-growing-percent=50")).not.toContain("--heap-growing-percent=100");
    // setFlagsFromString ignores a flag V8 does not know; the command line does not.
    for (const flag of set("")) expect(() => execFileSync(process.execPath, [flag, "-e", "0"], { stdio: "pipe" })).not.toThrow();
    expect(() => execFileSync(process.execPath, ["--no-such-v8-flag", "-e", "0"], { stdio: "pipe" })).toThrow();
  });

  it("leaves the young generation alone when the user sets a semi-space flag", () => {
    const { young } = youngAfterLoad(["--max-semi-space-size=32"], "--max-semi-space-size=32");
    expect(young).toBeGreaterThan(8);
  });
});

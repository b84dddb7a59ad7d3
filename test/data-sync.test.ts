// src/data holds copies of the shared reference files; when the reference is beside the project,
// the copies must not have drifted from it.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const FILES = ["backlinks-endpoints.json", "backlinks-filter-fields.json", "backlinks-pricing.json", "status-codes.json"];
const reference = new URL("../../shared/reference/", import.meta.url);

describe("reference data copies", () => {
  for (const file of FILES) {
    const copy = new URL(`../src/data/${file}`, import.meta.url);
    const original = new URL(file, reference);
    it.runIf(existsSync(original))(`${file} matches the shared reference`, () => {
      expect(JSON.parse(readFileSync(copy, "utf8"))).toEqual(JSON.parse(readFileSync(original, "utf8")));
    });
    it(`${file} is valid JSON with content`, () => {
      const data = JSON.parse(readFileSync(copy, "utf8")) as Record<string, unknown>;
      expect(Object.keys(data).length).toBeGreaterThan(0);
    });
  }
});

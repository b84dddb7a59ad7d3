// MCP Registry metadata: server.json follows the registry's server.schema.json (2025-12-11) in every field
// it uses, and agrees with package.json (mcpName, name, version) and with the bundle manifest.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));
const pkg = read("package.json");
const serverJson = read("server.json");
const manifest = read("manifest.json");

/** A version the registry accepts: one exact release, not `latest` or a range. */
const exactVersion = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => v !== "latest" && !/^[~^<>=*]|\.x$|\.\*|\s|\|\|/.test(v), "must be one exact version");

const keyValueInput = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  description: z.string().min(1).optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  format: z.enum(["string", "number", "boolean", "filepath"]).optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
  value: z.string().optional(),
});

const serverJsonShape = z.strictObject({
  $schema: z.string().regex(/^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/),
  name: z.string().min(3).max(200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
  title: z.string().min(1).max(100).optional(),
  description: z.string().min(1).max(100),
  repository: z.strictObject({ url: z.url(), source: z.literal("github"), id: z.string().optional(), subfolder: z.string().optional() }),
  websiteUrl: z.url().optional(),
  version: exactVersion,
  packages: z
    .array(
      z.strictObject({
        registryType: z.literal("npm"),
        registryBaseUrl: z.literal("https://registry.npmjs.org"),
        identifier: z.string().min(1),
        version: exactVersion,
        runtimeHint: z.string().optional(),
        transport: z.strictObject({ type: z.literal("stdio") }),
        environmentVariables: z.array(keyValueInput).optional(),
      }),
    )
    .min(1),
});

const repoPath = (url: string) =>
  url.replace(/^git\+/, "").replace(/\.git$/, "").replace(/#.*$/, "").replace(/^https:\/\/github\.com\//, "");

describe("server.json", () => {
  it("has the shape of the MCP Registry's server.json", () => {
    const parsed = serverJsonShape.safeParse(serverJson);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it("names the same server, version and npm package as package.json", () => {
    expect(pkg.mcpName).toBe(serverJson.name);
    expect(serverJson.version).toBe(pkg.version);
    const npm = serverJson.packages.find((p: { registryType: string }) => p.registryType === "npm");
    expect(npm.identifier).toBe(pkg.name);
    expect(npm.version).toBe(pkg.version);
    expect(manifest.version).toBe(pkg.version);
  });

  it("uses a GitHub namespace that matches the repository, the same repository everywhere", () => {
    const path = repoPath(serverJson.repository.url);
    expect(path).toMatch(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/);
    expect(serverJson.name.startsWith(`io.github.${path.split("/")[0]}/`)).toBe(true);
    expect(repoPath(pkg.repository.url)).toBe(path);
    expect(repoPath(manifest.repository.url)).toBe(path);
    expect(repoPath(pkg.bugs.url)).toBe(`${path}/issues`);
  });

  it("declares the same environment variables as the bundle, the password as a secret", () => {
    const vars = serverJson.packages[0].environmentVariables as { name: string; isSecret?: boolean }[];
    expect(vars.map((v) => v.name).sort()).toEqual(Object.keys(manifest.server.mcp_config.env).sort());
    expect(vars.find((v) => v.name === "DATAFORSEO_PASSWORD")?.isSecret).toBe(true);
    expect(vars.filter((v) => v.isSecret).map((v) => v.name)).toEqual(["DATAFORSEO_PASSWORD"]);
  });
});

describe("package.json metadata", () => {
  it("carries keywords, homepage, repository and bugs for the registry pages", () => {
    expect(pkg.keywords).toEqual(expect.arrayContaining(["mcp", "dataforseo", "backlinks"]));
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.repository.type).toBe("git");
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
  });
});

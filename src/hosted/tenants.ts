// Tenants of a hosted server: bearer tokens (kept only as SHA-256 hashes) → a name, DataForSEO
// credentials, spending caps and toolsets. Tokens are compared in constant time over their hashes.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../config.js";
import { toNanos } from "../spend/units.js";

export interface Tenant {
  name: string;
  login: string;
  password: string;
  /** Largest estimate of one call, in nano-dollars. */
  perCallNanos?: number;
  dailyNanos?: number;
  monthlyNanos?: number;
  toolsets?: string[];
}

const usd = z.number().min(0).max(1_000_000);

const tenantSchema = z.strictObject({
  // Also a folder name (its exports) and part of state keys: no separators, no leading dot.
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a letter or digit, then letters, digits, '_', '.', '-' (64 at most)"),
  token_sha256: z.union([z.string(), z.array(z.string()).min(1)]),
  login: z.string().min(1),
  password: z.string().min(1),
  caps: z
    .strictObject({ per_call_usd: usd.optional(), daily_usd: usd.optional(), monthly_usd: usd.optional() })
    .optional(),
  toolsets: z.array(z.string().min(1)).min(1).optional(),
});

const fileSchema = z.strictObject({ tenants: z.array(tenantSchema).min(1) });

const HEX64 = /^[0-9a-f]{64}$/;

/** The hash a tenants file stores for a bearer token: SHA-256 of its UTF-8 bytes, lowercase hex. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export class Tenants {
  private readonly hashes: { hash: Buffer; tenant: Tenant }[];

  constructor(readonly list: readonly Tenant[], hashes: { hash: string; tenant: Tenant }[]) {
    this.hashes = hashes.map((h) => ({ hash: Buffer.from(h.hash, "hex"), tenant: h.tenant }));
  }

  /**
   * The tenant a bearer token belongs to, or undefined. Every stored hash is compared, in constant
   * time, whether or not an earlier one matched.
   */
  find(token: string): Tenant | undefined {
    const presented = createHash("sha256").update(token, "utf8").digest();
    let found: Tenant | undefined;
    for (const { hash, tenant } of this.hashes) {
      if (timingSafeEqual(presented, hash) && found === undefined) found = tenant;
    }
    return found;
  }
}

/** Parse a tenants file's JSON text; every problem is a ConfigError that names the tenant and field. */
export function parseTenants(text: string, source = "tenants file"): Tenants {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not valid JSON`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    // Never echo values: the file holds passwords.
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${source}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  const seenNames = new Set<string>();
  const seenHashes = new Set<string>();
  const list: Tenant[] = [];
  const hashes: { hash: string; tenant: Tenant }[] = [];
  for (const t of parsed.data.tenants) {
    if (t.name === "local") throw new ConfigError(`${source}: the tenant name 'local' is reserved`);
    if (seenNames.has(t.name)) throw new ConfigError(`${source}: tenant '${t.name}' appears twice`);
    seenNames.add(t.name);
    const tenant: Tenant = {
      name: t.name,
      login: t.login,
      password: t.password,
      perCallNanos: t.caps?.per_call_usd === undefined ? undefined : toNanos(t.caps.per_call_usd),
      dailyNanos: t.caps?.daily_usd === undefined ? undefined : toNanos(t.caps.daily_usd),
      monthlyNanos: t.caps?.monthly_usd === undefined ? undefined : toNanos(t.caps.monthly_usd),
      toolsets: t.toolsets,
    };
    list.push(tenant);
    for (const h of Array.isArray(t.token_sha256) ? t.token_sha256 : [t.token_sha256]) {
      const hash = h.trim().toLowerCase();
      if (!HEX64.test(hash)) {
        throw new ConfigError(
          `${source}: tenant '${t.name}': token_sha256 must be the 64-hex-digit SHA-256 of the token, never the token itself`,
        );
      }
      if (seenHashes.has(hash)) throw new ConfigError(`${source}: tenant '${t.name}': a token hash is used twice`);
      seenHashes.add(hash);
      hashes.push({ hash, tenant });
    }
  }
  return new Tenants(list, hashes);
}

export function loadTenants(path: string): Tenants {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read DATAFORSEO_TENANTS_FILE: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return parseTenants(text, "DATAFORSEO_TENANTS_FILE");
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+([\x21-\x7e]{1,4096})[ ]*$/i.exec(header);
  return m ? m[1] : undefined;
}

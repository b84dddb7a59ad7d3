import { createHash } from "node:crypto";

export interface CacheEntry<T> {
  value: T;
  storedAt: number;
  bytes: number;
}

/**
 * In-memory response cache: entries live `ttlMs`, total size stays within
 * `maxBytes` (sizes as given by the caller), least recently used go first.
 * A Map keeps insertion order, so re-inserting on use makes its first key the LRU one.
 */
export class ResponseCache<T> {
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, CacheEntry<T>>();
  #bytes = 0;

  constructor(options: { ttlMs: number; maxBytes: number; now?: () => number }) {
    const { ttlMs, maxBytes } = options;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError(`ttlMs must be a finite number ≥ 0, got ${String(ttlMs)}`);
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a finite number ≥ 0, got ${String(maxBytes)}`);
    this.#ttlMs = ttlMs;
    this.#maxBytes = maxBytes;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#ttlMs > 0 && this.#maxBytes > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  get(key: string): { value: T; ageMs: number } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const ageMs = Math.max(0, this.#now() - entry.storedAt);
    this.#entries.delete(key);
    if (ageMs >= this.#ttlMs) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return { value: entry.value, ageMs };
  }

  set(key: string, value: T, bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`bytes must be a finite number ≥ 0, got ${String(bytes)}`);
    this.#remove(key);
    if (!this.enabled || bytes > this.#maxBytes) return;
    while (this.#bytes + bytes > this.#maxBytes) this.#evictOldest();
    this.#entries.set(key, { value, storedAt: this.#now(), bytes });
    this.#bytes += bytes;
  }

  /** Drops every expired entry (O(n); eviction itself only looks at the LRU end). */
  prune(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (now - entry.storedAt >= this.#ttlMs) {
        this.#remove(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #evictOldest(): void {
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#remove(oldest.value);
  }
}

/**
 * JSON with object keys sorted at every depth. Follows JSON.stringify for
 * everything else: undefined/functions/symbols are dropped from objects and
 * become null in arrays, non-finite numbers become null, toJSON is honoured.
 * BigInts are written as plain integers. Cycles throw a TypeError.
 */
export function stableStringify(value: unknown): string {
  return write(value, new Set()) ?? "null";
}

function write(value: unknown, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError("stableStringify: circular structure");
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((item) => write(item, seen) ?? "null").join(",")}]`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const text = write((obj as Record<string, unknown>)[key], seen);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    out = `{${parts.join(",")}}`;
  }
  seen.delete(obj);
  return out;
}

/** Parameters that never change the data returned. */
const IGNORED_PARAMS = new Set(["tag"]);

/**
 * Cache key for one request: sha256 hex of endpoint, credential id and the
 * canonical parameters. `credentialId` must already be a hash of the login,
 * never the login or password; the key itself holds neither.
 */
export function cacheKey(endpointPath: string, params: Record<string, unknown>, credentialId: string): string {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!IGNORED_PARAMS.has(key)) kept[key] = value;
  }
  return createHash("sha256")
    .update(stableStringify([endpointPath, credentialId, kept]))
    .digest("hex");
}

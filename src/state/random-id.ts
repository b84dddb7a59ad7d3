// Random identifiers (paging handles, reservation and settlement ids) from a pool of random bytes:
// one call into the operating system's generator for many ids instead of one for each. Every byte
// comes from crypto.randomBytes and is handed out once.
import { randomBytes } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** `bytes` random bytes (at most 256), encoded as base64url (default) or hex. */
export function randomId(bytes: number, encoding: "base64url" | "hex" = "base64url"): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 256) throw new RangeError("bytes must be 1 to 256");
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const id = pool.toString(encoding, used, used + bytes);
  // Zeroed once handed out, so a later read of the pool cannot show an id.
  pool.fill(0, used, used + bytes);
  used += bytes;
  return id;
}

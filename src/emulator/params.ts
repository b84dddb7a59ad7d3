// A task as posted, and a stable serialisation of parameters for cache keys and token hashes.
// (Parameter checks live in spec.ts, driven by the reference data.)

export type Task = Record<string, unknown>;

/** Stable JSON with sorted keys, for cache keys and token hashes. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

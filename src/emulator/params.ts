// Checking the parameters of one task. Every failure is a 40501 naming the parameter.
import { invalidField } from "./errors.js";
import type { Selection, StatusType } from "./dataset.js";
import { parseTarget, type ParsedTarget } from "./targets.js";

export type Task = Record<string, unknown>;

/** Reject any key the endpoint does not know, in the API's wording. */
export function rejectUnknown(task: Task, allowed: readonly string[]): void {
  for (const key of Object.keys(task)) if (!allowed.includes(key)) throw invalidField(key);
}

export function int(task: Task, name: string, def: number, min: number, max: number): number {
  const v = task[name];
  if (v === undefined || v === null) return def;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalidField(name, `Must be an integer from ${min} to ${max}.`);
  if (v < min || v > max) throw invalidField(name, `Must be an integer from ${min} to ${max}, got ${v}.`);
  return v;
}

export function bool(task: Task, name: string, def: boolean): boolean {
  const v = task[name];
  if (v === undefined || v === null) return def;
  if (typeof v !== "boolean") throw invalidField(name, "Must be true or false.");
  return v;
}

export function oneOf<T extends string>(task: Task, name: string, values: readonly T[], def: T): T {
  const v = task[name];
  if (v === undefined || v === null) return def;
  if (typeof v !== "string" || !values.includes(v as T)) throw invalidField(name, `Must be one of: ${values.join(", ")}.`);
  return v as T;
}

export function tag(task: Task): void {
  const v = task.tag;
  if (v === undefined || v === null) return;
  if (typeof v !== "string" || v.length > 255) throw invalidField("tag", "Must be a string of at most 255 characters.");
}

export function target(task: Task): ParsedTarget {
  const v = task.target;
  if (v === undefined || v === null || v === "") throw invalidField("target", "The target is required.");
  const t = parseTarget(v);
  if (!t) throw invalidField("target", "Use a domain without scheme and www (example.com) or an absolute http(s) URL.");
  return t;
}

export function selection(task: Task): Selection {
  return {
    status: oneOf<StatusType>(task, "backlinks_status_type", ["all", "live", "lost"], "live"),
    includeSubdomains: bool(task, "include_subdomains", true),
    includeIndirect: bool(task, "include_indirect_links", true),
    excludeInternal: bool(task, "exclude_internal_backlinks", true),
  };
}

export function rankScale(task: Task): boolean {
  return oneOf(task, "rank_scale", ["one_hundred", "one_thousand"], "one_thousand") === "one_hundred";
}

/** Stable JSON with sorted keys, for cache keys and token hashes. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

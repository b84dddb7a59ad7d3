// The response envelope and task objects, with deterministic task ids and times.
import { messageOf } from "./errors.js";
import type { Endpoint } from "./endpoints/registry.js";
import { money } from "./pricing.js";
import { hashHex } from "./rng.js";
import type { Task } from "./params.js";

const pad = (n: number) => String(n).padStart(2, "0");

export interface TaskOut {
  id: string;
  status_code: number;
  status_message: string;
  time: string;
  cost: number;
  result_count: number;
  path: string[];
  data: Record<string, unknown>;
  result: unknown[] | null;
}

export const isPlainObject = (v: unknown): v is Task => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deterministic stand-in for the server's execution time. */
export const timeFor = (rows: number): string => `${(0.01 + rows * 0.00004).toFixed(4)} sec.`;

export class EnvelopeMaker {
  private readonly version: string;
  private readonly idPrefix: string;
  private counter = 0;

  constructor(private readonly seed: number, private readonly nowMs: number) {
    const d = new Date(nowMs);
    this.version = `0.1.${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
    this.idPrefix = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}0000`;
  }

  private nextTaskId(): string {
    this.counter++;
    const tail = hashHex(`${this.seed}|${this.nowMs}|${this.counter}`).slice(-12);
    return `${this.idPrefix}-1535-${String(this.counter % 10000).padStart(4, "0")}-0000-${tail}`;
  }

  envelope(status: number, tasks: TaskOut[] | null, rows = 0) {
    return {
      version: this.version,
      status_code: status,
      status_message: messageOf(status),
      time: timeFor(rows + 10),
      cost: money((tasks ?? []).reduce((a, t) => a + t.cost, 0)),
      tasks_count: tasks ? tasks.length : 0,
      tasks_error: tasks ? tasks.filter((t) => t.status_code !== 20000).length : 0,
      tasks,
    };
  }

  /** A task in the documented key order; data echoes the posted task after api and function. */
  task(ep: Endpoint, pathParts: string[], raw: unknown, code: number, message: string, rows: number, cost: number, result: unknown[] | null): TaskOut {
    const data: Record<string, unknown> = { api: ep.api, function: ep.fn };
    if (isPlainObject(raw)) for (const [k, v] of Object.entries(raw)) if (k !== "api" && k !== "function") data[k] = v;
    return {
      id: this.nextTaskId(), status_code: code, status_message: message, time: timeFor(rows), cost,
      result_count: result ? result.length : 0, path: pathParts, data, result,
    };
  }

  failed(ep: Endpoint, pathParts: string[], raw: unknown, code: number, message?: string): TaskOut {
    return this.task(ep, pathParts, raw, code, message ?? messageOf(code), 0, 0, null);
  }
}

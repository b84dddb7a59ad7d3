// Running the tasks of one request that passed auth and routing: parse the body, run the first task,
// answer 40000 for the rest, bill what succeeded.
import { TaskError } from "./errors.js";
import type { Billing } from "./billing.js";
import type { Endpoint } from "./endpoints/registry.js";
import { isPlainObject, type EnvelopeMaker, type TaskOut } from "./envelope.js";

/** Parse the POST body into tasks: a JSON array, or an object keyed "0", "1", … as some official clients send. */
export function parseTasks(body: string): unknown[] | 40502 | 40503 {
  if (body.trim() === "") return 40502;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 40503;
  }
  if (Array.isArray(parsed)) return parsed.length === 0 ? 40502 : parsed;
  if (parsed && typeof parsed === "object") {
    const keys = Object.keys(parsed);
    if (keys.length === 0) return 40502;
    if (keys.every((k) => /^\d+$/.test(k))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => (parsed as Record<string, unknown>)[k]);
    }
  }
  return 40503;
}

export interface ExecuteDeps {
  seed: number;
  nowMs: number;
  billing: Billing;
  envelopes: EnvelopeMaker;
}

export interface Executed {
  status: number;
  json: unknown;
  /** USD charged to the account by this request. */
  billed: number;
}

export function execute(deps: ExecuteDeps, ep: Endpoint, pathParts: string[], body: string, taskFault: number | null): Executed {
  const { billing, envelopes } = deps;
  let tasks: unknown[];
  if (ep.method === "GET") tasks = [{}];
  else {
    const parsed = parseTasks(body);
    if (typeof parsed === "number") return { status: 200, json: envelopes.envelope(parsed, null), billed: 0 };
    tasks = parsed;
  }
  const prices = billing.prices();
  const out: TaskOut[] = [];
  let rows = 0;
  let billed = 0;
  tasks.forEach((raw, i) => {
    if (i > 0) return void out.push(envelopes.failed(ep, pathParts, raw, 40000));
    if (taskFault !== null) return void out.push(envelopes.failed(ep, pathParts, raw, taskFault));
    if (!isPlainObject(raw)) return void out.push(envelopes.failed(ep, pathParts, raw, 40503));
    if (ep.billable && !billing.canStart(prices)) return void out.push(envelopes.failed(ep, pathParts, raw, 40210));
    try {
      const result = ep.run(raw, { seed: deps.seed, nowMs: deps.nowMs, prices, account: billing.account });
      let cost = 0;
      if (ep.billable) {
        const charged = billing.charge(ep.fn, prices, result.rows);
        if (charged === null) return void out.push(envelopes.failed(ep, pathParts, raw, 40210));
        cost = charged;
      }
      billed += cost;
      rows += result.rows;
      out.push(envelopes.task(ep, pathParts, raw, 20000, "Ok.", result.rows, cost, result.result));
    } catch (err) {
      if (err instanceof TaskError) out.push(envelopes.failed(ep, pathParts, raw, err.code, err.message));
      else out.push(envelopes.failed(ep, pathParts, raw, 50000));
    }
  });
  return { status: 200, json: envelopes.envelope(20000, out, rows), billed };
}

// Shared helpers for the emulator tests: real loopback HTTP through undici.
import { request } from "undici";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";

export const NOW = new Date("2026-08-01T00:00:00Z");
export const AUTH = `Basic ${Buffer.from("demo:demo").toString("base64")}`;

export async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ now: NOW, ...options });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function raw(emu: Emulator, path: string, init: { method?: string; body?: string; auth?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.auth !== null) headers.authorization = init.auth ?? AUTH;
  const res = await request(`${emu.url}${path}`, { method: (init.method ?? "POST") as "POST", headers, body: init.body });
  const text = await res.body.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export async function post(emu: Emulator, fn: string, task: Record<string, unknown>): Promise<Reply> {
  return raw(emu, `/v3/backlinks/${fn}/live`, { body: JSON.stringify([task]) });
}

/** POST one task and return tasks[0], failing loudly when the request itself failed. */
export async function task(emu: Emulator, fn: string, params: Record<string, unknown>): Promise<any> {
  const r = await post(emu, fn, params);
  if (r.status !== 200 || !r.json?.tasks) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json.tasks[0];
}

/** result[0] of a successful task. */
export async function result(emu: Emulator, fn: string, params: Record<string, unknown>): Promise<any> {
  const t = await task(emu, fn, params);
  if (t.status_code !== 20000) throw new Error(`task ${t.status_code}: ${t.status_message}`);
  return t.result[0];
}

/** Every item of a list endpoint, paging with offset (limit 1000). */
export async function allItems(emu: Emulator, fn: string, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await result(emu, fn, { ...params, limit: 1000, offset });
    out.push(...r.items);
    if (out.length >= r.total_count || r.items.length === 0) return out;
  }
}

/** Every backlink of a target, following search_after_token. */
export async function allBacklinks(emu: Emulator, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let token: string | undefined;
  for (;;) {
    const r = await result(emu, "backlinks", { ...params, limit: 1000, ...(token ? { search_after_token: token } : {}) });
    out.push(...r.items);
    if (!r.search_after_token) return out;
    token = r.search_after_token;
  }
}

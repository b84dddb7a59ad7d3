// The emulator and direct requests to it: the baseline every server figure is compared with.
import { request } from "undici";

export const PATHS = {
  backlinks_backlinks: "/v3/backlinks/backlinks/live",
  backlinks_referring_domains: "/v3/backlinks/referring_domains/live",
  backlinks_domain_pages_summary: "/v3/backlinks/domain_pages_summary/live",
  backlinks_bulk_new_lost_referring_domains: "/v3/backlinks/bulk_new_lost_referring_domains/live",
};

const AUTH = `Basic ${Buffer.from("demo:demo").toString("base64")}`;

export async function startBenchEmulator(options = {}) {
  const { startEmulator } = await import("../../dist/emulator/index.js");
  return startEmulator({ host: "127.0.0.1", port: 0, login: "demo", password: "demo", ...options });
}

/** One task POSTed straight to the emulator; returns the task's first result object. */
export async function directPost(baseUrl, path, task) {
  const res = await request(`${baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body: JSON.stringify([task]),
  });
  const body = await res.body.json();
  const t = body?.tasks?.[0];
  if (res.statusCode !== 200 || !t || t.status_code !== 20000) {
    throw new Error(`direct POST ${path} failed: HTTP ${res.statusCode} ${t?.status_code ?? body?.status_code} ${t?.status_message ?? body?.status_message ?? ""}`);
  }
  return t.result?.[0] ?? {};
}

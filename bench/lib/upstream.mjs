// The emulator and direct requests to it: the baseline every server figure is compared with.
import { fileURLToPath } from "node:url";
import { request } from "undici";

/** The emulator's date, fixed so that every run sees the same data (its rows depend on the date). */
export const PINNED_NOW = "2026-11-01T00:00:00Z";

const AUTH = `Basic ${Buffer.from("demo:demo").toString("base64")}`;

export async function startBenchEmulator(options = {}) {
  const { startEmulator } = await import("../../dist/emulator/index.js");
  return startEmulator({ host: "127.0.0.1", port: 0, login: "demo", password: "demo", now: new Date(PINNED_NOW), ...options });
}

/** Every endpoint tool: name → { key, path, rows kind, target kind }, from the built reference. */
export async function endpointTools() {
  const { ENDPOINTS } = await import("../../dist/reference/endpoints.js");
  const out = {};
  for (const e of Object.values(ENDPOINTS)) {
    out[`backlinks_${e.key}`] = { key: e.key, path: e.path, rows: e.rows, targetKind: e.targetKind, hasLimit: Boolean(e.param("limit")) };
  }
  return out;
}

/** API path by tool name, for the tools the older sections time. */
export const PATHS = {
  backlinks_backlinks: "/v3/backlinks/backlinks/live",
  backlinks_referring_domains: "/v3/backlinks/referring_domains/live",
  backlinks_domain_pages_summary: "/v3/backlinks/domain_pages_summary/live",
  backlinks_bulk_new_lost_referring_domains: "/v3/backlinks/bulk_new_lost_referring_domains/live",
};

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

/**
 * The emulator in a child process of its own (bench/lib/emulator-process.mjs): { url, close() }.
 * Used where a figure must not let the upstream share the client's process.
 */
export async function spawnEmulator() {
  const { spawn } = await import("node:child_process");
  const entry = fileURLToPath(new URL("./emulator-process.mjs", import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      child.stdout.off("data", onData);
      resolve(out.slice(0, nl).trim());
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the emulator process ended (code ${code}) before giving its URL`)));
  });
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}

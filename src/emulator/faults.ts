// Fault injection: which request gets the configured fault, and how each fault is delivered.
import type { ServerResponse } from "node:http";
import type { FaultConfig } from "./types.js";

export const TOP_LEVEL_FAULT_CODES: Record<string, number> = { code40202: 40202, code40209: 40209, code40100: 40100 };
export const TASK_FAULT_CODES: Record<string, number> = {
  code50000: 50000, code50301: 50301, code50401: 50401, code40204: 40204, code40210: 40210,
};

/** The current fault and how many requests it still applies to. */
export class FaultSwitch {
  private fault: FaultConfig | null = null;
  private left = Infinity;

  constructor(initial: FaultConfig | null = null) {
    this.set(initial);
  }

  set(next: FaultConfig | null): void {
    this.fault = next;
    this.left = next?.count ?? Infinity;
  }

  /** Decided on arrival so "the first N requests" is exact under concurrency. */
  take(): FaultConfig | null {
    if (!this.fault || this.left <= 0) return null;
    this.left--;
    return this.fault;
  }
}

export const gatewayHtml = (title: string): string =>
  `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | number> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, title: string): void {
  send(res, status, gatewayHtml(title), { "content-type": "text/html" });
}

/** The first half of the body, complete at the HTTP level (the client sees cut JSON). */
export function sendTruncated(res: ServerResponse, status: number, text: string): void {
  const full = Buffer.from(text);
  send(res, status, full.subarray(0, Math.max(1, Math.floor(full.length / 2))));
}

/** The body in ten parts spread over `totalMs`. */
export async function sendSlowly(res: ServerResponse, status: number, text: string, totalMs: number, wait: (ms: number) => Promise<void>): Promise<void> {
  const buf = Buffer.from(text);
  const parts = 10;
  const step = Math.ceil(buf.length / parts);
  const pause = Math.max(1, Math.floor(totalMs / parts));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": buf.length });
  for (let i = 0; i < buf.length; i += step) {
    if (res.destroyed) return;
    res.write(buf.subarray(i, i + step));
    await wait(pause);
  }
  if (!res.destroyed) res.end();
}

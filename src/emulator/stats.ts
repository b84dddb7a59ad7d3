// Request counters and the billing record reported by Emulator.stats().
import type { IncomingMessage, ServerResponse } from "node:http";
import { money } from "./pricing.js";
import type { EmulatorStats } from "./types.js";

export class Counters {
  private s: EmulatorStats = { requests: 0, inFlight: 0, peakInFlight: 0, byPath: {}, billedUsd: 0, billedRequests: 0 };

  /** Count a request on arrival and keep inFlight until its response closes or finishes. */
  track(path: string, res: ServerResponse, _req?: IncomingMessage): () => void {
    const s = this.s;
    s.requests++;
    s.byPath[path] = (s.byPath[path] ?? 0) + 1;
    s.inFlight++;
    if (s.inFlight > s.peakInFlight) s.peakInFlight = s.inFlight;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      s.inFlight--;
    };
    res.on("close", done);
    res.on("finish", done);
    return done;
  }

  /** Record what one request charged the account (nothing when zero). */
  billed(usd: number): void {
    if (usd <= 0) return;
    this.s.billedUsd = money(this.s.billedUsd + usd);
    this.s.billedRequests++;
  }

  snapshot(): EmulatorStats {
    return { ...this.s, byPath: { ...this.s.byPath } };
  }

  reset(): void {
    const s = this.s;
    s.requests = 0;
    s.byPath = {};
    s.peakInFlight = s.inFlight;
    s.billedUsd = 0;
    s.billedRequests = 0;
  }
}

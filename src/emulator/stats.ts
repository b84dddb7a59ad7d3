// Request counters and the billing record reported by Emulator.stats().
import type { IncomingMessage, ServerResponse } from "node:http";
import { money } from "./pricing.js";
import type { EmulatorStats } from "./types.js";

export class Counters {
  private s: EmulatorStats = { requests: 0, inFlight: 0, peakInFlight: 0, peakInFlightByAccount: {}, byPath: {}, billedUsd: 0, billedRequests: 0 };
  private readonly inFlightByAccount = new Map<string, number>();

  /**
   * Count a request on arrival and keep inFlight until its response closes or finishes; `account` (the
   * login its credentials open, if any) gets its own count, as DataForSEO limits each account.
   */
  track(path: string, res: ServerResponse, _req?: IncomingMessage, account?: string): () => void {
    const s = this.s;
    s.requests++;
    s.byPath[path] = (s.byPath[path] ?? 0) + 1;
    s.inFlight++;
    if (s.inFlight > s.peakInFlight) s.peakInFlight = s.inFlight;
    if (account !== undefined) {
      const n = (this.inFlightByAccount.get(account) ?? 0) + 1;
      this.inFlightByAccount.set(account, n);
      if (n > (s.peakInFlightByAccount[account] ?? 0)) s.peakInFlightByAccount[account] = n;
    }
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      s.inFlight--;
      if (account !== undefined) this.inFlightByAccount.set(account, (this.inFlightByAccount.get(account) ?? 1) - 1);
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
    return { ...this.s, byPath: { ...this.s.byPath }, peakInFlightByAccount: { ...this.s.peakInFlightByAccount } };
  }

  reset(): void {
    const s = this.s;
    s.requests = 0;
    s.byPath = {};
    s.peakInFlight = s.inFlight;
    s.peakInFlightByAccount = Object.fromEntries([...this.inFlightByAccount].filter(([, n]) => n > 0));
    s.billedUsd = 0;
    s.billedRequests = 0;
  }
}

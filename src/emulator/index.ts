// Offline DataForSEO Backlinks API emulator: public API. Synthetic data only; imports nothing
// outside src/emulator except the reference tables in src/data.
import { startServer } from "./server.js";
import type { Emulator, EmulatorOptions } from "./types.js";

export type { Emulator, EmulatorOptions, EmulatorStats, FaultConfig, FaultKind } from "./types.js";
export { AFTER_BILL_FAULTS, FAULT_KINDS } from "./types.js";

export function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
  return startServer(options);
}

export { runEmulatorCli } from "./cli.js";

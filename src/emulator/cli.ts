// `backlinks-mcp emulator [flags]`: start the emulator, print its URL, run until SIGINT/SIGTERM.
import { startServer } from "./server.js";
import { FAULT_KINDS, type EmulatorOptions, type FaultKind } from "./types.js";

export const EMULATOR_USAGE = `Usage: backlinks-mcp emulator [options]
  --port N           port to listen on (default 0: a free port)
  --host H           address to bind (default 127.0.0.1)
  --login L          API login to accept (default demo)
  --password P       API password to accept (default demo)
  --seed N           data seed (default 1)
  --now yyyy-mm-dd   reference date of the synthetic data (default: today, UTC)
  --latency-ms N     delay added before every answer (default 0)
  --price-multiplier M  scale the per-request and per-row prices (default 1)
  --fault KIND       inject a fault: ${FAULT_KINDS.join(", ")}
  --fault-count N    fail only the first N requests
  --retry-after N    Retry-After seconds for --fault http429
  --slow-body-ms N   body duration for --fault slow_body
Prints the base URL on one line. The data is synthetic.`;

class UsageError extends Error {}
class HelpRequested extends Error {}

function intArg(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}

/** Parse the flags after the word "emulator". Throws UsageError on anything unknown or malformed. */
export function parseEmulatorArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  let faultKind: FaultKind | undefined;
  const fault: { count?: number; retryAfterSec?: number; slowBodyMs?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    } else if (flag !== "--help" && flag !== "-h") {
      value = argv[++i];
    }
    switch (flag) {
      case "--help":
      case "-h":
        throw new HelpRequested();
      case "--port": opts.port = intArg(flag, value, 0, 65535); break;
      case "--host":
        if (!value) throw new UsageError("--host needs an address");
        opts.host = value;
        break;
      case "--login":
        if (!value) throw new UsageError("--login needs a value");
        opts.login = value;
        break;
      case "--password":
        if (!value) throw new UsageError("--password needs a value");
        opts.password = value;
        break;
      case "--seed": opts.seed = intArg(flag, value, 0, 2 ** 31); break;
      case "--latency-ms": opts.latencyMs = intArg(flag, value, 0, 600_000); break;
      case "--price-multiplier": {
        const m = value !== undefined && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
        if (!Number.isFinite(m) || m > 1000) throw new UsageError("--price-multiplier needs a number from 0 to 1000");
        opts.priceMultiplier = m;
        break;
      }
      case "--now": {
        const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
        const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
        if (!d || d.getUTCDate() !== +m![3]) throw new UsageError("--now needs a date yyyy-mm-dd");
        opts.now = d;
        break;
      }
      case "--fault":
        if (!value || !FAULT_KINDS.includes(value as FaultKind)) throw new UsageError(`--fault must be one of: ${FAULT_KINDS.join(", ")}`);
        faultKind = value as FaultKind;
        break;
      case "--fault-count": fault.count = intArg(flag, value, 1, 1_000_000); break;
      case "--retry-after": fault.retryAfterSec = intArg(flag, value, 0, 86_400); break;
      case "--slow-body-ms": fault.slowBodyMs = intArg(flag, value, 1, 600_000); break;
      default:
        throw new UsageError(`unknown option '${flag}'`);
    }
  }
  if (!faultKind && Object.keys(fault).length > 0) throw new UsageError("--fault-count, --retry-after and --slow-body-ms need --fault");
  if (faultKind) opts.fault = { kind: faultKind, ...fault };
  return opts;
}

/**
 * CLI entry. Prints exactly one line (the base URL) to stdout and resolves after SIGINT/SIGTERM
 * closed the server. On a usage error it writes to stderr, sets process.exitCode = 2 and resolves.
 */
export async function runEmulatorCli(argv: string[]): Promise<void> {
  let options: EmulatorOptions;
  try {
    options = parseEmulatorArgs(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${EMULATOR_USAGE}\n`);
      return;
    }
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`backlinks-mcp emulator: ${err.message}\n${EMULATOR_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startServer(options);
  process.stdout.write(`${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      emulator.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

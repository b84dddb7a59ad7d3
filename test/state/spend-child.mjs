// A second server process, as far as the spend store can tell. Usage:
//   node spend-child.mjs <stateDir> <account> <mode> [args...]
//   mode "spend" <attempts> <estimateNanos> <dailyCapNanos>: reserve then settle, `attempts` times
//   mode "hold" <estimateNanos>: reserve once, print it, then wait to be killed
import { FileSpendStore } from "./file-spend-store.js";

const [stateDir, account, mode, ...rest] = process.argv.slice(2);
const store = new FileSpendStore({ dir: stateDir, compactAtBytes: 4096 });

if (mode === "spend") {
  const [attempts, estimate, cap] = rest.map(Number);
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < attempts; i++) {
    const r = await store.reserve(account, estimate, { dailyNanos: cap });
    if (!r.ok) {
      refused++;
      continue;
    }
    ok++;
    await store.settle(r.reservation, { tool: "child", billedNanos: estimate, possiblyBilledNanos: 0 });
  }
  await store.close();
  process.stdout.write(JSON.stringify({ ok, refused }) + "\n");
} else if (mode === "hold") {
  const r = await store.reserve(account, Number(rest[0]), {});
  process.stdout.write(JSON.stringify(r) + "\n");
  setTimeout(() => process.exit(3), 60_000); // bounded: the test kills it long before
}

// V8 settings for a long-lived server that should stay small, applied at run time by the bin entry
// before the server loads. A bin cannot pass node flags on every launch path (the Claude Desktop
// bundle, npx and client configs all start `node dist/index.js`), but these two flags are read by V8
// when it needs them, so setting them from inside the process works:
//
// - `--semi-space-growth-factor=1`: the young generation keeps its initial size (2 MB) instead of
//   doubling up to 32 MB under a steady stream of parsed responses, and keeping that. (The maximum
//   itself cannot be changed once the process runs; the factor is read each time V8 would grow it.)
//   The price is paid by large replies, whose parsed rows now reach the old generation: a 1,000-row
//   call takes about 20 ms more CPU, against the 1-3 s DataForSEO takes to answer it.
// - `--liftoff-only`: WebAssembly (undici's HTTP parser) stays on the baseline compiler. The optimising
//   tier would compile it on background threads while the first response is awaited: a transient of
//   about 30 MB.
// - `--heap-growing-percent=100`: after a full collection the old generation may grow to twice what it
//   holds before the next one. By default V8 picks that factor (up to 4) from how fast its collections
//   and the program ran, so on a busy machine runs of the same build ended 9,000 calls of 100 rows at
//   104-155 MB RSS. With the factor fixed: 89 -> 105 MB over those calls, and a peak of 138 MB instead of
//   190 MB after 1,000 calls of 1,000 rows, in the same time.
//
// A flag of the same kind that the user gives on the command line wins.
import v8 from "node:v8";

export const V8_FLAGS: readonly { given: string; flag: string }[] = [
  { given: "semi-space", flag: "--semi-space-growth-factor=1" },
  { given: "liftoff", flag: "--liftoff-only" },
  { given: "heap-growing", flag: "--heap-growing-percent=100" },
];

/** Sets the flags the user has not set; `given` is what the user passed to node. */
export function tuneV8(given: string = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`): string[] {
  const set: string[] = [];
  for (const { given: kind, flag } of V8_FLAGS) {
    if (given.includes(kind)) continue;
    v8.setFlagsFromString(flag);
    set.push(flag);
  }
  return set;
}

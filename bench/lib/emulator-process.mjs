#!/usr/bin/env node
// The bench's emulator in a process of its own (pinned date, same data as startBenchEmulator), for
// figures where the upstream must not share the client's process: DataForSEO is never inside the
// process that calls it. Prints its URL on stdout, stops when stdin closes.
import { startBenchEmulator } from "./upstream.mjs";

// Every server and baseline of a section bills one account: room for all of them.
const emulator = await startBenchEmulator({ depositUsd: 100_000 });
process.stdout.write(`${emulator.url}\n`);
process.stdin.on("end", () => {
  void emulator.close().finally(() => process.exit(0));
});
process.stdin.resume();

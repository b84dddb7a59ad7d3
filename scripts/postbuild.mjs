// Marks the bin entry executable after tsc has written it.
import { chmodSync, existsSync } from "node:fs";

const entry = new URL("../dist/index.js", import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);

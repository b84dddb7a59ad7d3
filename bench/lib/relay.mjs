// A loopback relay in front of a chain of emulators. Each emulator account starts with a fixed
// balance, so a run of thousands of paid calls moves to a fresh emulator every `rotateEvery`
// requests while the server under test keeps one base URL.
import { createServer } from "node:http";
import { request } from "undici";
import { startBenchEmulator } from "./upstream.mjs";

export async function startRelay({ rotateEvery = 1000, emulatorOptions = {} } = {}) {
  let current = { emulator: await startBenchEmulator(emulatorOptions), inFlight: 0, retired: false };
  let served = 0;
  let rotating = null;
  const retire = (entry) => {
    entry.retired = true;
    if (entry.inFlight === 0) void entry.emulator.close();
  };
  const rotate = async () => {
    const next = { emulator: await startBenchEmulator(emulatorOptions), inFlight: 0, retired: false };
    const old = current;
    current = next;
    retire(old);
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      served++;
      if (served % rotateEvery === 0 && !rotating) rotating = rotate().finally(() => (rotating = null));
      if (rotating) await rotating;
      const entry = current;
      entry.inFlight++;
      try {
        const up = await request(`${entry.emulator.url}${req.url}`, {
          method: req.method,
          headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
          body: Buffer.concat(chunks),
        });
        const body = Buffer.from(await up.body.arrayBuffer());
        res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] ?? "application/json" });
        res.end(body);
      } catch {
        res.destroy();
      } finally {
        entry.inFlight--;
        if (entry.retired && entry.inFlight === 0) void entry.emulator.close();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get served() {
      return served;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await current.emulator.close();
    },
  };
}

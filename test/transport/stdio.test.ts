// Unit tests of the stdio transport over in-memory streams: size cap, id recovery, parse errors,
// backpressure and the in-flight bound.
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { IdScanner, StdioTransport } from "../../src/transport/stdio.js";

interface Wired {
  transport: StdioTransport;
  stdin: PassThrough;
  received: JSONRPCMessage[];
  written: () => Record<string, unknown>[];
}

async function wire(options: { maxMessageBytes?: number; maxInFlight?: number } = {}): Promise<Wired> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const transport = new StdioTransport({ stdin, stdout, ...options });
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (m) => received.push(m);
  await transport.start();
  return {
    transport,
    stdin,
    received,
    written: () =>
      out
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Writes `total` bytes of a long string in 1 MiB pieces, the way a pipe delivers them. */
function writeLong(stdin: PassThrough, head: string, total: number, tail: string): void {
  stdin.write(head);
  const piece = "x".repeat(1024 * 1024);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, piece.length);
    stdin.write(n === piece.length ? piece : piece.slice(0, n));
    left -= n;
  }
  stdin.write(tail);
}

describe("message size cap", () => {
  it("answers an oversized request with -32600 and its id (id last, as the SDK writes it), then goes on", async () => {
    const w = await wire({ maxMessageBytes: 64 * 1024 });
    writeLong(w.stdin, '{"method":"tools/call","params":{"name":"x","arguments":{"target":"', 3 * 1024 * 1024, '"}},"jsonrpc":"2.0","id":41}\n');
    w.stdin.write('{"jsonrpc":"2.0","id":42,"method":"ping"}\n');
    await tick();
    const [reply] = w.written();
    expect(reply).toMatchObject({ jsonrpc: "2.0", id: 41, error: { code: -32600 } });
    expect(String((reply!.error as { message: string }).message)).toMatch(/too large.*limit of 65536 bytes/);
    expect(w.received).toEqual([{ jsonrpc: "2.0", id: 42, method: "ping" }]);
  });

  it("a 50 MB line is skipped without being held", async () => {
    const w = await wire();
    writeLong(w.stdin, '{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"a":"', 50_000_000, '"}}\n');
    await tick();
    // The transport holds only the current message, and an oversized one not at all.
    expect((w.transport as unknown as { partBytes: number }).partBytes).toBe(0);
    w.stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    await tick();
    expect(w.written()).toEqual([
      { jsonrpc: "2.0", id: "big", error: { code: -32600, message: expect.stringContaining("Message too large") } },
    ]);
    expect(w.received).toHaveLength(1);
  });

  it("a message exactly at the cap is delivered; one byte more is refused", async () => {
    const w = await wire({ maxMessageBytes: 100 });
    const make = (len: number) => {
      const base = '{"jsonrpc":"2.0","id":7,"method":"ping","params":{"_meta":{"p":""}}}';
      return base.replace('"p":""', `"p":"${"y".repeat(len - base.length)}"`);
    };
    w.stdin.write(make(100) + "\n");
    w.stdin.write(make(101) + "\n");
    await tick();
    expect(w.received).toHaveLength(1);
    expect(w.written()).toEqual([{ jsonrpc: "2.0", id: 7, error: expect.objectContaining({ code: -32600 }) }]);
  });

  it("reads the id null when it cannot be read cheaply", async () => {
    const w = await wire({ maxMessageBytes: 1000 });
    w.stdin.write(`{"jsonrpc":"2.0","method":"x","params":{"v":"${"z".repeat(2000)}"}}\n`);
    w.stdin.write(`[${"1,".repeat(1000)}1]\n`);
    await tick();
    expect(w.written().map((m) => m.id)).toEqual([null, null]);
  });
});

describe("malformed lines", () => {
  it("answers bad JSON with -32700 and an invalid message with -32600, keeps going, ignores blank lines", async () => {
    const w = await wire();
    w.stdin.write("not json\n\r\n\n");
    w.stdin.write('{"jsonrpc":"1.0","id":5,"method":"ping"}\n');
    w.stdin.write('{"jsonrpc":"2.0","id":6,"method":"ping"}\r\n');
    await tick();
    expect(w.written()).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.any(String) } },
      { jsonrpc: "2.0", id: 5, error: { code: -32600, message: expect.any(String) } },
    ]);
    expect(w.received).toEqual([{ jsonrpc: "2.0", id: 6, method: "ping" }]);
  });

  it("joins a message split across many chunks", async () => {
    const w = await wire();
    const text = JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "n", arguments: { s: "é✓" } } });
    for (const ch of Buffer.from(text + "\n")) w.stdin.write(Buffer.from([ch]));
    await tick();
    expect(w.received).toEqual([JSON.parse(text)]);
  });
});

describe("backpressure", () => {
  it("stops reading stdin while stdout holds more than the high-water mark, and resumes on drain", async () => {
    const stdin = new PassThrough();
    let release: (() => void) | undefined;
    const held: Array<() => void> = [];
    // A reader that takes nothing until released.
    const stdout = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, cb) {
        if (release) cb();
        else held.push(cb);
      },
    });
    release = undefined;
    const transport = new StdioTransport({ stdin, stdout, outputHighWaterMark: 4096 });
    const seen: JSONRPCMessage[] = [];
    transport.onmessage = (m) => {
      seen.push(m);
      // Every request gets a 2 KB answer.
      if ("id" in m) void transport.send({ jsonrpc: "2.0", id: m.id, result: { pad: "p".repeat(2000) } } as JSONRPCMessage);
    };
    await transport.start();
    for (let i = 0; i < 100; i++) stdin.write(`{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`);
    await tick();
    await tick();
    // Reading stopped after a few answers filled stdout: the rest waits in stdin, unread.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(10);
    expect(transport.pending.readingPaused).toBe(true);
    expect(stdin.isPaused()).toBe(true);
    // The reader catches up: everything is handled.
    release = () => undefined;
    for (let guard = 0; guard < 1000 && seen.length < 100; guard++) {
      held.splice(0).forEach((cb) => cb());
      await tick();
    }
    expect(seen).toHaveLength(100);
  });

  it("holds requests back while maxInFlight are unanswered; a cancellation skips the queue", async () => {
    const w = await wire({ maxInFlight: 2 });
    const ids = () => w.received.map((m) => (m as { id?: number }).id);
    for (let i = 1; i <= 5; i++) w.stdin.write(`{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"x"}}\n`);
    await tick();
    expect(ids()).toEqual([1, 2]);
    expect(w.transport.pending.inFlight).toBe(2);
    // Request 2 is running, request 4 still waits: the first cancellation reaches the server at once,
    // the second removes request 4 from the queue; neither will be answered.
    w.stdin.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}\n');
    w.stdin.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4}}\n');
    await tick();
    expect(ids()).toEqual([1, 2, undefined, 3]);
    await w.transport.send({ jsonrpc: "2.0", id: 1, result: {} });
    await tick();
    expect(ids()).toEqual([1, 2, undefined, 3, 5]);
    expect(w.transport.pending).toMatchObject({ inFlight: 2, readingPaused: false });
  });

  it("stops reading when the queue of waiting messages is full", async () => {
    const w = await wire({ maxInFlight: 1, maxQueuedBytes: 1000 });
    for (let i = 1; i <= 100; i++) w.stdin.write(`{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`);
    await tick();
    expect(w.received).toHaveLength(1);
    expect(w.transport.pending.readingPaused).toBe(true);
    for (let i = 1; i <= 100; i++) await w.transport.send({ jsonrpc: "2.0", id: i, result: {} });
    await tick();
    expect(w.received).toHaveLength(100);
    expect(w.transport.pending.readingPaused).toBe(false);
  });
});

describe("IdScanner", () => {
  const scan = (...pieces: string[]) => {
    const s = new IdScanner();
    for (const p of pieces) s.feed(Buffer.from(p));
    return s.id();
  };

  it("finds the top-level id wherever it is, across piece boundaries", () => {
    expect(scan('{"id":12,"method":"x"}')).toBe(12);
    expect(scan('{"method":"x","params":{"id":99,"s":"\\"id\\":5"},"id":"a', 'b\\"c"}')).toBe('ab"c');
    expect(scan('{ "params" : [ {"id": 1} ] , "id" : -3 }')).toBe(-3);
    expect(scan('{"method":"x","i', 'd":"é"}')).toBe("é");
    expect(scan('{"s":"\\\\","id":4}')).toBe(4);
  });

  it("gives null for no id, a structured id, or a non-object", () => {
    expect(scan('{"method":"x"}')).toBeNull();
    expect(scan('{"id":{"a":1}}')).toBeNull();
    expect(scan('{"id":[1]}')).toBeNull();
    expect(scan("[1,2]")).toBeNull();
    expect(scan('{"id":true}')).toBeNull();
    expect(scan('{"ids":1,"idx":2}')).toBeNull();
  });
});

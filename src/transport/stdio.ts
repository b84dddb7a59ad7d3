// The stdio transport: newline-delimited JSON-RPC on stdin and stdout, with two bounds the SDK's
// StdioServerTransport lacks.
//
// 1. Message size. The SDK's reader keeps at most 10 MiB of unparsed input; past that it throws,
//    clears its buffer and closes itself, which removes its stdin listener and pauses stdin. Nothing
//    logs the error (the server sets no onerror). A paused stdin still reads until its own 64 KiB
//    buffer is full: when the rest of the message fills it, the read stops, no handle keeps the
//    event loop alive and the process ends with code 0 and nothing on stderr; when the message ends
//    just past the limit, stdin keeps waiting on a read that is never delivered and the process stays
//    alive answering nothing. Here a line over `maxMessageBytes` is skipped as it streams by, without
//    holding it, and answered with a JSON-RPC error (-32600) carrying the request id when it can be
//    read by a light scan, else null; the session goes on.
// 2. Output backpressure. The SDK reads stdin as fast as it arrives, so a client that sends calls but
//    stops reading the answers makes stdout's buffer grow without end. Here reading stops while
//    stdout holds more than `outputHighWaterMark` bytes (until 'drain'). Messages read are handed to
//    the server in order, only while stdout is under that mark and fewer than `maxInFlight` requests
//    are unanswered; reading also stops while the messages waiting hold `maxQueuedBytes`. A
//    cancellation skips the queue, so it can reach a running request even when the window is full.
import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";

/** Largest accepted message (one line, without its newline): 4 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Stop reading stdin while stdout has more than this many bytes waiting: 1 MiB. */
export const DEFAULT_OUTPUT_HIGH_WATER_MARK = 1024 * 1024;
/** Stop reading stdin while this many requests are unanswered. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

export const INVALID_REQUEST = -32600;
export const PARSE_ERROR = -32700;

export interface StdioTransportOptions {
  stdin?: Readable;
  stdout?: Writable;
  maxMessageBytes?: number;
  outputHighWaterMark?: number;
  maxInFlight?: number;
  maxQueuedBytes?: number;
  /** Where problems with incoming messages are reported (never stdout). */
  log?: (level: "error" | "info" | "debug", line: string) => void;
}

/** Stop reading stdin while the messages read and not yet handed on hold this many bytes: 256 KiB. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024;

/** A message read and not yet handed on, or the error answer a bad line gets in its turn. */
type Queued =
  | { kind: "message"; message: JSONRPCMessage; bytes: number }
  | { kind: "error"; id: RequestId | null; code: number; text: string; bytes: number };

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly maxBytes: number;
  private readonly highWater: number;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly log: NonNullable<StdioTransportOptions["log"]>;

  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping: IdScanner | undefined;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private readonly inFlight = new Set<RequestId>();
  private started = false;
  private closed = false;
  private paused = false;

  constructor(options: StdioTransportOptions = {}) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    this.maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.highWater = options.outputHighWaterMark ?? DEFAULT_OUTPUT_HIGH_WATER_MARK;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.log = options.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error("StdioTransport already started");
    this.started = true;
    this.stdin.on("data", this.onData);
    this.stdin.on("error", this.onStdinError);
    this.stdout.on("drain", this.pump);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off("data", this.onData);
    this.stdin.off("error", this.onStdinError);
    this.stdout.off("drain", this.pump);
    if (this.stdin.listenerCount("data") === 0) this.stdin.pause();
    this.parts = [];
    this.partBytes = 0;
    this.skipping = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.inFlight.clear();
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error("StdioTransport is closed"));
    if (("result" in message || "error" in message) && "id" in message && message.id !== undefined) {
      this.inFlight.delete(message.id as RequestId);
    }
    return new Promise<void>((resolve, reject) => {
      this.stdout.write(JSON.stringify(message) + "\n", (err) => (err ? reject(err) : resolve()));
      // An answer went out: reading may go on (or must stop, if stdout is now full).
      queueMicrotask(this.pump);
    });
  }

  /** Bytes waiting in stdout, requests read and not yet answered: for tests and diagnostics. */
  get pending(): { outputBytes: number; inFlight: number; readingPaused: boolean } {
    return { outputBytes: this.stdout.writableLength, inFlight: this.inFlight.size, readingPaused: this.paused };
  }

  private readonly onStdinError = (error: Error) => {
    this.onerror?.(error);
  };

  private readonly onData = (chunk: Buffer | string) => {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let start = 0;
    while (start <= buf.length) {
      const nl = buf.indexOf(10, start);
      if (nl === -1) {
        if (start < buf.length) this.take(buf.subarray(start));
        break;
      }
      this.take(buf.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    this.pump();
  };

  /** Adds part of the current line: held while under the cap, else only scanned. */
  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping) {
      this.skipping.feed(piece);
      return;
    }
    if (this.partBytes + piece.length > this.maxBytes) {
      const scanner = new IdScanner();
      for (const p of this.parts) scanner.feed(p);
      scanner.feed(piece);
      this.parts = [];
      this.partBytes = 0;
      this.skipping = scanner;
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }

  private endLine(): void {
    if (this.skipping) {
      const bytes = this.skipping.bytes;
      const text =
        `Message too large: ${bytes} bytes, over this server's limit of ${this.maxBytes} bytes per message; ` +
        "it was skipped. Send smaller arguments.";
      this.log("error", `skipped an incoming message of ${bytes} bytes (limit ${this.maxBytes})`);
      this.enqueue({ kind: "error", id: this.skipping.id(), code: INVALID_REQUEST, text, bytes: 0 });
      this.skipping = undefined;
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    const item = this.decode(line);
    if (item) this.enqueue(item);
  }

  private enqueue(item: Queued): void {
    if (item.kind === "message" && isCancellation(item.message)) {
      // A cancellation does not wait its turn: a request still queued is dropped (a cancelled request
      // gets no answer), and one already running hears of it at once, even when the in-flight bound
      // holds everything else back.
      const requestId = ((item.message as { params?: { requestId?: RequestId } }).params ?? {}).requestId;
      const at = this.queue.findIndex((q) => q.kind === "message" && "method" in q.message && "id" in q.message && q.message.id === requestId);
      if (at !== -1) {
        this.queuedBytes -= this.queue[at]!.bytes;
        this.queue.splice(at, 1);
        return;
      }
      if (requestId !== undefined) this.inFlight.delete(requestId);
      if (!this.closed) this.onmessage?.(item.message);
      return;
    }
    this.queue.push(item);
    this.queuedBytes += item.bytes;
  }

  /** Parses one line into a message, or into the error answer it deserves; undefined for a blank line. */
  private decode(line: Buffer): Queued | undefined {
    let text = line.toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.log("error", `an incoming line is not JSON (${text.length} characters)`);
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      return { kind: "error", id: null, code: PARSE_ERROR, text: "Parse error: the line is not valid JSON.", bytes: 0 };
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const obj = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      this.log("error", "an incoming message is not a valid JSON-RPC 2.0 message");
      this.onerror?.(new Error("invalid JSON-RPC message"));
      // A notification (a method and no id) gets no answer, even a wrong one.
      if (obj && typeof obj.method === "string" && !("id" in obj)) return undefined;
      const id = obj && (typeof obj.id === "string" || typeof obj.id === "number") ? obj.id : null;
      return { kind: "error", id, code: INVALID_REQUEST, text: "Invalid Request: not a valid JSON-RPC 2.0 message.", bytes: 0 };
    }
    return { kind: "message", message: parsed.data, bytes: line.length };
  }

  /** Whether queued messages must wait: stdout is full, or enough requests are unanswered. */
  private dispatchBlocked(): boolean {
    return this.closed || this.stdout.writableLength > this.highWater || this.inFlight.size >= this.maxInFlight;
  }

  /** Hands queued messages on while nothing blocks, then pauses or resumes stdin to match. */
  private readonly pump = () => {
    while (this.queue.length > 0 && !this.dispatchBlocked()) this.handle(this.queue.shift()!);
    if (this.closed) return;
    // Reading goes on while answers can leave and the queue has room, so a cancellation can still
    // arrive while the in-flight bound holds requests back.
    const stop = this.stdout.writableLength > this.highWater || this.queuedBytes >= this.maxQueued;
    if (stop && !this.paused) {
      this.paused = true;
      this.stdin.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      this.stdin.resume();
    }
  };

  private handle(item: Queued): void {
    this.queuedBytes -= item.bytes;
    if (item.kind === "error") {
      this.reply(item.id, item.code, item.text);
      return;
    }
    const message = item.message;
    if ("method" in message && "id" in message && message.id !== undefined) this.inFlight.add(message.id);
    this.onmessage?.(message);
  }

  private reply(id: RequestId | null, code: number, message: string): void {
    // id null is what JSON-RPC 2.0 asks for when the id cannot be read; the SDK's types want a RequestId.
    const error = { jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage;
    this.send(error).catch((err: unknown) => this.onerror?.(err instanceof Error ? err : new Error(String(err))));
  }
}

function isCancellation(message: JSONRPCMessage): boolean {
  return "method" in message && !("id" in message) && message.method === "notifications/cancelled";
}

/**
 * Reads the top-level "id" of a JSON object streamed in pieces, holding at most a few hundred bytes.
 * Strings are skipped with indexOf, so a multi-megabyte argument costs little. The id is null when the
 * message is not an object, has no top-level "id", or its id is not a string or number.
 */
export class IdScanner {
  bytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** 0: before the top-level value; 1: inside it; 2: done (closed, or not an object). */
  private phase = 0;
  private expectKey = false;
  private key: string | undefined;
  private afterKey = false;
  private capturing: string | undefined;
  private captured: string | undefined;
  private gaveUp = false;

  feed(buf: Buffer): void {
    this.bytes += buf.length;
    if (this.phase === 2) return;
    let i = 0;
    let nextBackslash = -2;
    const n = buf.length;
    while (i < n && this.phase !== 2) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          if (this.key !== undefined) this.key += "\\";
          if (this.capturing !== undefined) this.capturing += String.fromCharCode(buf[i]!);
          i++;
          continue;
        }
        const collecting = this.key !== undefined || this.capturing !== undefined;
        if (!collecting) {
          // Jump to the next quote or backslash.
          const q = buf.indexOf(34, i);
          if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = buf.indexOf(92, i);
          const b = nextBackslash;
          if (b !== -1 && (q === -1 || b < q)) {
            this.escaped = true;
            i = b + 1;
            continue;
          }
          if (q === -1) return;
          this.inString = false;
          i = q + 1;
          continue;
        }
        const c = buf[i]!;
        if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        if (this.capturing !== undefined) this.capturing += String.fromCharCode(c);
        else if (c === 34) this.endKey();
        else if (c !== 92) this.key += String.fromCharCode(c);
        if (this.key !== undefined && this.key.length > 8) this.key = "\u0000"; // not "id"; stop growing
        this.capLength();
        i++;
        continue;
      }
      const c = buf[i]!;
      i++;
      if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      if (this.phase === 0) {
        if (c === 123) {
          this.phase = 1;
          this.depth = 1;
          this.expectKey = true;
        } else this.phase = 2;
        continue;
      }
      if (this.capturing !== undefined) {
        if (this.depth === 1 && (c === 44 || c === 125)) {
          this.captured = this.capturing;
          this.capturing = undefined;
          this.phase = 2; // the id is all this scan wants
          continue;
        }
        if (c === 123 || c === 91) {
          this.gaveUp = true; // an object or array is no valid id
          this.capturing = undefined;
          this.phase = 2;
          continue;
        }
        if (c === 34) this.inString = true;
        this.capturing += String.fromCharCode(c);
        this.capLength();
        continue;
      }
      if (c === 34) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) {
          this.key = "";
          this.expectKey = false;
        }
        continue;
      }
      if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth === 0) this.phase = 2;
      } else if (c === 44 && this.depth === 1) this.expectKey = true;
      else if (c === 58 && this.depth === 1 && this.afterKey) {
        this.afterKey = false;
        this.capturing = "";
      }
    }
  }

  private endKey(): void {
    const isId = this.key === "id";
    this.key = undefined;
    this.afterKey = isId;
  }

  private capLength(): void {
    if (this.capturing !== undefined && this.capturing.length > 300) {
      this.capturing = undefined;
      this.gaveUp = true;
      this.phase = 2;
    }
  }

  id(): RequestId | null {
    if (this.gaveUp || this.captured === undefined) return null;
    try {
      // The capture holds one character per byte: decode it as the UTF-8 it is.
      const value: unknown = JSON.parse(Buffer.from(this.captured, "latin1").toString("utf8"));
      if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
    } catch {
      /* not a scalar */
    }
    return null;
  }
}

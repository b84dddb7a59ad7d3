// Short server-issued paging handles. A handle maps to the original call's arguments plus
// how to continue: rows already fetched (and paid for) but not yet shown, and then either
// DataForSEO's own search_after_token or the next offset.
import { randomBytes } from "node:crypto";

export interface Continuation {
  /** DataForSEO's search_after_token for the page after the buffered rows. */
  searchAfterToken?: string;
  /** Offset of the first row after the buffered rows. */
  offset?: number;
}

export interface CursorState {
  tool: string;
  /** The original tool arguments, as validated, without paging parameters. */
  args: Record<string, unknown>;
  /**
   * Rows already paid for and not yet shown, as the JSON text of an array: compact in memory
   * (about a third of the parsed objects) and exactly measurable. null when there are none.
   */
  held: string | null;
  /** How to fetch after the buffer; null when the upstream has nothing more. */
  next: Continuation | null;
  /** Rows shown before the first buffered row (for the "rows a-b" header). */
  shown: number;
  totalCount?: number;
}

interface Entry {
  state: CursorState;
  createdAt: number;
  bytes: number;
}

export interface CursorStoreOptions {
  max: number;
  ttlMs: number;
  /** Upper bound of the held rows' size in bytes, summed over all cursors. */
  maxBytes?: number;
  now?: () => number;
}

export const HANDLE_PREFIX = "bl_";

/**
 * @deprecated Bounds held rows only and drops paid rows when full; use PagingStore
 * (paging-store.ts), which bounds everything a cursor holds and spills rows to disk.
 * Kept until the pipeline moves over.
 */
export class CursorStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byUpstreamToken = new Map<string, string>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: CursorStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Store a state and return its handle (at most 32 characters). */
  issue(state: CursorState): string {
    const handle = HANDLE_PREFIX + randomBytes(9).toString("base64url");
    // A JS string takes one or two bytes a character; count two so the bound is never passed.
    const bytes = state.held ? state.held.length * 2 : 0;
    this.entries.set(handle, { state, createdAt: this.now(), bytes });
    this.bytes += bytes;
    if (state.held === null && state.next?.searchAfterToken) {
      this.byUpstreamToken.set(state.next.searchAfterToken, handle);
    }
    this.evict();
    return handle;
  }

  /** The state behind a handle, or behind a raw DataForSEO token this server issued a handle for. */
  get(handleOrToken: string): CursorState | undefined {
    this.expire();
    const entry =
      this.entries.get(handleOrToken) ?? this.entries.get(this.byUpstreamToken.get(handleOrToken) ?? "");
    return entry?.state;
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  private remove(handle: string): void {
    const entry = this.entries.get(handle);
    if (!entry) return;
    this.entries.delete(handle);
    this.bytes -= entry.bytes;
    const token = entry.state.next?.searchAfterToken;
    if (token && this.byUpstreamToken.get(token) === handle) this.byUpstreamToken.delete(token);
  }

  private expire(): void {
    const cutoff = this.now() - this.options.ttlMs;
    // Map iteration is in insertion order, so the oldest come first.
    for (const [handle, entry] of this.entries) {
      if (entry.createdAt > cutoff) break;
      this.remove(handle);
    }
  }

  private evict(): void {
    this.expire();
    const maxBytes = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    for (const handle of this.entries.keys()) {
      if (this.entries.size <= this.options.max && this.bytes <= maxBytes) break;
      if (this.entries.size === 1) break; // always keep the newest
      this.remove(handle);
    }
  }
}

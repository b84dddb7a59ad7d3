// Targets the tools were called with in this session, newest first, for prompt argument completion.
// Bounded in count and length: it only ever holds what the caller already typed.

const MAX_TARGETS = 50;
const MAX_LENGTH = 200;

export class TargetMemory {
  readonly #items: string[] = [];

  constructor(private readonly max = MAX_TARGETS) {}

  /** Remember one target (moved to the front when already known). */
  add(target: unknown): void {
    if (typeof target !== "string") return;
    const value = target.trim();
    if (value.length === 0 || value.length > MAX_LENGTH || /[\s\p{Cc}\p{Cf}]/u.test(value)) return;
    const at = this.#items.indexOf(value);
    if (at >= 0) this.#items.splice(at, 1);
    this.#items.unshift(value);
    if (this.#items.length > this.max) this.#items.length = this.max;
  }

  /** Remember every target named by a call's arguments or API task: target, targets (list or numbered object). */
  addFrom(args: unknown): void {
    if (typeof args !== "object" || args === null) return;
    const a = args as Record<string, unknown>;
    this.add(a.target);
    const list = Array.isArray(a.targets) ? a.targets : a.targets && typeof a.targets === "object" ? Object.values(a.targets) : [];
    for (const t of list.slice(0, 20)) this.add(t);
  }

  /** Known targets starting with (or containing) the typed prefix, prefix matches first. */
  complete(prefix: string | undefined, limit = 20): string[] {
    const p = (prefix ?? "").toLowerCase();
    const starts = this.#items.filter((t) => t.toLowerCase().startsWith(p));
    const contains = this.#items.filter((t) => !t.toLowerCase().startsWith(p) && t.toLowerCase().includes(p));
    return [...starts, ...contains].slice(0, limit);
  }

  get size(): number {
    return this.#items.length;
  }
}

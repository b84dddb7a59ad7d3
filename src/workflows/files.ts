// Export files: unique names in the export folder, written page by page (never all rows in memory),
// marked partial in their name until the export completes.
import { randomBytes } from "node:crypto";
import { mkdir, open, link, unlink, rename, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { domainToASCII } from "node:url";
import { stringify } from "csv-stringify/sync";
import { getPath } from "../output/format.js";

export type ExportFormat = "csv" | "jsonl" | "disavow";

/** Export file names: only these characters, so a name is safe in a URI and can never leave the folder. */
export const EXPORT_NAME = /^[a-z0-9][a-z0-9._-]{0,200}$/;

const EXTENSION: Record<ExportFormat, string> = { csv: "csv", jsonl: "jsonl", disavow: "txt" };

export const PARTIAL_MARK = "-partial";

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
  return s.length > 0 ? s : "export";
}

function stamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
}

/** A cell of a CSV row: the full API value; nested values as JSON text, null as empty. */
export function cellOf(value: unknown): string | number {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value);
}

/** RFC 4180: CRLF between records, fields with commas, quotes or line breaks quoted, quotes doubled. */
const CSV_OPTIONS = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;

/**
 * A host as Google's disavow format wants it: lower case, ASCII (punycode), no port, trailing dot or
 * leading "www."; undefined when the value is not a host name.
 */
export function disavowHost(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let host = value.trim().toLowerCase();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(host);
  if (scheme) host = host.slice(scheme[0].length);
  host = host.split(/[/?#]/, 1)[0]!.replace(/:\d+$/, "").replace(/\.$/, "");
  host = domainToASCII(host);
  if (host.startsWith("www.")) host = host.slice(4);
  if (host.length === 0 || host.length > 253 || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return undefined;
  return host;
}

/** True when `host` is one of `owned` or a subdomain of one. */
export function isOwned(host: string, owned: readonly string[]): boolean {
  return owned.some((own) => host === own || host.endsWith(`.${own}`));
}

export interface WriterOptions {
  format: ExportFormat;
  columns: string[];
  /** disavow: where each row names its referring domain (a dot path; "<n>." = any target's entry). */
  domainField?: string;
  /** disavow: the target's own hosts, never written. */
  owned?: string[];
  /** disavow: comment lines written first (without "# "). */
  comments?: string[];
}

/** Writes pages of rows to one file; counts what it wrote. */
export class ExportWriter {
  rows = 0;
  /** disavow: rows without a usable domain, and rows naming the target itself. */
  skipped = 0;
  readonly #seen = new Set<string>();

  private constructor(
    private readonly handle: FileHandle,
    readonly dir: string,
    readonly base: string,
    readonly ext: string,
    private readonly options: WriterOptions,
  ) {}

  /** Creates `<base>-partial.<ext>` in `dir` (never over an existing file) and writes the header. */
  static async create(dir: string, nameParts: { tool: string; subject: string; now: Date }, options: WriterOptions): Promise<ExportWriter> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const ext = EXTENSION[options.format];
    for (let attempt = 0; ; attempt++) {
      const base = `${slug(nameParts.tool)}-${slug(nameParts.subject)}-${stamp(nameParts.now)}-${randomBytes(3).toString("hex")}`;
      try {
        const handle = await open(join(dir, `${base}${PARTIAL_MARK}.${ext}`), "wx", 0o600);
        const writer = new ExportWriter(handle, dir, base, ext, options);
        await writer.#header();
        return writer;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw err;
      }
    }
  }

  get partialName(): string {
    return `${this.base}${PARTIAL_MARK}.${this.ext}`;
  }

  get finalName(): string {
    return `${this.base}.${this.ext}`;
  }

  async #header(): Promise<void> {
    const { format, columns, comments } = this.options;
    if (format === "csv") await this.handle.write(stringify([columns], CSV_OPTIONS));
    if (format === "disavow") await this.handle.write((comments ?? []).map((c) => `# ${c.replace(/[\r\n]+/g, " ")}\n`).join(""));
  }

  /** Appends one page of rows. */
  async write(rows: readonly unknown[]): Promise<void> {
    if (rows.length === 0) return;
    const { format, columns } = this.options;
    let text: string;
    if (format === "csv") {
      text = stringify(rows.map((row) => columns.map((c) => cellOf(getPath(row, c)))), CSV_OPTIONS);
    } else if (format === "jsonl") {
      text = rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
    } else {
      text = this.#disavowLines(rows);
    }
    this.rows += rows.length;
    if (text.length > 0) await this.handle.write(text);
  }

  /** Distinct referring domains written (disavow). */
  get domains(): number {
    return this.#seen.size;
  }

  #disavowLines(rows: readonly unknown[]): string {
    const owned = this.options.owned ?? [];
    let out = "";
    for (const row of rows) {
      const host = disavowHost(domainOf(row, this.options.domainField ?? "domain_from"));
      if (!host || isOwned(host, owned)) {
        this.skipped += 1;
        continue;
      }
      if (this.#seen.has(host)) continue;
      this.#seen.add(host);
      out += `domain:${host}\n`;
    }
    return out;
  }

  /** Closes the file; a complete export loses the partial mark. Returns the file's name. */
  async finish(complete: boolean): Promise<string> {
    await this.handle.close();
    if (!complete) return this.partialName;
    const from = join(this.dir, this.partialName);
    const to = join(this.dir, this.finalName);
    try {
      // A hard link fails when the name exists: a file is never overwritten.
      await link(from, to);
      await unlink(from);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return this.partialName;
      // File systems without hard links: rename, after checking the name is free.
      const taken = await stat(to).then(() => true, () => false);
      if (taken) return this.partialName;
      await rename(from, to);
    }
    return this.finalName;
  }
}

/** The referring domain of a row: a dot path, or "<n>.<field>" for the first target entry that has it. */
export function domainOf(row: unknown, field: string): unknown {
  if (!field.startsWith("<n>.")) return getPath(row, field);
  const rest = field.slice(4);
  for (let n = 1; n <= 20; n++) {
    const value = getPath(row, `${n}.${rest}`);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

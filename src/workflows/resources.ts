// Resources: the filter-field catalogue of each endpoint (so a model looks fields up instead of guessing,
// and tools/list stays small), and the export files (listed and readable; the export reply links them).
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import filterFields from "../data/backlinks-filter-fields.json" with { type: "json" };
import { catalogueFor, MAP_KEY_PLACEHOLDER, OPERATORS_BY_TYPE, type EndpointKey } from "../query/catalogue.js";
import type { Deps } from "../tools/deps.js";
import { EXPORT_NAME } from "./files.js";
import { EXPORT_URI_PREFIX } from "./inputs.js";

export const FIELDS_URI_PREFIX = "backlinks://fields/";

/** Endpoints with a filter catalogue, in the reference's order. */
export const CATALOGUE_ENDPOINTS: readonly string[] = Object.freeze(Object.keys(filterFields.endpoints));

/** The most bytes of an export one resources/read returns (cut at a line end). */
export const EXPORT_READ_MAX_BYTES = 8 * 1024 * 1024;

/** The most export files listed (newest first). */
const EXPORT_LIST_MAX = 200;

// Invisible and direction-changing characters are dropped from what a model may read; line breaks and
// tabs stay, so the CSV keeps its shape.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/gu;

/** The field catalogue of one endpoint as text: field, type, operators. */
export function fieldsText(endpoint: string): string | undefined {
  if (!CATALOGUE_ENDPOINTS.includes(endpoint)) return undefined;
  const catalogue = catalogueFor(endpoint as EndpointKey);
  const lines = [
    `# filterable fields of backlinks_${endpoint} (filters, order_by${endpoint === "backlinks" ? ", and backlinks_filters of the aggregate tools" : ""})`,
    "field\ttype\toperators",
  ];
  for (const [path, type] of Object.entries(catalogue.fields)) {
    const shown = path.endsWith(MAP_KEY_PLACEHOLDER) ? `${path.slice(0, -MAP_KEY_PLACEHOLDER.length)}.<key> (any key, e.g. .com)` : path;
    lines.push(`${shown}\t${type}\t${OPERATORS_BY_TYPE[type].join(" ")}`);
  }
  lines.push('# order_by takes "field,asc|desc"; like/ilike use % as wildcard');
  return lines.join("\n");
}

/** Export files in the folder, newest first. */
export async function listExports(dir: string): Promise<{ name: string; size: number; mtimeMs: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    names
      .filter((n) => EXPORT_NAME.test(n))
      .map(async (name) => {
        const s = await stat(join(dir, name)).catch(() => undefined);
        return s?.isFile() ? { name, size: s.size, mtimeMs: s.mtimeMs } : undefined;
      }),
  );
  return files
    .filter((f): f is { name: string; size: number; mtimeMs: number } => f !== undefined)
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1))
    .slice(0, EXPORT_LIST_MAX);
}

function mimeOf(name: string): string {
  if (name.endsWith(".csv")) return "text/csv";
  if (name.endsWith(".jsonl")) return "application/jsonl";
  return "text/plain";
}

/** An export's text, up to the read cap (cut at a line end), invisible characters removed. */
export async function readExport(dir: string, name: string): Promise<{ text: string; bytes: number; truncated: boolean } | undefined> {
  if (!EXPORT_NAME.test(name)) return undefined;
  let handle;
  try {
    handle = await open(join(dir, name), "r");
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, EXPORT_READ_MAX_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, 0);
    let end = length;
    if (length < size) end = buffer.lastIndexOf(0x0a) + 1;
    const text = buffer.subarray(0, end).toString("utf8").replace(INVISIBLE, "");
    return { text, bytes: size, truncated: length < size };
  } finally {
    await handle.close();
  }
}

export function registerResources(server: McpServer, deps: Deps): void {
  server.registerResource(
    "filter-fields",
    new ResourceTemplate(`${FIELDS_URI_PREFIX}{endpoint}`, {
      list: () => ({
        resources: CATALOGUE_ENDPOINTS.map((e) => ({ uri: FIELDS_URI_PREFIX + e, name: `fields-${e}`, title: `Filter fields of backlinks_${e}`, mimeType: "text/plain" })),
      }),
      complete: { endpoint: (value) => CATALOGUE_ENDPOINTS.filter((e) => e.startsWith(value ?? "")) },
    }),
    { title: "Filter fields", description: "Filterable fields of an endpoint with their types and operators (for filters, order_by, backlinks_filters).", mimeType: "text/plain" },
    (uri, variables): ReadResourceResult => {
      const endpoint = String(variables.endpoint ?? "");
      const text = fieldsText(endpoint);
      if (text === undefined) throw new Error(`no field catalogue for '${endpoint.slice(0, 60)}'; endpoints: ${CATALOGUE_ENDPOINTS.join(", ")}`);
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text }] };
    },
  );

  server.registerResource(
    "exports",
    new ResourceTemplate(`${EXPORT_URI_PREFIX}{name}`, {
      list: async () => ({
        resources: (await listExports(deps.config.exportDir)).map((f) => ({
          uri: EXPORT_URI_PREFIX + f.name,
          name: f.name,
          mimeType: mimeOf(f.name),
          size: f.size,
        })),
      }),
      complete: { name: async (value) => (await listExports(deps.config.exportDir)).map((f) => f.name).filter((n) => n.startsWith(value ?? "")).slice(0, 50) },
    }),
    { title: "Export files", description: "Files written by backlinks_export (names ending -partial are incomplete).", mimeType: "text/csv" },
    async (uri, variables): Promise<ReadResourceResult> => {
      const name = String(variables.name ?? "");
      const file = await readExport(deps.config.exportDir, name);
      if (!file) throw new Error(`no export named '${name.slice(0, 80)}'`);
      return {
        contents: [{ uri: uri.href, mimeType: mimeOf(name), text: file.text }],
        ...(file.truncated ? { _meta: { truncated: true, bytes_total: file.bytes, bytes_returned: EXPORT_READ_MAX_BYTES } } : {}),
      };
    },
  );
}

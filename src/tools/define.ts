// An endpoint tool = the endpoint's reference data + a short overlay of what a person decides:
// the title and description the model reads, the default columns, the toolsets, hints and
// parameters applied locally. Everything else (schema, rows, paging, cost) comes from the data.
import { z } from "zod";
import { endpointRef, type EndpointRef } from "../reference/endpoints.js";
import { inputShape } from "./schema.js";

export interface Overlay {
  /** Endpoint key in backlinks-endpoints.json; the tool is named backlinks_<key>. */
  key: string;
  title: string;
  description: string;
  /** Toolsets (groups the user switches on) this tool belongs to. */
  toolsets: string[];
  /** Default columns; "<n>." stands for every target of an intersection ("<n>.backlinks" → "1.backlinks", …). */
  columns: string[];
  /** Columns added when lost links are asked for (backlinks_status_type lost or all). */
  lostColumns?: string[];
  /** Descriptions of parameters, where the common one does not fit. */
  hints?: Record<string, string>;
  /** Parameters the tool applies itself and never sends. */
  local?: Record<string, z.ZodType>;
  /** Intersections: the row's key column, read from the first per-target entry's field. */
  rowKey?: { column: string; from: string };
}

export interface EndpointTool {
  name: string;
  ref: EndpointRef;
  overlay: Overlay;
  /** The strict input schema: unknown parameters are errors. */
  input: z.ZodObject;
  localParams: ReadonlySet<string>;
}

export const TOOL_PREFIX = "backlinks_";

/** The paging tool every list tool's footer points to. */
export const NEXT_TOOL = "backlinks_next_page";

export function defineTool(overlay: Overlay): EndpointTool {
  const ref = endpointRef(overlay.key);
  for (const name of Object.keys(overlay.hints ?? {})) {
    if (!ref.param(name)) throw new Error(`${overlay.key}: hint for unknown parameter '${name}'`);
  }
  return {
    name: TOOL_PREFIX + overlay.key,
    ref,
    overlay,
    input: z.strictObject(inputShape(ref, overlay.hints, overlay.local)),
    localParams: new Set(Object.keys(overlay.local ?? {})),
  };
}

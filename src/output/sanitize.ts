// Make untrusted web text safe for a one-line table cell.

export const DEFAULT_TEXT_MAX = 160;
export const ELLIPSIS = "…";

// Line/field breaks of any kind become a space: C0 whitespace controls, NEL, line/paragraph separators.
const BREAKS = /[\t\n\v\f\r\u001c-\u001f\u0085\u2028\u2029]/g;
// Removed outright: remaining C0 controls, DEL, C1 controls, soft hyphen, Arabic letter mark,
// Mongolian vowel separator, zero-width chars and LRM/RLM, bidi embeddings/overrides/isolates,
// invisible operators, BOM, interlinear annotation controls.
const INVISIBLE =
  /[\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
// Lone surrogates cannot be encoded; drop them.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Unicode space separators other than the plain space (NBSP, en/em spaces, ideographic space, ...).
const SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

export function sanitizeText(value: string, maxLength: number = DEFAULT_TEXT_MAX): string {
  const text = String(value)
    .replace(BREAKS, " ")
    .replace(INVISIBLE, "")
    .replace(LONE_SURROGATE, "")
    .replace(SPACES, " ")
    .replace(/ {2,}/g, " ")
    .trim();
  return capText(text, maxLength);
}

/** Cut to at most maxLength UTF-16 units, ending in "…", never splitting a surrogate pair. */
export function capText(text: string, maxLength: number): string {
  if (!(maxLength >= 0) || text.length <= maxLength) return text;
  if (maxLength < 1) return "";
  let end = maxLength - ELLIPSIS.length;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, Math.max(0, end)).trimEnd() + ELLIPSIS;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

// The one sanitiser for every string that can reach the model (web text, URLs, keys, echoed input).
//
// What goes:
// - every Unicode control (Cc), format (Cf), private-use (Co) and surrogate (Cs) code point;
// - noncharacters (U+FDD0–FDEF and the last two of every plane);
// - every Default_Ignorable_Code_Point: TAG characters (U+E0000–E007F), variation selectors
//   (U+FE00–FE0F, U+E0100–E01EF), bidi controls, zero-width characters, the Hangul fillers
//   (U+115F, U+1160, U+3164, U+FFA0), U+034F, U+17B4, U+17B5, ...;
// - blank "letters" that render as nothing but are not default-ignorable: U+2800 (Braille blank),
//   U+1D159 (null notehead), U+FFFC (object replacement).
// What becomes one plain space: every line or field break (C0 whitespace controls, U+001C–001F,
// NEL, U+2028, U+2029) and every other space separator (Zs).
// Everything else (letters, marks, digits, punctuation, symbols of every script) stays.

export const DEFAULT_TEXT_MAX = 160;
export const ELLIPSIS = "…";

/** Breaks between lines or fields; each becomes a space. */
const BREAKS = /[\t\n\v\f\r\u001c-\u001f\u0085\u2028\u2029]/g;
/** Space separators other than the plain space. */
const SPACES = /[\p{Zs}]/gu;
/** Blank fillers that Unicode does not class as default-ignorable. */
const BLANK_FILLERS = "\u2800\u{1D159}\uFFFC";
/**
 * Everything that is dropped. In a `u` regex \p{Cs} matches a lone surrogate only (a valid pair is
 * one code point of another category).
 */
const DROPPED = new RegExp(
  `[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}\\p{Noncharacter_Code_Point}\\p{Default_Ignorable_Code_Point}${BLANK_FILLERS}]`,
  "gu",
);
/** Cheap test: the text needs no work at all (printable ASCII only). */
const PLAIN_ASCII = /^[\u0020-\u007e]*$/;

/** One clean line with no length cap: see the header for what is dropped or turned into a space. */
export function sanitizeLine(value: string): string {
  const text = String(value);
  if (PLAIN_ASCII.test(text)) return collapse(text);
  return collapse(text.replace(BREAKS, " ").replace(DROPPED, "").replace(SPACES, " "));
}

function collapse(text: string): string {
  return text.replace(/ {2,}/g, " ").trim();
}

/** One clean line of at most maxLength UTF-16 units (ending in "…" when cut). */
export function sanitizeText(value: string, maxLength: number = DEFAULT_TEXT_MAX): string {
  return capText(sanitizeLine(value), maxLength);
}

/** True when the code point would be dropped by the sanitiser (not counting breaks and spaces). */
export function isDroppedCodePoint(codePoint: number): boolean {
  DROPPED.lastIndex = 0;
  const hit = DROPPED.test(String.fromCodePoint(codePoint));
  DROPPED.lastIndex = 0;
  return hit;
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

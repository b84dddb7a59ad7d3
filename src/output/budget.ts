// Fitting text into the output budget (characters, UTF-16 units as String.length counts them).

/** How many leading lines fit when joined with "\n" (no trailing newline); 0 if not even the first. */
export function fitLines(lines: readonly string[], availableChars: number): number {
  if (!(availableChars > 0)) return 0;
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += lines[i]!.length + (i > 0 ? 1 : 0);
    if (used > availableChars) return i;
  }
  return lines.length;
}

/** Hard cut to at most maxChars, ending in a marker that says how much was cut. */
export function clip(text: string, maxChars: number): string {
  const max = Number.isNaN(maxChars) ? 0 : Math.max(0, Math.floor(maxChars));
  if (text.length <= max) return text;
  // Widest marker first (the most digits the count can have), so the result never exceeds max.
  const marker = (cut: number) => ` …[cut ${cut} chars]`;
  const room = max - marker(text.length).length;
  if (room < 0) return text.slice(0, safeEnd(text, max));
  const keep = safeEnd(text, room);
  return text.slice(0, keep) + marker(text.length - keep);
}

// Step back one unit rather than split a surrogate pair.
function safeEnd(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return end > 0 && code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

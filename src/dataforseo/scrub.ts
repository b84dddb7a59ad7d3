// Keeping secrets and junk out of error messages, excerpts and log lines.
import { scrubAuthHeaders } from "./errors.js";

const REDACTED = "[redacted]";

/** Every form in which the credentials could come back in a response or an error text. */
export function secretForms(login: string | undefined, password: string | undefined): string[] {
  if (!password) return [];
  const forms = new Set<string>([password]);
  forms.add(JSON.stringify(password).slice(1, -1));
  forms.add(encodeURIComponent(password));
  forms.add(Buffer.from(password).toString("base64").replace(/=+$/, ""));
  if (login !== undefined) forms.add(Buffer.from(`${login}:${password}`).toString("base64").replace(/=+$/, ""));
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

export type Scrubber = (text: string) => string;

export function makeScrubber(secrets: string[]): Scrubber {
  return (text: string) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return scrubAuthHeaders(out);
  };
}

// C0/C1 controls, zero-width and bidi marks: anything that could break or disguise a line.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** One clean line of at most `max` characters; secrets are removed before anything is cut. */
export function excerpt(text: string, scrub: Scrubber, max = 200): string {
  let out = scrub(text).replace(INVISIBLE, " ").replace(/\s+/g, " ").trim();
  if (out.length > max) out = `${out.slice(0, max - 1).replace(/[\ud800-\udbff]$/, "")}…`;
  return out;
}

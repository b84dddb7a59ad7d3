// Keeping secrets and junk out of error messages, excerpts and log lines.
import { scrubAuthHeaders } from "./errors.js";
import { capText, sanitizeLine } from "../output/sanitize.js";

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

/**
 * One clean line of at most `max` characters, through the one sanitiser every string that reaches the
 * model passes. Invisible characters are dropped first, so a secret with a zero-width character inside
 * it cannot slip past the scrubber; secrets are removed before anything is cut.
 */
export function excerpt(text: string, scrub: Scrubber, max = 200): string {
  return capText(scrub(sanitizeLine(text)), max);
}

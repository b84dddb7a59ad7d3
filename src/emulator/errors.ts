// Status codes and messages, and the error a task handler throws.
import statusCodes from "../data/status-codes.json" with { type: "json" };

const MESSAGES = new Map<number, string>(statusCodes.codes.map((c) => [c.code, c.message]));

export function messageOf(code: number): string {
  return MESSAGES.get(code) ?? "Internal Error.";
}

/** A task-level failure: the task gets this code and message, result null, cost 0. */
export class TaskError extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? messageOf(code));
  }
}

/** 40501 in the API's own wording, optionally followed by a short explanation. */
export function invalidField(name: string, detail?: string): TaskError {
  return new TaskError(40501, `Invalid Field: '${name}'.${detail ? ` ${detail}` : ""}`);
}

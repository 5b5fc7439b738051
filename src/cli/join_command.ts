/**
 * `chat join`: the terminal client. Not built yet (issue 3).
 *
 * @module
 */

import { UserError } from "./errors.ts";

/** Runs `chat join`; returns the exit code. */
export function runJoin(_args: string[]): Promise<number> {
  return Promise.reject(new UserError("chat join is not available in this build yet."));
}

/**
 * One connection's tries at the room password: answers to wrong ones are
 * delayed as the server's failure tracker says, tries made while an answer
 * is pending are refused unchecked, and too many end the connection.
 *
 * @module
 */

import type { Admission } from "./admission.ts";

/** Wrong passwords one connection may try before it is closed. */
export const MAX_PASSWORD_TRIES = 10;

/** The outcome of one try. */
export type PasswordTry =
  | { outcome: "accepted" }
  /** Refused unchecked: an earlier wrong try is still waiting for its answer. */
  | { outcome: "wait"; seconds: number }
  /** Wrong: answer after `delayMs`; `last` when this was the connection's final allowed try. */
  | { outcome: "wrong"; delayMs: number; tries: number; last: boolean };

/** The password tries of one connection. */
export class PasswordAttempts {
  readonly #admission: Admission;
  readonly #address: string;
  #wrong = 0;
  #answerAt = 0;

  /** @param address the peer's IP address, whose failures are counted across connections */
  constructor(admission: Admission, address: string) {
    this.#admission = admission;
    this.#address = address;
  }

  /** Tries `candidate` (undefined: none was given). */
  try(candidate: string | undefined, now: number): PasswordTry {
    if (now < this.#answerAt) {
      return { outcome: "wait", seconds: Math.ceil((this.#answerAt - now) / 1000) };
    }
    const result = this.#admission.checkPassword(this.#address, candidate, now);
    if (result.ok) return { outcome: "accepted" };
    this.#wrong++;
    this.#answerAt = now + result.delayMs;
    return {
      outcome: "wrong",
      delayMs: result.delayMs,
      tries: this.#wrong,
      last: this.#wrong >= MAX_PASSWORD_TRIES,
    };
  }
}

/**
 * One connection's tries at the room password. Whether a try is checked at
 * all is up to its address (see {@linkcode Admission.checkPassword}); this
 * adds the per-connection cap: too many wrong tries end the connection.
 *
 * @module
 */

import { type Admission, waitSeconds } from "./admission.ts";

/** Wrong passwords one connection may try before it is closed. */
export const MAX_PASSWORD_TRIES = 10;

/** The outcome of one try. */
export type PasswordTry =
  | { outcome: "accepted" }
  /** Refused unchecked: the address must wait `seconds` more after earlier failures. */
  | { outcome: "wait"; seconds: number }
  /**
   * Wrong: the address must wait `waitSeconds` before its next try (0: none);
   * `last` when this was the connection's final allowed try.
   */
  | { outcome: "wrong"; waitSeconds: number; tries: number; last: boolean };

/** The password tries of one connection. */
export class PasswordAttempts {
  readonly #admission: Admission;
  readonly #address: string;
  #wrong = 0;

  /** @param address the peer's IP address, whose failures are counted across connections */
  constructor(admission: Admission, address: string) {
    this.#admission = admission;
    this.#address = address;
  }

  /** Tries `candidate` (undefined: none was given). */
  try(candidate: string | undefined, now: number): PasswordTry {
    const result = this.#admission.checkPassword(this.#address, candidate, now);
    switch (result.outcome) {
      case "accepted":
        return result;
      case "refused":
        return { outcome: "wait", seconds: waitSeconds(result.waitMs) };
      case "wrong":
        this.#wrong++;
        return {
          outcome: "wrong",
          waitSeconds: result.waitMs === 0 ? 0 : waitSeconds(result.waitMs),
          tries: this.#wrong,
          last: this.#wrong >= MAX_PASSWORD_TRIES,
        };
    }
  }
}

/**
 * The rate limit of one connection: a token bucket, a throttle on the
 * "slow down" warnings, and a strike count that says when a sender has been
 * over the limit for long enough to be disconnected.
 *
 * @module
 */

import type { Limits } from "../protocol/limits.ts";
import { TokenBucket } from "./token_bucket.ts";

/** What to do with one line: take it, drop it (warning or not), or drop the sender. */
export type FloodVerdict = "accept" | "drop" | "warn" | "disconnect";

/** Warnings go out at most this often. */
const WARNING_INTERVAL_MS = 1000;

/** Rate-limits the lines of one connection. */
export class FloodGuard {
  readonly #bucket: TokenBucket;
  readonly #maxStrikes: number;
  #strikes = 0;
  #lastWarningAt = -Infinity;

  /** @param now the connection's start, in ms */
  constructor(limits: Pick<Limits, "rateBurst" | "ratePerSecond" | "floodStrikes">, now: number) {
    this.#bucket = new TokenBucket(limits.rateBurst, limits.ratePerSecond, now);
    this.#maxStrikes = limits.floodStrikes;
  }

  /**
   * Judges one line costing `cost` (1 for a line, less for one pasted with
   * others). Each refused line is a strike and each accepted one takes a
   * strike away; past the limit the verdict is `disconnect`.
   */
  check(cost: number, now: number): FloodVerdict {
    if (this.#bucket.take(now, cost)) {
      if (this.#strikes > 0) this.#strikes--;
      return "accept";
    }
    this.#strikes++;
    if (this.#strikes > this.#maxStrikes) return "disconnect";
    if (now - this.#lastWarningAt < WARNING_INTERVAL_MS) return "drop";
    this.#lastWarningAt = now;
    return "warn";
  }
}

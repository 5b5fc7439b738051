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
  readonly #burst: number;
  readonly #maxStrikes: number;
  #strikes = 0;
  #lastWarningAt = -Infinity;

  /** @param now the connection's start, in ms */
  constructor(limits: Pick<Limits, "rateBurst" | "ratePerSecond" | "floodStrikes">, now: number) {
    this.#bucket = new TokenBucket(limits.rateBurst, limits.ratePerSecond, now);
    this.#burst = limits.rateBurst;
    this.#maxStrikes = limits.floodStrikes;
  }

  /**
   * Judges one line costing `cost` (`lineCost`, src/protocol/line_cost.ts). A line never costs
   * more than the whole burst, so a long line can always get through (and be
   * refused for its length, if it is too long). Each refused line is a strike
   * and each accepted one takes a strike away; past the limit the verdict is
   * `disconnect`.
   */
  check(cost: number, now: number): FloodVerdict {
    if (this.#bucket.take(now, Math.min(cost, this.#burst))) {
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

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

/**
 * Lines of a paste cost this fraction of a line: each further line of a
 * plain-text paste, each line break in a (multi-line) message.
 */
const PASTED_LINE_COST = 0.1;

/**
 * Characters that cost as much as a line. A paste costs by its size as well as
 * its line count, so big blocks within the line rate can't make the server send
 * everyone far more text than people type (and cut readers off as too slow).
 */
export const CHARS_PER_LINE = 1000;

/**
 * What one received line costs: one line (a tenth when it came with others in a
 * plain-text paste) plus a tenth for each line break it carries (`\n` inside a
 * JSON message, shown as a line of its own), or one per
 * {@linkcode CHARS_PER_LINE} characters if that is more.
 */
export function lineCost(line: string, pasted: boolean): number {
  const breaks = line.split("\\n").length - 1;
  const lines = (pasted ? PASTED_LINE_COST : 1) + breaks * PASTED_LINE_COST;
  return Math.max(lines, line.length / CHARS_PER_LINE);
}

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
   * Judges one line costing `cost` ({@linkcode lineCost}). A line never costs
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

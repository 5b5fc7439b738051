/**
 * A token bucket per key (a member, an address): a burst, then a steady rate
 * an hour. Keys are kept in a bounded {@linkcode RecentTable}, and a key left
 * alone until its bucket would be full again is forgotten, so the table costs
 * nothing for those who stay within the rate.
 *
 * @module
 */

import { RecentTable } from "../recent_table.ts";
import { TokenBucket } from "../token_bucket.ts";

/** So many at once, then so many an hour. */
export interface RateLimit {
  burst: number;
  perHour: number;
}

/** Keys tracked at most; past it the least recently seen is forgotten. */
const MAX_TRACKED = 10_000;
const HOUR_MS = 60 * 60 * 1000;

/** Token buckets by key. */
export class KeyedRate {
  readonly limit: RateLimit;
  readonly #table: RecentTable<TokenBucket>;

  constructor(limit: RateLimit) {
    this.limit = limit;
    this.#table = new RecentTable(MAX_TRACKED, (limit.burst / limit.perHour) * HOUR_MS);
  }

  /** Ms until `key` may act again (0: now). */
  waitMs(key: string, now: number): number {
    return this.#table.get(key, now)?.waitMs(now) ?? 0;
  }

  /** Counts one act of `key` (whether or not it was within the rate). */
  take(key: string, now: number): void {
    const bucket = this.#table.get(key, now) ??
      new TokenBucket(this.limit.burst, this.limit.perHour / 3600, now);
    bucket.take(now);
    this.#table.set(key, bucket, now);
  }
}

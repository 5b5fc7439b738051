/**
 * A token bucket: allows bursts up to `burst`, then `perSecond` on average.
 * Used to rate-limit what each connection sends.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(3, 1, 0);
 * bucket.take(0); bucket.take(0); bucket.take(0); // true, true, true
 * bucket.take(0);    // false: burst used up
 * bucket.take(1000); // true: one token refilled after a second
 * ```
 *
 * @module
 */

/** Tokens that refill at a steady rate up to a cap. */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #updatedAt: number;

  /**
   * @param burst most tokens held (the largest burst allowed)
   * @param perSecond tokens added per second
   * @param now current time in ms
   */
  constructor(burst: number, perSecond: number, now: number) {
    this.#burst = burst;
    this.#perMs = perSecond / 1000;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes `cost` tokens if there are enough; returns whether it did. */
  take(now: number, cost = 1): boolean {
    this.#refill(now);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Ms until `cost` tokens are there (0: now). */
  waitMs(now: number, cost = 1): number {
    this.#refill(now);
    return this.#tokens >= cost ? 0 : Math.ceil((cost - this.#tokens) / this.#perMs);
  }

  #refill(now: number): void {
    const elapsed = now - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
    this.#updatedAt = now;
  }
}

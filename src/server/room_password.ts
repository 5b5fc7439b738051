/**
 * The room password and the defences around it: constant-time comparison,
 * and answers that slow down for an address that keeps guessing wrong.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text, "utf8").digest();
}

/** A room password, compared in constant time. */
export class RoomPassword {
  readonly #digest: Uint8Array;

  /** @param secret the password, as the operator typed it */
  constructor(secret: string) {
    this.#digest = digest(secret);
  }

  /** True when `candidate` is the password. Takes the same time whatever the input. */
  matches(candidate: string): boolean {
    // Comparing fixed-length digests hides the password's length as well as its content.
    return timingSafeEqual(digest(candidate), this.#digest);
  }
}

/** How long failures are remembered, and how much they slow answers down. */
export interface FailurePolicy {
  /** Failures answered at once, before slowing down starts. */
  freeFailures: number;
  /** Delay after the first slowed failure; it doubles with each further one. */
  baseDelayMs: number;
  /** Longest delay. */
  maxDelayMs: number;
  /** A quiet spell after which an address's failures are forgotten. */
  forgetAfterMs: number;
}

/** Defaults: 3 free tries, then 1 s, 2 s, 4 s … up to 30 s; forgotten after 15 quiet minutes. */
export const DEFAULT_FAILURE_POLICY: FailurePolicy = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  forgetAfterMs: 15 * 60_000,
};

const MAX_TRACKED_ADDRESSES = 10_000;

/** Counts wrong passwords per address and says how long to wait before answering. */
export class FailureTracker {
  readonly #policy: FailurePolicy;
  readonly #failures = new Map<string, { count: number; lastAt: number }>();

  /** @param policy how failures slow answers down */
  constructor(policy: FailurePolicy = DEFAULT_FAILURE_POLICY) {
    this.#policy = policy;
  }

  /** Records a failure from `address`; returns how long to wait before answering it. */
  fail(address: string, now: number): number {
    const entry = this.#current(address, now);
    const count = (entry?.count ?? 0) + 1;
    this.#failures.delete(address);
    this.#failures.set(address, { count, lastAt: now });
    if (this.#failures.size > MAX_TRACKED_ADDRESSES) {
      // Maps iterate in insertion order: the first key is the least recently failed.
      this.#failures.delete(this.#failures.keys().next().value!);
    }
    return this.delayFor(count);
  }

  /** The wait after the `count`-th failure in a row. */
  delayFor(count: number): number {
    const { freeFailures, baseDelayMs, maxDelayMs } = this.#policy;
    if (count <= freeFailures) return 0;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (count - freeFailures - 1));
  }

  /** Forgets an address's failures (after it got the password right). */
  succeed(address: string): void {
    this.#failures.delete(address);
  }

  #current(address: string, now: number) {
    const entry = this.#failures.get(address);
    if (entry && now - entry.lastAt > this.#policy.forgetAfterMs) {
      this.#failures.delete(address);
      return undefined;
    }
    return entry;
  }
}

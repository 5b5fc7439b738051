/**
 * The room password and the defences around it: constant-time comparison,
 * and a penalty per address (IPv4 address, IPv6 /64) that keeps guessing wrong,
 * like OpenSSH's per-source penalties: after a few free failures, every
 * further one makes the address wait before its next try, on any connection,
 * and tries made while it waits are refused without being checked.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { RecentTable } from "./recent_table.ts";

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

/** How long failures are remembered, and how long they make an address wait. */
export interface FailurePolicy {
  /** Failures in a row that cost nothing, before waiting starts. */
  freeFailures: number;
  /** Wait after the first failure past the free ones; it doubles with each further one. */
  baseDelayMs: number;
  /** Longest wait. */
  maxDelayMs: number;
  /** A quiet spell after which an address's failures are forgotten. */
  forgetAfterMs: number;
}

/**
 * Defaults: 3 free failures, then waits of 2 s, 4 s, 8 s … up to 60 s, so an
 * address that keeps guessing gets about one try a minute; forgotten after 15
 * quiet minutes.
 */
export const DEFAULT_FAILURE_POLICY: FailurePolicy = {
  freeFailures: 3,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
};

/** Addresses with failures remembered at once; the least recently failing is forgotten first. */
export const MAX_TRACKED_ADDRESSES = 10_000;

/** What a failure did to its address. */
export interface Penalty {
  /** How long the address must wait before its next try (0: it may try at once). */
  waitMs: number;
  /** True for the failure that made the address wait for the first time since it was last forgotten. */
  started: boolean;
}

interface Failures {
  count: number;
  /** Until when the address's tries are refused unchecked. */
  blockedUntil: number;
}

/** Counts wrong passwords per address key and says how long each must wait. */
export class FailureTracker {
  readonly #policy: FailurePolicy;
  readonly #failures: RecentTable<Failures>;

  /** @param policy how failures make an address wait */
  constructor(policy: FailurePolicy = DEFAULT_FAILURE_POLICY) {
    this.#policy = policy;
    this.#failures = new RecentTable(MAX_TRACKED_ADDRESSES, policy.forgetAfterMs);
  }

  /** How long `key` must still wait before a try is checked (0: now). */
  waitMs(key: string, now: number): number {
    const entry = this.#failures.get(key, now);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  /** Records a failure from `key`; returns the wait it brings. */
  fail(key: string, now: number): Penalty {
    const count = (this.#failures.get(key, now)?.count ?? 0) + 1;
    const waitMs = this.delayFor(count);
    this.#failures.set(key, { count, blockedUntil: now + waitMs }, now);
    return { waitMs, started: count === this.#policy.freeFailures + 1 };
  }

  /** The wait after the `count`-th failure in a row. */
  delayFor(count: number): number {
    const { freeFailures, baseDelayMs, maxDelayMs } = this.#policy;
    if (count <= freeFailures) return 0;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (count - freeFailures - 1));
  }

  /** Forgets an address's failures (after it got the password right). */
  succeed(key: string): void {
    this.#failures.delete(key);
  }
}

/**
 * When the server takes its next connection from the listener. Two rules keep
 * a flood of connections from slowing the members already in:
 *
 * - one accept per turn of the event loop: a backlog of thousands of new
 *   connections is taken one at a time, with every member's reads and writes
 *   served in between, not all at once while the room waits;
 * - a budget of connections turned away (refused at the door or closed
 *   unread): past it, the server takes new connections only as fast as the
 *   budget refills. The rest wait in the kernel's backlog, and a loop that
 *   reconnects or guesses from many addresses is slowed to that pace instead
 *   of taking the server's time. Connections that are let in cost nothing
 *   from the budget, so a crowd reconnecting after a restart is not paced.
 *
 * @example
 * ```ts
 * const pacer = new AcceptPacer(2, () => 0, console.log);
 * await pacer.next(); // true, at once
 * pacer.turnedAway();
 * pacer.turnedAway();
 * pacer.waitMs; // 500: the budget is spent until the clock moves on
 * ```
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { TokenBucket } from "./token_bucket.ts";

/** How often the serve log may say that accepting is being paced. */
const LOG_EVERY_MS = 10 * 60 * 1000;

/** Paces the accept loop by the connections it turns away. */
export class AcceptPacer {
  readonly #budget: TokenBucket;
  readonly #perSecond: number;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  #loggedAt = -Infinity;

  /**
   * @param turnAwaysPerSecond connections that may be turned away a second
   *   (also the largest burst) before accepting slows to that pace
   * @param now the clock, in ms
   * @param log where to say that accepting is paced (at most every 10 minutes)
   */
  constructor(turnAwaysPerSecond: number, now: () => number, log: (line: string) => void) {
    this.#perSecond = turnAwaysPerSecond;
    this.#now = now;
    this.#log = log;
    this.#budget = new TokenBucket(turnAwaysPerSecond, turnAwaysPerSecond, now());
  }

  /** Counts a connection turned away. */
  turnedAway(): void {
    this.#budget.take(this.#now());
  }

  /** Ms until the next connection may be accepted (0: now). */
  get waitMs(): number {
    return this.#budget.waitMs(this.#now());
  }

  /**
   * Lets everything else the event loop has ready run first, then waits for
   * the budget if it is spent (one step at most, so that a loop asking again
   * can stop in between). True when a connection may be accepted now.
   */
  async next(): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    const wait = this.waitMs;
    if (wait === 0) return true;
    const now = this.#now();
    if (now - this.#loggedAt >= LOG_EVERY_MS) {
      this.#loggedAt = now;
      this.#log(
        `Turning away more than ${this.#perSecond} connections a second: ` +
          "new connections are accepted more slowly until that stops (logged every 10 minutes at most).",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    return this.waitMs === 0;
  }
}

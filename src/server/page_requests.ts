/**
 * Paces one connection's `history` requests. They are not chat lines and do
 * not count against the chat rate limit — a client catching up on a long
 * absence asks for page after page — but each one reads the history, so they
 * have a budget of their own: a burst, then a steady rate. A request over the
 * budget is not refused but answered later (the client is simply slower to
 * catch up); only when several already wait is one refused.
 *
 * @example
 * ```ts
 * const pages = new PageRequests(Date.now);
 * pages.ask(() => sendPage()); // answered at once while the burst lasts
 * pages.stop();                // the connection ended: forget what waits
 * ```
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import { TokenBucket } from "./token_bucket.ts";

/** Pages answered at once before the steady rate applies. */
const PAGE_BURST = 20;
/** Pages per second after the burst. */
const PAGES_PER_SECOND = 10;
/** Requests that may wait for their turn; more are refused. */
const MOST_WAITING = 4;

/** The budget of page requests of one connection. */
export class PageRequests {
  readonly #now: () => number;
  readonly #bucket: TokenBucket;
  #waiting: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param now the clock (injectable in tests) */
  constructor(now: () => number) {
    this.#now = now;
    this.#bucket = new TokenBucket(PAGE_BURST, PAGES_PER_SECOND, now());
  }

  /**
   * Runs `answer` now if the budget allows and nothing waits, later if not;
   * returns a refusal when too many requests already wait.
   */
  ask(answer: () => void): Refusal | undefined {
    if (this.#waiting.length === 0 && this.#bucket.take(this.#now())) {
      answer();
      return undefined;
    }
    if (this.#waiting.length >= MOST_WAITING) {
      return {
        code: "rate_limited",
        message: "You are asking for history pages too fast; wait for the pages you asked for.",
      };
    }
    this.#waiting.push(answer);
    this.#schedule();
    return undefined;
  }

  /** Forgets the requests that wait (the connection ended). */
  stop(): void {
    this.#waiting = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      while (this.#waiting.length > 0 && this.#bucket.take(this.#now())) {
        this.#waiting.shift()!();
      }
      if (this.#waiting.length > 0) this.#schedule();
    }, Math.ceil(1000 / PAGES_PER_SECOND));
  }
}

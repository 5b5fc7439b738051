/**
 * The client's side of the room's rate limit. The server refuses lines sent
 * faster than `rateBurst` at once and `ratePerSecond` on average (it
 * announces both in the welcome's `limits`); a client that paces itself
 * never has a line refused, so a pipe of any length or a burst of Enters is
 * delivered completely and in order. Lines beyond the rate wait in a queue
 * here and go out as the limit allows.
 *
 * The pacer keeps a token bucket like the server's, a little stricter (a
 * token held back, 90 % of the rate) so that network jitter, which can bring
 * two lines closer together on the way, never pushes one over the limit.
 * Every line the connection writes costs what the server charges for it
 * ({@linkcode lineCost}: a line, or more for a long or multi-line message;
 * nothing for a history page request, which has a budget of its own), so the
 * model stays in step with the server's count.
 *
 * @example
 * ```ts
 * const pacer = new SendPacer({ write: (frame) => conn.write(frame) });
 * pacer.connected();                                  // a new connection: the server's bucket is full
 * pacer.setLimits({ ratePerSecond: 3, rateBurst: 10 }); // from the welcome
 * pacer.resume();                                     // joined: queued lines may go
 * pacer.enqueue({ type: "send", text: "hi" });
 * ```
 *
 * @module
 */

import type { ClientFrame } from "../protocol/frames.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { lineCost } from "../protocol/line_cost.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";

/** The rate a server allows, as its welcome announces it. */
export interface RateLimit {
  ratePerSecond: number;
  rateBurst: number;
}

/** Timer functions, replaceable in tests. */
export interface PacerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Settings of a {@linkcode SendPacer}. */
export interface SendPacerOptions {
  /** Writes one frame now; the writer calls {@linkcode SendPacer.spend} for it like for any line. */
  write(frame: ClientFrame): void;
  /** Told whenever the number of waiting frames changes. */
  onWaitingChange?(waiting: number): void;
  clock?: PacerClock;
}

/** Fraction of the announced rate the client uses: a margin for jitter on the way. */
const RATE_MARGIN = 0.9;
/** Tokens of the burst held back, for the same reason. */
const BURST_MARGIN = 1;

const SYSTEM_CLOCK: PacerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/** Frames waiting for the rate limit, and a model of the server's token bucket. */
export class SendPacer {
  readonly #options: SendPacerOptions;
  readonly #clock: PacerClock;
  readonly #queue: ClientFrame[] = [];
  #limit: RateLimit = {
    ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
    rateBurst: DEFAULT_LIMITS.rateBurst,
  };
  #tokens = 0;
  #updatedAt = 0;
  #open = false;
  #timer: unknown;
  #drained = Promise.withResolvers<void>();

  /** A pacer that sends nothing until {@linkcode resume}. */
  constructor(options: SendPacerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#drained.resolve();
  }

  /** Frames waiting to go out. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves when no frame waits (at once if none does). */
  get drained(): Promise<void> {
    return this.#drained.promise;
  }

  /** A new connection: the server's bucket for it starts full. Sending waits for {@linkcode resume}. */
  connected(): void {
    this.pause();
    this.#tokens = this.#burst();
    this.#updatedAt = this.#clock.now();
  }

  /** Takes the rate the server announced; a server that announces none keeps the defaults. */
  setLimits(limits: Partial<RateLimit>): void {
    const { ratePerSecond, rateBurst } = limits;
    if (typeof ratePerSecond === "number" && ratePerSecond > 0) {
      this.#limit = { ...this.#limit, ratePerSecond };
    }
    if (typeof rateBurst === "number" && rateBurst >= 1) {
      this.#limit = { ...this.#limit, rateBurst };
    }
    this.#refill();
    this.#tokens = Math.min(this.#tokens, this.#burst());
  }

  /** Counts a frame written on the connection as `line` (any frame), at the server's price. */
  spend(frame: ClientFrame, line: string): void {
    this.#refill();
    this.#tokens -= this.#cost(frame, line);
  }

  /** Queues a frame; it goes out as soon as the rate allows, after those queued before it. */
  enqueue(frame: ClientFrame): void {
    if (this.#queue.length === 0) this.#drained = Promise.withResolvers<void>();
    this.#queue.push(frame);
    this.#changed();
    this.#pump();
  }

  /** Joined: queued frames may go out. */
  resume(): void {
    this.#open = true;
    this.#pump();
  }

  /** Not joined (disconnected): frames wait, none is lost. */
  pause(): void {
    this.#open = false;
    this.#stopTimer();
  }

  #pump(): void {
    if (!this.#open || this.#timer !== undefined) return;
    while (this.#open && this.#queue.length > 0) {
      this.#refill();
      const head = this.#queue[0];
      const cost = this.#cost(head, encodeFrame(head));
      if (this.#tokens < cost) {
        const waitMs = Math.ceil(((cost - this.#tokens) * 1000) / this.#rate());
        this.#timer = this.#clock.setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, waitMs);
        return;
      }
      const frame = this.#queue.shift()!;
      this.#options.write(frame);
      this.#changed();
    }
  }

  #changed(): void {
    if (this.#queue.length === 0) this.#drained.resolve();
    this.#options.onWaitingChange?.(this.#queue.length);
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.#burst(), this.#tokens + (elapsed * this.#rate()) / 1000);
    this.#updatedAt = now;
  }

  /** What the server charges for `frame` sent as `line`; never more than the pacer's burst. */
  #cost(frame: ClientFrame, line: string): number {
    if (frame.type === "history") return 0;
    const sent = line.endsWith("\n") ? line.slice(0, -1) : line; // the server counts no newline
    return Math.min(lineCost(sent, false), this.#burst());
  }

  #rate(): number {
    return this.#limit.ratePerSecond * RATE_MARGIN;
  }

  #burst(): number {
    return Math.max(1, this.#limit.rateBurst - BURST_MARGIN);
  }
}

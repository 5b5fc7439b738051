/**
 * The outbound side of the server's connections. Frames are queued without
 * waiting; a connection's queue is written out in one write per turn; and the
 * turns of all connections are taken in order, a few writes at a time, by one
 * {@linkcode WriteScheduler}.
 *
 * Why a scheduler: Deno completes only about 128 socket operations per turn
 * of its event loop (tokio's cooperative budget) and picks the rest in no
 * fair order. A broadcast that started a thousand writes at once would leave
 * some connections waiting for hundreds of milliseconds while others are
 * served again and again. Taking turns in order bounds every connection's
 * wait to one round of the queue, and whatever a connection received while
 * it waited goes out in that one write.
 *
 * The queue is bounded: a peer that stops reading makes it overflow, and the
 * owner disconnects that peer instead of holding its data forever.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** Where queued bytes go; a `Deno.Conn` fits. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Callbacks of an {@linkcode OutboundQueue}. */
export interface OutboundEvents {
  /** The queue passed its bound; nothing more is accepted. */
  onOverflow(): void;
  /** A write failed (the peer is gone). */
  onWriteError(error: unknown): void;
}

/** Something that waits for its turn to write. */
export interface WriteTurn {
  /** Writes what is waiting; resolves when written (or failed). */
  takeTurn(): Promise<void>;
}

/** Writes in progress at once; well under the ~128 operations Deno completes per turn. */
const CONCURRENT_WRITES = 64;
/** A write unfinished after this long (up to twice as long) waits for a slow peer and gives up its slot. */
const STUCK_WRITE_MS = 25;

/**
 * Runs write turns first come, first served, with at most a few writes in
 * progress at once. A write that waits on a peer that is not reading gives up
 * its place after a short while, so a stuck peer never holds up the others.
 */
export class WriteScheduler {
  readonly #maxWrites: number;
  #waiting: WriteTurn[] = [];
  #next = 0;
  /** The writes holding a slot, each with the stuck-check round it started in. */
  readonly #active = new Map<WriteTurn, number>();
  #round = 0;
  #pumpQueued = false;
  #stuckTimer: ReturnType<typeof setTimeout> | undefined;

  /** @param maxWrites most writes in progress at once */
  constructor(maxWrites = CONCURRENT_WRITES) {
    this.#maxWrites = maxWrites;
  }

  /** Asks for a turn. Turns start after the current task, so a burst of frames shares one write. */
  request(turn: WriteTurn): void {
    this.#waiting.push(turn);
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#active.size < this.#maxWrites && this.#next < this.#waiting.length) {
      const turn = this.#waiting[this.#next++];
      this.#active.set(turn, this.#round);
      turn.takeTurn().finally(() => {
        if (this.#active.delete(turn)) this.#pump();
      });
    }
    if (this.#next === this.#waiting.length) {
      this.#waiting = [];
      this.#next = 0;
    } else if (this.#next > 1024 && this.#next * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#next);
      this.#next = 0;
    }
    this.#watchForStuckWrites();
  }

  /**
   * While turns wait for a slot, checks every {@linkcode STUCK_WRITE_MS} for
   * writes that were already in progress at the previous check, and frees
   * their slots (the writes go on; they just stop holding up the others).
   */
  #watchForStuckWrites(): void {
    const saturated = this.#next < this.#waiting.length;
    if (!saturated) {
      clearTimeout(this.#stuckTimer);
      this.#stuckTimer = undefined;
    } else if (this.#stuckTimer === undefined) {
      this.#stuckTimer = setTimeout(() => {
        this.#stuckTimer = undefined;
        for (const [turn, round] of this.#active) {
          if (round < this.#round) this.#active.delete(turn);
        }
        this.#round++;
        this.#pump();
      }, STUCK_WRITE_MS);
    }
  }
}

const sharedScheduler = new WriteScheduler();

/** A bounded, coalescing write queue for one connection. */
export class OutboundQueue implements WriteTurn {
  readonly #sink: ByteSink;
  readonly #maxBytes: number;
  readonly #events: OutboundEvents;
  readonly #scheduler: WriteScheduler;
  #chunks: Uint8Array[] = [];
  /**
   * The last bytes queued, and how far they reach: bytes that follow them in
   * the same buffer (the next broadcast from a FrameArena) just extend it.
   */
  #tail: Uint8Array | null = null;
  #tailLength = 0;
  #queuedBytes = 0;
  /** True from asking for a turn until the turn's write is done. */
  #busy = false;
  #writing = false;
  #stopped = false;
  #drained: Array<() => void> = [];

  /**
   * @param maxBytes most bytes that may wait (including a write in progress)
   * @param scheduler whose turns to take; one per event loop is best, and the default is shared
   */
  constructor(
    sink: ByteSink,
    maxBytes: number,
    events: OutboundEvents,
    scheduler: WriteScheduler = sharedScheduler,
  ) {
    this.#sink = sink;
    this.#maxBytes = maxBytes;
    this.#events = events;
    this.#scheduler = scheduler;
  }

  /** Bytes waiting to be written, including a write in progress. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues bytes (which must not change afterwards); they are written at this connection's next turn. */
  push(bytes: Uint8Array): void {
    if (this.#stopped || bytes.length === 0) return;
    const tail = this.#tail;
    if (
      tail !== null && bytes.buffer === tail.buffer &&
      bytes.byteOffset === tail.byteOffset + this.#tailLength
    ) {
      this.#tailLength += bytes.length;
    } else {
      this.#closeTail();
      this.#tail = bytes;
      this.#tailLength = bytes.length;
    }
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes > this.#maxBytes) {
      this.stop();
      this.#events.onOverflow();
      return;
    }
    if (!this.#busy) {
      this.#busy = true;
      this.#scheduler.request(this);
    }
  }

  /** Resolves once everything queued so far is written, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (!this.#busy) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Accepts nothing more and drops what has not been written. */
  stop(): void {
    this.#stopped = true;
    this.#chunks = [];
    this.#tail = null;
    if (!this.#writing) this.#idle();
  }

  /** Writes everything queued, in one write; called by the scheduler. */
  async takeTurn(): Promise<void> {
    this.#closeTail();
    if (this.#stopped || this.#chunks.length === 0) return this.#idle();
    const data = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#writing = true;
    try {
      for (let written = 0; written < data.length;) {
        written += await this.#sink.write(data.subarray(written));
      }
      this.#queuedBytes -= data.length;
    } catch (error) {
      this.stop();
      this.#events.onWriteError(error);
    }
    this.#writing = false;
    // What arrived during the write waits for the next turn, behind everyone else.
    if (!this.#stopped && this.#tail !== null) this.#scheduler.request(this);
    else this.#idle();
  }

  #closeTail(): void {
    const tail = this.#tail;
    if (tail === null) return;
    this.#chunks.push(
      this.#tailLength === tail.length
        ? tail
        : new Uint8Array(tail.buffer, tail.byteOffset, this.#tailLength),
    );
    this.#tail = null;
  }

  #idle(): void {
    this.#busy = false;
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

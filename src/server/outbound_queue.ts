/**
 * The outbound side of one connection: frames are queued without waiting, and
 * everything queued during one turn of the event loop goes out in a single
 * write. The queue is bounded: a peer that stops reading makes it overflow,
 * and the owner disconnects that peer instead of holding its data forever.
 *
 * @module
 */

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

/** A bounded, coalescing write queue for one connection. */
export class OutboundQueue {
  readonly #sink: ByteSink;
  readonly #maxBytes: number;
  readonly #events: OutboundEvents;
  #chunks: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushing = false;
  #stopped = false;
  #drained: Array<() => void> = [];

  /** @param maxBytes most bytes that may wait (including a write in progress) */
  constructor(sink: ByteSink, maxBytes: number, events: OutboundEvents) {
    this.#sink = sink;
    this.#maxBytes = maxBytes;
    this.#events = events;
  }

  /** Bytes waiting to be written, including a write in progress. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues bytes; they are written after the current turn of the event loop. */
  push(bytes: Uint8Array): void {
    if (this.#stopped || bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes > this.#maxBytes) {
      this.stop();
      this.#events.onOverflow();
      return;
    }
    if (!this.#flushing) {
      this.#flushing = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Resolves once everything queued so far is written, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (!this.#flushing) return Promise.resolve();
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
  }

  async #flush(): Promise<void> {
    try {
      while (this.#chunks.length > 0 && !this.#stopped) {
        const data = this.#chunks.length === 1 ? this.#chunks[0] : joinChunks(this.#chunks);
        this.#chunks = [];
        for (let written = 0; written < data.length;) {
          written += await this.#sink.write(data.subarray(written));
        }
        this.#queuedBytes -= data.length;
      }
    } catch (error) {
      this.stop();
      this.#events.onWriteError(error);
    } finally {
      this.#flushing = false;
      for (const resolve of this.#drained.splice(0)) resolve();
    }
  }
}

function joinChunks(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/**
 * The server's log output, written so that it can never stop the room. A
 * `console.log` is a synchronous write: when nobody reads the server's
 * standard output (`chat serve | slow-thing`, a terminal paused with Ctrl-S,
 * a stuck journal) it blocks the one thread every member depends on. A
 * {@linkcode LogWriter} instead keeps lines in a bounded buffer and writes
 * them asynchronously; when the buffer is full, new lines are dropped and
 * counted, and once the output moves again it says how many were lost.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** Where log bytes go: `Deno.stdout`, `Deno.stderr`, or any writer like them. */
export interface LogSink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Settings of a {@linkcode LogWriter}. */
export interface LogWriterOptions {
  /** Most bytes kept waiting for the output; lines beyond it are dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** The line written after `count` lines were dropped (for a timestamp, say). */
  droppedLine?: (count: number) => string;
}

const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/** "12 log lines were dropped because the output was not being read." */
export function describeDrops(count: number): string {
  const lines = count === 1 ? "1 log line was" : `${count} log lines were`;
  return `${lines} dropped because the output was not being read.`;
}

/** A log that buffers lines (up to a bound) and writes them without blocking its caller. */
export class LogWriter {
  readonly #sink: LogSink;
  readonly #maxBytes: number;
  readonly #droppedLine: (count: number) => string;
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  #dropped = 0;
  #writing: Promise<void> | undefined;
  /** The output failed for good (its reader went away): everything after is dropped. */
  #broken = false;

  constructor(sink: LogSink, options: LogWriterOptions = {}) {
    this.#sink = sink;
    this.#maxBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#droppedLine = options.droppedLine ?? describeDrops;
  }

  /** Lines dropped so far and not yet reported. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues `text` (a newline is added) and returns at once; drops it when the buffer is full. */
  line(text: string): void {
    if (this.#broken) return;
    const bytes = encoder.encode(text + "\n");
    if (this.#waitingBytes + bytes.length > this.#maxBytes) {
      this.#dropped++;
      return;
    }
    this.#waiting.push(bytes);
    this.#waitingBytes += bytes.length;
    this.#writing ??= this.#drain();
  }

  /**
   * Resolves once everything queued is written, or after `timeoutMs`
   * (an output nobody reads must not keep the server from exiting).
   */
  async flush(timeoutMs: number): Promise<void> {
    if (this.#writing === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    await Promise.race([this.#writing, timeout]);
    clearTimeout(timer);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = Buffer.concat(this.#waiting, this.#waitingBytes);
        this.#waiting = [];
        this.#waitingBytes = 0;
        await this.#writeAll(batch);
        if (this.#waiting.length === 0 && this.#dropped > 0) {
          // The output moves again: say what it missed, as the next line.
          const note = encoder.encode(this.#droppedLine(this.#dropped) + "\n");
          this.#dropped = 0;
          this.#waiting.push(note);
          this.#waitingBytes += note.length;
        }
      }
    } catch {
      // The reader is gone (a closed pipe): there is nowhere left to log to.
      this.#broken = true;
      this.#waiting = [];
      this.#waitingBytes = 0;
    } finally {
      this.#writing = undefined;
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      written += await this.#sink.write(bytes.subarray(written));
    }
  }
}

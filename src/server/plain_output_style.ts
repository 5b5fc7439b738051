/**
 * How a plain-text client gets its output. `nc` and telnet send lines and
 * read a stream: they get CRLF-terminated lines, as many as fit in a write.
 * Simpler socket clients — like the Tk client of the school project this
 * grew from — send one message per write without a newline, and show every
 * read (up to 1024 bytes) as one row. A client that has only ever sent such
 * newline-less writes gets, instead, one event per write: no line endings,
 * never more than 1024 bytes (so a read never splits a UTF-8 character), a
 * message of several lines on one row with a visible separator, and a short
 * history on joining.
 *
 * @example
 * ```ts
 * const style = new PlainOutputStyle();
 * style.noteLine(false);  // "alice" arrived without a newline
 * style.perWrite;         // true
 * style.frameEvents(record); // one write: "[14:02] bob: hi"
 * ```
 *
 * @module
 */

import type { ServerFrame } from "../protocol/frames.ts";
import { renderEarlier, renderPlain } from "../text/plain_format.ts";

/** Largest write for a newline-less client: the read size such clients use. */
export const MAX_EVENT_BYTES = 1024;
/** Earlier messages a newline-less client is shown on joining. */
export const SHORT_HISTORY = 10;
/** Shown between the lines of a message of several lines, kept on one row. */
const LINE_SEPARATOR = " ↵ ";

const utf8 = new TextEncoder();

/** Which output a plain-text client gets, learnt from how it sends. */
export class PlainOutputStyle {
  #sawNewline = false;
  #sawNewlineLess = false;

  /** @param linkBase `http://ADDRESS:PORT` the client reached us at, for whole file links */
  constructor(readonly linkBase = "") {}

  /** Notes one input line: `terminated` when it ended with a newline, false when a pause ended it. */
  noteLine(terminated: boolean): void {
    if (terminated) this.#sawNewline = true;
    else this.#sawNewlineLess = true;
  }

  /** True for a client that has only ever sent newline-less writes: one event per write. */
  get perWrite(): boolean {
    return this.#sawNewlineLess && !this.#sawNewline;
  }

  /** A frame as events, one write each, for a newline-less client. */
  frameEvents(frame: ServerFrame): Uint8Array[] {
    const base = this.linkBase;
    if (frame.type !== "welcome") return toWrites([oneRow(renderPlain(frame, base))]);
    const history = frame.history.slice(-SHORT_HISTORY);
    const earlier = renderEarlier(history);
    const rows = [
      ...renderPlain({ ...frame, history: [] }),
      ...(history.length === 0 ? [] : [
        earlier[0],
        ...history.map((record) => oneRow(renderPlain(record, base))),
        earlier.at(-1)!,
      ]),
    ];
    return toWrites(rows);
  }

  /** CRLF-separated text (greeting, prompts) as events, one line each. */
  textEvents(text: string): Uint8Array[] {
    return toWrites(text.split("\r\n").filter((line) => line !== ""));
  }
}

/** The lines of one event on one row: continuation lines lose their indent and get a separator. */
function oneRow(lines: string[]): string {
  return lines.map((line, i) => i === 0 ? line : line.trimStart()).join(LINE_SEPARATOR);
}

/** Rows as writes of at most {@linkcode MAX_EVENT_BYTES}, a long row cut between characters. */
function toWrites(rows: string[]): Uint8Array[] {
  const writes: Uint8Array[] = [];
  for (const row of rows) {
    let part = "";
    let partBytes = 0;
    for (const char of row) {
      const bytes = utf8.encode(char).length;
      if (partBytes + bytes > MAX_EVENT_BYTES) {
        writes.push(utf8.encode(part));
        part = "";
        partBytes = 0;
      }
      part += char;
      partBytes += bytes;
    }
    if (part !== "") writes.push(utf8.encode(part));
  }
  return writes;
}

/** The part of the session's outbound queue an {@linkcode EventWriter} uses. */
export interface EventQueue {
  push(bytes: Uint8Array): void;
  drain(timeoutMs: number): Promise<void>;
}

/** Longest wait for one event to be written before the next is queued behind it anyway. */
const EVENT_WRITE_WAIT_MS = 5000;
/**
 * Pause between two events. TCP may still join writes on the way; a short
 * gap lets a reader that reads as soon as data arrives get them one by one.
 */
const EVENT_GAP_MS = 10;

/**
 * Writes events one write at a time: the next goes to the queue only when
 * the previous one was written, so the queue never joins two into one write.
 */
export class EventWriter {
  readonly #queue: EventQueue;
  readonly #maxBytes: number;
  readonly #onOverflow: () => void;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pumping = false;

  /** @param maxBytes most bytes waiting before `onOverflow` (a client that stopped reading) */
  constructor(queue: EventQueue, maxBytes: number, onOverflow: () => void) {
    this.#queue = queue;
    this.#maxBytes = maxBytes;
    this.#onOverflow = onOverflow;
  }

  /** Queues events, in order. */
  push(events: Uint8Array[]): void {
    for (const event of events) {
      this.#pending.push(event);
      this.#pendingBytes += event.length;
    }
    if (this.#pendingBytes > this.#maxBytes) {
      this.#pending = [];
      return this.#onOverflow();
    }
    if (!this.#pumping) void this.#pump();
  }

  /** Hands everything still waiting to the queue at once: the session is closing. */
  flush(): void {
    for (const event of this.#pending.splice(0)) this.#queue.push(event);
    this.#pendingBytes = 0;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#pending.length > 0) {
      const event = this.#pending.shift()!;
      this.#pendingBytes -= event.length;
      this.#queue.push(event);
      await this.#queue.drain(EVENT_WRITE_WAIT_MS);
      if (this.#pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, EVENT_GAP_MS));
      }
    }
    this.#pumping = false;
  }
}

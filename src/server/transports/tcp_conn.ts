/**
 * The TCP (and TLS) transport: turns a byte stream into a
 * {@linkcode FrameConn}. It splits lines, sizes its read buffer to the
 * traffic, tells the peer's dialect from its first line (a JSON object, or
 * text typed by a person), greets a silent peer, turns a plain-text peer's
 * unfinished line into a line after a short pause, marks lines that arrive
 * together as a paste — and notices when the first line is an HTTP request
 * line, to hand the connection, with the bytes already read, to the web
 * front.
 *
 * @module
 */

import { looksStructured } from "../../protocol/codec.ts";
import type { Limits } from "../../protocol/limits.ts";
import { LineDecoder } from "../../protocol/line_decoder.ts";
import type { Outgoing } from "../outgoing.ts";
import { PlainOutputStyle } from "../plain_output_style.ts";
import type { Dialect, FrameConn, FrameEvents, Peer, ReceiveEnd } from "./frame_conn.ts";
import { Buffer } from "node:buffer";

/** The raw connection; `Deno.TcpConn` and `Deno.TlsConn` fit. */
export interface ByteConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/** Settings of a {@linkcode TcpFrameConn}. */
export interface TcpConnOptions {
  limits: Limits;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /**
   * Takes a connection whose first line is an HTTP request line, with the
   * bytes read so far. Without it, such a connection is a plain-text peer.
   */
  handOver?: (conn: ByteConn, firstBytes: Uint8Array) => void;
  /**
   * Asked when the greeting is due: more milliseconds to wait before it (for
   * connections that may be a browser's, opened ahead of time), or 0.
   */
  greetLater?: () => number;
  /**
   * `http://ADDRESS:PORT` as the peer reached us: plain-text peers see file
   * links whole, at an address they can reach.
   */
  linkBase?: string;
}

const SMALLEST_READ = 256;
const LARGEST_READ = 64 * 1024;
/**
 * A plain-text client's lines are a paste when they arrive together: in one
 * read, or in reads this close to each other (a paste larger than the read
 * buffer arrives in several).
 */
const PASTE_WINDOW_MS = 20;
/**
 * `METHOD /target HTTP/1.x`: no chat name contains a space and no frame
 * starts with a capital letter, so this line is never chat.
 */
const HTTP_REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/1\.[01]$/;

/** A TCP or TLS connection speaking JSON lines or plain text. */
export class TcpFrameConn implements FrameConn {
  readonly peer: Peer;
  readonly #conn: ByteConn;
  readonly #options: TcpConnOptions;
  readonly #now: () => number;
  readonly #decoder: LineDecoder;
  #dialect: Dialect | undefined;
  /** Learns from how a plain-text peer sends whether it reads a stream or one event per write. */
  readonly #style: PlainOutputStyle;
  /** Bytes read before the first line ended, kept for a hand-over to the web front. */
  #firstBytes: Uint8Array[] | undefined = [];
  #events: FrameEvents | undefined;
  #lastHeardAt: number;
  #greetingTimer: ReturnType<typeof setTimeout> | undefined;
  #partialTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #handedOver = false;
  #greetingPostponed = false;
  /** A line went over the limit: nothing more is read. */
  #overflowed = false;

  /** Wraps an accepted connection from `peer`. */
  constructor(conn: ByteConn, peer: Peer, options: TcpConnOptions) {
    this.#conn = conn;
    this.peer = peer;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#lastHeardAt = this.#now();
    this.#decoder = new LineDecoder(options.limits.maxLineBytes);
    this.#style = new PlainOutputStyle(options.linkBase);
  }

  get dialect(): Dialect | undefined {
    return this.#dialect;
  }

  async receive(events: FrameEvents): Promise<ReceiveEnd> {
    this.#events = events;
    const delay = this.#options.limits.greetingDelayMs;
    this.#greetingTimer = setTimeout(() => this.#silent(), delay);
    let buffer = new Uint8Array(SMALLEST_READ);
    try {
      while (!this.#closed) {
        let count: number | null;
        try {
          count = await this.#conn.read(buffer);
        } catch {
          return this.#closed ? "closed" : "lost";
        }
        if (this.#closed) return "closed";
        if (count === null) {
          this.#flushPartialLine();
          return "closed";
        }
        this.#receive(buffer.subarray(0, count));
        if (this.#handedOver) return "handed-over";
        if (this.#overflowed) return "closed";
        // Idle connections keep a small buffer; busy ones get a bigger one.
        if (count === buffer.length && buffer.length < LARGEST_READ) {
          buffer = new Uint8Array(buffer.length * 2);
        } else if (count < SMALLEST_READ && buffer.length > SMALLEST_READ) {
          buffer = new Uint8Array(SMALLEST_READ);
        }
      }
      return "closed";
    } finally {
      this.#stopTimers();
    }
  }

  encode(out: Outgoing): Uint8Array {
    return this.#dialect === "json" ? out.json : out.plainAt(this.#options.linkBase);
  }

  get perWriteStyle(): PlainOutputStyle | undefined {
    return this.#dialect === "plain" && this.#style.perWrite ? this.#style : undefined;
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#conn.write(bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    if (this.#handedOver) return; // the web front owns the connection now
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or the runtime.
    }
  }

  #receive(chunk: Uint8Array): void {
    const now = this.#now();
    const pasting = this.#dialect !== "json" && now - this.#lastHeardAt < PASTE_WINDOW_MS;
    this.#lastHeardAt = now;
    clearTimeout(this.#partialTimer);
    this.#partialTimer = undefined; // an idle connection holds no timer
    this.#firstBytes?.push(chunk.slice());
    const { lines, overflow } = this.#decoder.push(chunk);
    if (lines.length > 0 && this.#dialect === undefined && this.#handOverHttp(lines[0])) return;
    for (let i = 0; i < lines.length && !this.#closed; i++) {
      // Lines that arrive together from a plain-text client are a paste.
      this.#frame(lines[i], (i > 0 || pasting) && this.#dialect !== "json", true);
    }
    if (this.#closed) return;
    if (overflow) {
      this.#overflowed = true;
      this.#events?.tooLong();
      return;
    }
    // Some simple clients send one message per write without a newline: after
    // a short silence, their unfinished line counts as a line.
    if (this.#dialect !== "json" && this.#decoder.pendingBytes > 0) {
      this.#partialTimer = setTimeout(
        () => this.#flushPartialLine(),
        this.#options.limits.partialLineMs,
      );
    }
  }

  /** Hands the connection to the web front when `firstLine` is an HTTP request line. */
  #handOverHttp(firstLine: string): boolean {
    const handOver = this.#options.handOver;
    if (!handOver || !HTTP_REQUEST_LINE.test(firstLine)) return false;
    const bytes = Buffer.concat(this.#firstBytes ?? []);
    this.#firstBytes = undefined;
    this.#handedOver = true;
    this.close();
    handOver(this.#conn, bytes);
    return true;
  }

  /**
   * Passes one line on; the first one decides the dialect. `terminated`: it
   * ended with a newline (false: a pause ended it).
   */
  #frame(line: string, pasted: boolean, terminated: boolean): void {
    if (this.#dialect === undefined) {
      this.#dialect = looksStructured(line) ? "json" : "plain";
      this.#firstBytes = undefined;
      clearTimeout(this.#greetingTimer);
      this.#greetingTimer = undefined;
    }
    if (this.#dialect === "plain") this.#style.noteLine(terminated);
    this.#events?.frame(line, pasted);
  }

  #flushPartialLine(): void {
    if (this.#dialect === "json" || this.#closed) return;
    const line = this.#decoder.flushPartial();
    if (line !== null) this.#frame(line, false, false);
  }

  #silent(): void {
    this.#greetingTimer = undefined;
    if (this.#closed || this.#dialect !== undefined) return;
    const later = this.#greetingPostponed ? 0 : this.#options.greetLater?.() ?? 0;
    if (later > 0) {
      this.#greetingPostponed = true;
      this.#greetingTimer = setTimeout(() => this.#silent(), later);
      return;
    }
    this.#events?.silent();
  }

  #stopTimers(): void {
    clearTimeout(this.#greetingTimer);
    clearTimeout(this.#partialTimer);
    this.#greetingTimer = this.#partialTimer = undefined;
  }
}

/**
 * The seam between transports and sessions. A transport (TCP, TLS,
 * WebSocket) turns its connection into a {@linkcode FrameConn}: messages in,
 * bytes out, close, the peer's address. Framing, read buffers and dialect
 * sniffing live in the transport; a session only ever sees whole messages and
 * never learns which transport carries them.
 *
 * @module
 */

import type { Outgoing } from "../outgoing.ts";
import type { PlainOutputStyle } from "../plain_output_style.ts";

/**
 * How a peer talks: `json` — one JSON frame per message (our clients, the
 * browser page); `plain` — lines of text typed by a person (`nc`, `telnet`).
 */
export type Dialect = "json" | "plain";

/** What a transport reports to its session while the peer is connected. */
export interface FrameEvents {
  /**
   * One message from the peer (a line, or a WebSocket text message), without
   * its line ending. `pasted`: it arrived together with others from a
   * plain-text peer (a paste costs less than typing, see flood_guard.ts).
   */
  frame(text: string, pasted: boolean): void;
  /** A peer that has said nothing yet is waiting to be spoken to: greet it in plain text. */
  silent(): void;
  /** The peer sent a message over the line-length limit; nothing more is read. */
  tooLong(): void;
}

/**
 * How receiving ended: `closed` — the peer ended the connection; `lost` — it
 * failed; `handed-over` — it was not a chat connection and went elsewhere
 * (an HTTP request to the web front): the session ends without a word.
 */
export type ReceiveEnd = "closed" | "lost" | "handed-over";

/** The peer's address. */
export interface Peer {
  /** IP address, for bans and per-address limits. */
  address: string;
  port: number;
}

/** A message-oriented connection, as a session needs it. */
export interface FrameConn {
  readonly peer: Peer;
  /** The peer's dialect, once known (WebSocket peers are `json` from the start). */
  readonly dialect: Dialect | undefined;
  /** Reports the peer's input to `events` until the connection ends or is closed. Never throws. */
  receive(events: FrameEvents): Promise<ReceiveEnd>;
  /** The bytes of one outgoing frame in this connection's wire format. */
  encode(out: Outgoing): Uint8Array;
  /**
   * Set for a peer that takes one event per write instead of a stream (a
   * plain-text client that has only ever sent newline-less writes): the style
   * that cuts frames and text into such events, each to be written on its own.
   */
  readonly perWriteStyle?: PlainOutputStyle;
  /** Writes encoded frames (one or more, as encoded by {@linkcode encode}); rejects when the peer is gone. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection; pending `receive` resolves. Safe to call twice. */
  close(): void;
}

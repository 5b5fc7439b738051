/**
 * The WebSocket transport: one JSON frame per text message, both ways (the
 * browser page's dialect). Messages over the line-length limit end the
 * connection like an over-long line on TCP; writes resolve when the bytes
 * reach the socket, so the session's bounded queue sees a slow browser as it
 * sees a slow TCP peer.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Sender } from "ws";
import type { Outgoing } from "../outgoing.ts";
import type { Dialect, FrameConn, FrameEvents, Peer, ReceiveEnd } from "./frame_conn.ts";

/** The parts of a `ws` WebSocket this transport uses (the package ships no types). */
export interface WsSocket {
  on(event: "message", listener: (data: Uint8Array | Uint8Array[] | ArrayBuffer) => void): void;
  on(event: "close" | "error", listener: () => void): void;
  send(data: Uint8Array, options: { binary: boolean }, sent: (error?: Error) => void): void;
  close(code?: number): void;
  terminate(): void;
  pause(): void;
}

/** The connection under the WebSocket, where whole frames are written. */
export interface FrameSink {
  write(bytes: Uint8Array, done: (error?: Error | null) => void): void;
}

/** An unmasked, final text frame (what a server sends), as `ws` builds it. */
const TEXT_FRAME = { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false };
const NEWLINE = 0x0a;
const utf8 = new TextDecoder();
/** How long a closing handshake may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;

/** A WebSocket connection from the browser page. */
export class WebSocketFrameConn implements FrameConn {
  readonly peer: Peer;
  readonly dialect: Dialect = "json";
  readonly #socket: WsSocket;
  readonly #sink: FrameSink;
  readonly #maxMessageBytes: number;
  #closed = false;

  /**
   * Wraps an open WebSocket from `peer`, whose frames go to `sink` (the
   * connection under it); messages over `maxMessageBytes` end it.
   */
  constructor(socket: WsSocket, sink: FrameSink, peer: Peer, maxMessageBytes: number) {
    this.#socket = socket;
    this.#sink = sink;
    this.peer = peer;
    this.#maxMessageBytes = maxMessageBytes;
  }

  receive(events: FrameEvents): Promise<ReceiveEnd> {
    return new Promise((resolve) => {
      const socket = this.#socket;
      socket.on("message", (data: Uint8Array | Uint8Array[] | ArrayBuffer) => {
        if (this.#closed) return;
        const bytes = data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : Array.isArray(data)
          ? Buffer.concat(data)
          : data;
        if (bytes.length > this.#maxMessageBytes) {
          socket.pause();
          return events.tooLong();
        }
        events.frame(utf8.decode(bytes), false);
      });
      socket.on("close", () => resolve("closed"));
      socket.on("error", () => resolve(this.#closed ? "closed" : "lost"));
    });
  }

  encode(out: Outgoing): Uint8Array {
    return out.json;
  }

  /**
   * Sends each JSON line of `bytes` as one text message. The frames (built by
   * `ws`) of everything queued go to the connection in one write: a member
   * that gets a burst of broadcasts costs one write, as on TCP.
   */
  write(bytes: Uint8Array): Promise<number> {
    const frames: Uint8Array[] = [];
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end === -1) end = bytes.length;
      if (end > start) frames.push(...Sender.frame(bytes.subarray(start, end), TEXT_FRAME));
      start = end + 1;
    }
    return new Promise((resolve, reject) => {
      this.#sink.write(
        Buffer.concat(frames),
        (error) => error ? reject(error) : resolve(bytes.length),
      );
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close(1000);
    } catch {
      // Already closed.
    }
    // A peer that does not answer the closing handshake is dropped.
    const grace = setTimeout(() => this.#socket.terminate(), CLOSE_GRACE_MS);
    this.#socket.on("close", () => clearTimeout(grace));
  }
}

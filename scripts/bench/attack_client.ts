/**
 * A hostile client for the attack scenario: a raw TCP connection to the
 * server on 127.0.0.1, made from a chosen loopback source address (so that
 * attackers look like many computers, the way a botnet or an IPv6 /64 does,
 * while the good members keep 127.0.0.1), reading the server's JSON lines.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { encodeFrame } from "../../src/protocol/codec.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";

/** A frame from the server, loosely typed: attackers only look at a few fields. */
export type AnyFrame = { type: string; [field: string]: unknown };

const LONGEST_LINE = 1 << 22;

/** One attacking connection. */
export class AttackConnection {
  readonly #socket: Socket;
  readonly #decoder = new LineDecoder(LONGEST_LINE);
  readonly #frames: AnyFrame[] = [];
  #wake: (() => void) | null = null;
  /** True once the connection has ended, whoever ended it. */
  closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      for (const line of this.#decoder.push(chunk).lines) {
        try {
          this.#frames.push(JSON.parse(line));
        } catch {
          // Not JSON (a plain-text greeting): attackers speak JSON only.
        }
      }
      this.#notify();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.#notify();
    });
  }

  /**
   * Connects to 127.0.0.1:`port` from `source`; `null` when the connection
   * is refused or not made within `timeoutMs`.
   */
  static open(port: number, source: string, timeoutMs: number): Promise<AttackConnection | null> {
    return new Promise((resolve) => {
      const socket = connect({ port, host: "127.0.0.1", localAddress: source });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(null);
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new AttackConnection(socket));
      });
      socket.once("error", () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
  }

  /** Sends a frame; a write to a closed connection is dropped. */
  send(frame: ClientFrame): void {
    this.write(encodeFrame(frame));
  }

  /** Writes raw text (a partial line, for a half-open handshake). */
  write(text: string): void {
    if (!this.closed) this.#socket.write(text);
  }

  /** Sends the hello a structured client opens with. */
  hello(name: string, password?: string): void {
    this.send({
      type: "hello",
      version: PROTOCOL_VERSION,
      name,
      ...(password === undefined ? {} : { password }),
    });
  }

  /**
   * The next frame `accept` takes (earlier ones are dropped), or `null` when
   * the connection ends or `timeoutMs` passes first.
   */
  async next(accept: (frame: AnyFrame) => boolean, timeoutMs: number): Promise<AnyFrame | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.#frames.length > 0) {
        const frame = this.#frames.shift()!;
        if (accept(frame)) return frame;
      }
      const left = deadline - performance.now();
      if (this.closed || left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Frames received and not yet taken by {@linkcode next}, emptied. */
  drain(): AnyFrame[] {
    return this.#frames.splice(0);
  }

  /** Ends the connection at once. */
  close(): void {
    this.#socket.destroy();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Loopback source addresses for `count` attacking computers, the `skip`
 * first ones left out (each attack takes fresh ones): 127.0.0.2 and up on
 * Linux, where the whole 127.0.0.0/8 reaches the loopback interface;
 * elsewhere only 127.0.0.1 is sure to exist, so every attacker shares it.
 */
export function attackSources(count: number, skip = 0): string[] {
  if (Deno.build.os !== "linux") return ["127.0.0.1"];
  return Array.from({ length: count }, (_, i) => {
    const n = skip + i + 2;
    return `127.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
  });
}

/**
 * A WebSocket chat client for tests, as the browser page talks: one JSON
 * frame per text message, the page's own origin in `Origin`.
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import type { AnyFrame } from "./line_client.ts";

/** One WebSocket connection to a chat server on 127.0.0.1. */
export class WsClient {
  readonly frames: AnyFrame[] = [];
  readonly #socket: WebSocket;
  #waiter: (() => void) | undefined;
  #closed = false;
  /** Resolves when the socket has closed. */
  readonly ended: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.frames.push(JSON.parse(String(event.data)));
      this.#waiter?.();
    };
    this.ended = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        this.#closed = true;
        this.#waiter?.();
        resolve();
      });
    });
  }

  /** Opens `ws://127.0.0.1:PORT/ws` with `origin` (the page's own by default). */
  static open(port: number, headers: Record<string, string> = {}): Promise<WsClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { origin: `http://127.0.0.1:${port}`, ...headers },
    } as unknown as string[]);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new WsClient(socket));
      socket.onerror = () => reject(new Error("the WebSocket was refused"));
    });
  }

  /** Opens a socket and says hello as `name`; resolves with the client and the answer. */
  static async join(port: number, name: string, extra: Record<string, unknown> = {}) {
    const client = await WsClient.open(port);
    client.send({ type: "hello", version: PROTOCOL_VERSION, name, ...extra });
    const answer = await client.next((f) => ["welcome", "error", "bye"].includes(f.type));
    return { client, answer };
  }

  /** Sends one frame as one text message. */
  send(frame: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(frame));
  }

  /** Sends raw text as one message. */
  sendText(text: string): void {
    this.#socket.send(text);
  }

  /** The next frame matching `accept` (frames before it are skipped). */
  async next(accept: (frame: AnyFrame) => boolean, timeoutMs = 5000): Promise<AnyFrame> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const at = this.frames.findIndex(accept);
      if (at !== -1) return this.frames.splice(0, at + 1).at(-1)!;
      if (this.#closed) throw new Error(`closed; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`nothing matched in ${timeoutMs} ms: ${JSON.stringify(this.frames)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits until the server closes the socket. */
  async waitForClose(timeoutMs = 5000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.ended,
      new Promise((_, reject) =>
        timer = setTimeout(() => reject(new Error("not closed")), timeoutMs)
      ),
    ]).finally(() => clearTimeout(timer));
  }

  close(): void {
    if (!this.#closed) this.#socket.close();
  }
}

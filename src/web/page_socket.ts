/**
 * The page's connection to the server: a WebSocket at `/ws` on the page's
 * own origin, one structured-protocol frame per message, kept alive —
 * reconnecting with backoff when it drops, at once when the network or the
 * tab comes back, and replacing a socket that stopped answering (a phone
 * that slept). What the frames mean is the page's business: it gets them
 * through {@linkcode PageSocketEvents}.
 *
 * @module
 */

import { parseServerFrame } from "../protocol/codec.ts";
import type { ClientFrame, ServerFrame } from "../protocol/frames.ts";
import { reconnectDelay } from "./backoff.ts";

/** How long a woken tab waits for an answer to its ping before it reconnects. */
const PROBE_MS = 5000;
/** How often the page pings a quiet server, so a dead connection is noticed. */
const KEEPALIVE_MS = 25_000;

/** What the connection tells the page. */
export interface PageSocketEvents {
  /** The first frame of each new connection. */
  hello(): ClientFrame;
  /** A frame from the server. */
  frame(frame: ServerFrame): void;
  /** A new connection is being opened. */
  connecting(): void;
  /** The connection ended (`wasJoined`: it had been welcomed); a reconnect follows unless stopped. */
  lost(wasJoined: boolean): void;
  /** Waiting to try again, with the sentence to show. */
  waiting(text: string): void;
}

/** One connection at a time, reconnecting until {@linkcode PageSocket.stop}. */
export class PageSocket {
  /** A welcome arrived on the current socket. */
  joined = false;
  /** The person left or the server ended the session for good: no reconnecting. */
  stopped = true;
  #events: PageSocketEvents;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #reconnectTimer: number | undefined;
  #keepaliveTimer: number | undefined;
  #lastHeard = 0;

  constructor(events: PageSocketEvents) {
    this.#events = events;
    globalThis.addEventListener("online", () => this.wakeUp());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.wakeUp();
    });
  }

  /** True when a socket is open (welcomed or not). */
  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a frame when connected (dropped otherwise: the next hello says where we are). */
  send(frame: ClientFrame): void {
    if (this.open) this.#socket!.send(JSON.stringify(frame));
  }

  /** Connects (again), unless stopped or already connecting. */
  connect(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.stopped || (this.#socket && this.#socket.readyState <= WebSocket.OPEN)) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    this.#socket = ws;
    this.joined = false;
    this.#events.connecting();
    ws.onopen = () => {
      this.#lastHeard = Date.now();
      this.send(this.#events.hello());
    };
    ws.onmessage = (event) => {
      if (ws !== this.#socket || typeof event.data !== "string") return;
      this.#lastHeard = Date.now();
      const frame = parseServerFrame(event.data);
      if (frame) this.#events.frame(frame);
    };
    ws.onclose = () => {
      if (ws !== this.#socket) return;
      this.#socket = undefined;
      this.#ended();
      if (!this.stopped) this.#scheduleReconnect();
    };
  }

  /** Connects now, as if for the first time (the person asked). */
  retryNow(): void {
    this.stopped = false;
    this.#attempt = 0;
    this.connect();
  }

  /** The server welcomed us: start the keep-alive, and count retries afresh. */
  welcomed(): void {
    this.joined = true;
    this.#attempt = 0;
    clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = setInterval(() => {
      const quiet = Date.now() - this.#lastHeard;
      if (quiet > 2 * KEEPALIVE_MS + PROBE_MS) this.#replaceDeadSocket();
      else if (quiet > KEEPALIVE_MS) this.send({ type: "ping", data: String(Date.now()) });
    }, KEEPALIVE_MS);
  }

  /** No more reconnecting (the person left, or the server ended the session); closes with `close`. */
  stop(close = false): void {
    this.stopped = true;
    if (close) this.#socket?.close();
  }

  /** Reconnects now when waiting for a retry; checks a possibly dead socket after sleep. */
  wakeUp(): void {
    if (this.stopped) return;
    if (this.#reconnectTimer !== undefined) {
      this.#attempt = 0;
      this.connect();
    } else if (this.open) {
      const asked = Date.now();
      this.send({ type: "ping", data: String(asked) });
      setTimeout(() => {
        if (this.open && this.#lastHeard < asked) this.#replaceDeadSocket();
      }, PROBE_MS);
    }
  }

  #ended(): void {
    const wasJoined = this.joined;
    this.joined = false;
    clearInterval(this.#keepaliveTimer);
    this.#events.lost(wasJoined);
  }

  #scheduleReconnect(): void {
    const delay = reconnectDelay(this.#attempt++);
    const seconds = Math.max(1, Math.round(delay / 1000));
    this.#events.waiting(
      navigator.onLine === false
        ? "Offline. Reconnecting when the network is back…"
        : `Not connected. Trying again in ${seconds} s…`,
    );
    this.#reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Gives up on a socket that stopped answering (a phone that slept, a dropped network). */
  #replaceDeadSocket(): void {
    const dead = this.#socket;
    this.#socket = undefined;
    this.#ended();
    dead?.close();
    this.connect();
  }
}

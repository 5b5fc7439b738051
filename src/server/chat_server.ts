/**
 * The listener: accepts TCP connections, gives each a {@linkcode Session} in
 * the one {@linkcode Room}, ticks their timers, and shuts everything down
 * cleanly. Errors on one connection never reach the accept loop.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { DEFAULT_LIMITS, type Limits } from "../protocol/limits.ts";
import { type HistoryStore, MemoryHistory } from "./history.ts";
import { renderPlain } from "../text/plain_format.ts";
import { Room } from "./room.ts";
import { Session } from "./session.ts";

/** Settings of a {@linkcode ChatServer}. */
export interface ChatServerOptions {
  /** Address to bind, e.g. `0.0.0.0`, `::` or `127.0.0.1`. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  limits?: Partial<Limits>;
  /** Where records are kept; defaults to memory. */
  history?: HistoryStore;
  /** Records a newcomer sees. */
  historyOnJoin?: number;
  motd?: string;
  /** Receives one line per event worth an operator's attention. Defaults to nothing. */
  log?: (line: string) => void;
  /** Also log every public message (the operator's console shows the room). */
  logMessages?: boolean;
}

const TICK_MS = 1000;
const SHUTDOWN_FLUSH_MS = 2000;

/** A running chat server. */
export class ChatServer {
  /** The room every connection joins. */
  readonly room: Room;
  readonly limits: Limits;
  readonly #listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  readonly #sessions = new Set<Session>();
  readonly #log: (line: string) => void;
  readonly #history: HistoryStore;
  readonly #ticker: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  #stopping = false;

  /** Binds the port (throws `Deno.errors.AddrInUse` and friends) and starts accepting. */
  constructor(options: ChatServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#log = options.log ?? (() => {});
    this.#history = options.history ?? new MemoryHistory(1000);
    this.room = new Room({
      history: this.#history,
      historyOnJoin: options.historyOnJoin ?? 50,
      catchUpLimit: 1000,
      clientLimits: {
        maxMessageChars: this.limits.maxMessageChars,
        maxLineBytes: this.limits.maxLineBytes,
      },
      motd: options.motd,
      onRecord: (record) => this.#logRecord(record, options.logMessages ?? false),
    });
    this.#listener = Deno.listen({ hostname: options.hostname, port: options.port });
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#accepting = this.#acceptLoop();
  }

  /** The address actually bound (with the real port when 0 was asked for). */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** Connections currently open, joined or not. */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Resolves when the server has stopped accepting (after {@linkcode shutdown}). */
  get finished(): Promise<void> {
    return this.#accepting;
  }

  /**
   * Stops accepting, tells every client the server is going away, gives their
   * queues a moment to drain, closes every connection and the history store.
   */
  async shutdown(message = "The server is shutting down. Goodbye!"): Promise<void> {
    if (this.#stopping) return this.#accepting;
    this.#stopping = true;
    clearInterval(this.#ticker);
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    const goodbyes = [...this.#sessions].map((session) => session.shutdown(message));
    await Promise.race([
      Promise.all(goodbyes),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS + 500)),
    ]);
    await this.#accepting;
    this.#history.close();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping || error instanceof Deno.errors.BadResource) return;
        // Out of file descriptors and similar: wait a little, keep serving.
        this.#log(`Could not accept a connection: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      this.#start(conn);
    }
  }

  #start(conn: Deno.TcpConn): void {
    try {
      conn.setNoDelay(true);
      conn.setKeepAlive(true);
    } catch {
      // The peer may already be gone; the session will notice.
    }
    const { hostname, port } = conn.remoteAddr;
    const remote = hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
    const session = new Session(conn, remote, {
      room: this.room,
      limits: this.limits,
      log: this.#log,
    });
    this.#sessions.add(session);
    session.run().finally(() => this.#sessions.delete(session));
  }

  #tick(): void {
    const now = Date.now();
    for (const session of this.#sessions) session.tick(now);
  }

  #logRecord(record: RoomRecord, logMessages: boolean): void {
    if (record.type === "private") return;
    if (record.type === "message" && !logMessages) return;
    for (const line of renderPlain(record)) this.#log(line);
  }
}

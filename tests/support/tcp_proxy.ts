/**
 * A TCP proxy on 127.0.0.1 for tests that need a connection to drop while
 * the server stays up: `cut()` closes every connection passing through it,
 * and while `refusing` is set new connections are closed as soon as they
 * arrive, as if the network were down. While `stallAfter` is set, each
 * connection forwards at most that many bytes from its client and then
 * waits, open, until it is cleared: an upload stuck midway.
 *
 * @module
 */

/** Forwards 127.0.0.1:`port` to 127.0.0.1:`targetPort`. */
export class TcpProxy {
  readonly #listener: Deno.Listener;
  readonly #targetPort: number;
  readonly #open = new Set<Deno.Conn>();
  readonly #accepting: Promise<void>;
  /** While true, new connections are closed at once. */
  refusing = false;
  #stallAfter: number | undefined;
  /** Resolves when `stallAfter` is cleared. */
  #unstalled: PromiseWithResolvers<void> = Promise.withResolvers();

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#acceptLoop();
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Bytes a connection forwards from its client before it stalls; undefined: no stalling. */
  set stallAfter(bytes: number | undefined) {
    this.#stallAfter = bytes;
    if (bytes === undefined) {
      this.#unstalled.resolve();
      this.#unstalled = Promise.withResolvers();
    }
  }

  /** Closes every connection currently passing through. */
  cut(): void {
    for (const conn of this.#open) close(conn);
    this.#open.clear();
  }

  /** Stops the proxy and closes everything. */
  async close(): Promise<void> {
    this.cut();
    close(this.#listener);
    await this.#accepting;
  }

  async #acceptLoop(): Promise<void> {
    while (true) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.refusing) {
        close(client);
        continue;
      }
      this.#pipe(client).catch(() => {});
    }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    const server = await Deno.connect({ hostname: "127.0.0.1", port: this.#targetPort });
    this.#open.add(client);
    this.#open.add(server);
    const pump = async (from: Deno.Conn, to: Deno.Conn) => {
      const buffer = new Uint8Array(64 * 1024);
      let forwarded = 0;
      try {
        while (true) {
          while (
            from === client && this.#stallAfter !== undefined && forwarded > this.#stallAfter
          ) {
            await this.#unstalled.promise;
          }
          const count = await from.read(buffer);
          forwarded += count ?? 0;
          if (count === null) break;
          for (let written = 0; written < count;) {
            written += await to.write(buffer.subarray(written, count));
          }
        }
      } catch {
        // One side went away.
      }
      close(from);
      close(to);
      this.#open.delete(from);
      this.#open.delete(to);
    };
    await Promise.all([pump(client, server), pump(server, client)]);
  }
}

function close(closer: { close(): void }): void {
  try {
    closer.close();
  } catch {
    // already closed
  }
}

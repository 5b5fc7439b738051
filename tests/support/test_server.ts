/**
 * Starts an in-process server on 127.0.0.1 with an ephemeral port for a test,
 * and stops it afterwards.
 *
 * @module
 */

import { ChatServer, type ChatServerOptions } from "../../src/server/chat_server.ts";

/** Runs `body` against a fresh server; the server is shut down whatever happens. */
export async function withServer(
  body: (server: ChatServer, port: number) => Promise<void>,
  options: Partial<ChatServerOptions> = {},
): Promise<void> {
  const server = new ChatServer({ hostname: "127.0.0.1", port: 0, ...options });
  try {
    await body(server, server.addr.port);
  } finally {
    await server.shutdown();
  }
}

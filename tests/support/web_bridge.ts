/**
 * A test-only HTTP front for the scripted server (support/scripted_server.ts),
 * which speaks JSON lines over TCP only: the page's paging tests use it to
 * put exact pages in front of the page. Tests against the real server load
 * the page from the server's own port instead.
 *
 * A real `Deno.serve` on 127.0.0.1 answers with src/web/web_routes.ts and
 * relays each WebSocket message to the TCP server as one JSON line, and each
 * JSON line back as one WebSocket message.
 *
 * @module
 */

import { webResponse } from "../../src/web/web_routes.ts";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";

/** A running bridge. */
export interface WebBridge {
  /** The page's address, `http://127.0.0.1:PORT/`. */
  url: string;
  /** Open WebSocket relays (to close them from a test, as a network drop would). */
  sockets: Set<WebSocket>;
  /** While true, WebSocket upgrades get 503, as a server that is down. */
  refuse: boolean;
  /** Stops serving and closes every relay. */
  close(): Promise<void>;
}

/** Serves the page and relays WebSockets to the chat server at 127.0.0.1:`chatPort`. */
export function startWebBridge(chatPort: () => number): WebBridge {
  const sockets = new Set<WebSocket>();
  const bridge = { refuse: false };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const answer = webResponse(request, { secure: false });
    if (answer !== "upgrade") return answer;
    if (bridge.refuse) return new Response("Unavailable.\n", { status: 503 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    relay(socket, chatPort(), sockets);
    return response;
  });
  return Object.assign(bridge, {
    url: `http://127.0.0.1:${server.addr.port}/`,
    sockets,
    async close() {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  });
}

function relay(socket: WebSocket, port: number, sockets: Set<WebSocket>): void {
  sockets.add(socket);
  const encoder = new TextEncoder();
  const pending: string[] = [];
  let conn: Deno.TcpConn | undefined;
  let closed = false;
  let writing = Promise.resolve();
  const write = (text: string) => {
    const connection = conn;
    if (!connection) return;
    writing = writing.then(() => connection.write(encoder.encode(text + "\n"))).then(
      () => {},
      () => finish(),
    );
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    sockets.delete(socket);
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
    if (socket.readyState <= WebSocket.OPEN) socket.close();
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return finish();
    if (conn) write(event.data);
    else pending.push(event.data);
  };
  socket.onclose = finish;
  socket.onerror = finish;
  Deno.connect({ hostname: "127.0.0.1", port }).then(async (connection) => {
    if (closed) return connection.close();
    conn = connection;
    for (const text of pending.splice(0)) write(text);
    const decoder = new LineDecoder(1 << 24);
    try {
      for await (const chunk of connection.readable) {
        for (const line of decoder.push(chunk).lines) {
          if (line.startsWith("{") && socket.readyState === WebSocket.OPEN) socket.send(line);
        }
      }
    } catch {
      // Reset by the server: the WebSocket closes as the TCP connection did.
    }
    finish();
  }, finish);
}

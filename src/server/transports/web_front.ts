/**
 * The web front: HTTP and WebSocket on the chat port. The TCP transport hands
 * it the connections whose first line is an HTTP request line (with the
 * bytes it already read); a real HTTP server (`node:http`) parses them and
 * answers with the browser page (src/web/web_routes.ts), and `ws` upgrades
 * `/ws` from the page's own origin into a {@linkcode WebSocketFrameConn}
 * for a session. No HTTP or WebSocket framing is written here.
 *
 * Limits: a request's head must arrive within {@linkcode REQUEST_TIMEOUT_MS}
 * (slowloris), is at most {@linkcode MAX_HEADER_BYTES}, and one address keeps
 * at most `maxConnectionsPerAddress` HTTP connections open.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import ipaddr from "ipaddr.js";
import type { Limits } from "../../protocol/limits.ts";
import { webResponse } from "../../web/web_routes.ts";
import { addressKey } from "../address_key.ts";
import type { ByteConn } from "./tcp_conn.ts";
import type { Peer } from "./frame_conn.ts";
import { WebSocketFrameConn, type WsSocket } from "./web_socket_conn.ts";
import type { FileService } from "../files/file_service.ts";

/** Settings of a {@linkcode WebFront}. */
export interface WebFrontOptions {
  /** True when the port speaks TLS (the page's origin is `https://`). */
  secure: boolean;
  limits: Limits;
  /** Take the client's address from `X-Forwarded-For` (behind a reverse proxy). */
  trustProxy: boolean;
  /** A browser opened the chat WebSocket: give it a session. */
  onSocket(conn: WebSocketFrameConn): void;
  /** How long a request's head may take to arrive; {@linkcode REQUEST_TIMEOUT_MS} by default. */
  requestTimeoutMs?: number;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** Answers file uploads and downloads (`/u/…`, `/f/…`); absent with `--no-files`. */
  files?: FileService;
}

/** The head of a request (request line and headers) must arrive within this. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** The largest request head accepted. */
export const MAX_HEADER_BYTES = 8192;
/**
 * How long an address counts as browsing after an HTTP request (see
 * {@linkcode WebFront.browsing}). Not only the connections Chromium opens
 * while a page loads matter (it gives those up after about 10 s unused): once
 * it knows a site, it also connects ahead of time while the address is being
 * typed, before any request. A day covers coming back to the page later.
 */
export const BROWSING_MS = 24 * 60 * 60_000;
const READ_BYTES = 16 * 1024;
/** Addresses remembered as browsing at most (the oldest are forgotten first). */
const BROWSING_ADDRESSES = 4096;

/** HTTP and WebSocket for connections handed over by the TCP transport. */
export class WebFront {
  readonly #options: WebFrontOptions;
  readonly #now: () => number;
  readonly #http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    this.#answer(request, response);
  });
  readonly #sockets = new Wss();
  readonly #open = new Map<string, Set<Duplex>>();
  /** When each address last made an HTTP request (address key → ms), oldest first. */
  readonly #lastRequest = new Map<string, number>();
  /** HTTP connections open now (not counting those upgraded to WebSockets' sessions). */
  #openCount = 0;

  /** Starts an idle front; connections arrive through {@linkcode handOver}. */
  constructor(options: WebFrontOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#http.on("upgrade", (request, socket, head) => this.#upgrade(request, socket, head));
    this.#http.on("clientError", (_error, socket) => socket.destroy());
  }

  /**
   * True when `address` made an HTTP request lately: a silent connection from
   * it may be a browser's connection opened ahead of time, which must not be
   * greeted in plain text (that would break the page it is later used for).
   */
  browsing(address: string): boolean {
    const key = addressKey(address);
    const at = this.#lastRequest.get(key);
    if (at === undefined) return false;
    if (this.#now() - at <= BROWSING_MS) return true;
    this.#lastRequest.delete(key);
    return false;
  }

  /** Takes a connection whose first bytes (already read) are an HTTP request. */
  handOver(conn: ByteConn, firstBytes: Uint8Array, peer: Peer): void {
    const key = addressKey(peer.address);
    this.#rememberBrowsing(key);
    const open = this.#open.get(key) ?? new Set();
    const { maxConnections, maxConnectionsPerAddress } = this.#options.limits;
    // Behind a trusted proxy every connection is the proxy's: only the total counts.
    const perAddressFull = !this.#options.trustProxy && open.size >= maxConnectionsPerAddress;
    if (perAddressFull || this.#openCount >= maxConnections) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      return;
    }
    const socket = duplexOf(conn, peer);
    this.#openCount++;
    open.add(socket);
    this.#open.set(key, open);
    // Upgraded to a WebSocket, the connection is a session's, counted by the server's admission.
    const forget = () => {
      if (!open.delete(socket)) return;
      this.#openCount--;
      if (open.size === 0 && this.#open.get(key) === open) this.#open.delete(key);
    };
    socket.once("close", forget);
    socket.once("upgraded", forget);
    // Slowloris: the request head must be complete in time (one request per
    // connection: each response closes it).
    const timeoutMs = this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const deadline = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once("close", () => clearTimeout(deadline));
    socket.once("request-seen", () => clearTimeout(deadline));
    socket.unshift(firstBytes);
    this.#http.emit("connection", socket);
  }

  #rememberBrowsing(key: string): void {
    this.#lastRequest.delete(key); // re-inserted last: the map stays in order of last request
    this.#lastRequest.set(key, this.#now());
    if (this.#lastRequest.size > BROWSING_ADDRESSES) {
      this.#lastRequest.delete(this.#lastRequest.keys().next().value!);
    }
  }

  /** Closes every HTTP connection and WebSocket not yet closed by its session. */
  close(): void {
    for (const sockets of this.#open.values()) for (const socket of sockets) socket.destroy();
    this.#sockets.close();
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    request.socket.emit("request-seen");
    const files = this.#options.files;
    // Files stream through node:http's own objects: never a whole file in memory.
    if (files?.handles(request.url)) return files.serve(request, response);
    const fetchRequest = this.#fetchRequest(request);
    const answer = fetchRequest && webResponse(fetchRequest, { secure: this.#options.secure });
    if (!answer || answer === "upgrade") {
      // A bad Host, or an upgrade asked for without the Upgrade header's connection semantics.
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      response.end("Bad request.\n");
      return;
    }
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => headers[name] = value);
    // node:http under Deno closes a handed-over connection after each response
    // (it keeps alive only its own sockets): say so, so no browser tries to reuse it.
    headers.connection = "close";
    const body = answer.body ? new Uint8Array(await answer.arrayBuffer()) : undefined;
    response.writeHead(answer.status, headers);
    response.end(request.method === "HEAD" ? undefined : body);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.emit("request-seen");
    const fetchRequest = this.#fetchRequest(request);
    const answer = fetchRequest && webResponse(fetchRequest, { secure: this.#options.secure });
    if (answer !== "upgrade") {
      const status = answer
        ? `${answer.status} ${answer.statusText || "Refused"}`
        : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    const peer = this.#peerOf(request, socket);
    const maxMessageBytes = this.#options.limits.maxLineBytes;
    this.#sockets.server(maxMessageBytes).handleUpgrade(request, socket, head, (ws: WsSocket) => {
      socket.emit("upgraded");
      this.#options.onSocket(new WebSocketFrameConn(ws, socket, peer, maxMessageBytes));
    });
  }

  /** The client's address: the socket's peer, or behind a trusted proxy the last X-Forwarded-For entry. */
  #peerOf(request: IncomingMessage, socket: Duplex): Peer {
    const peer = (socket as Duplex & { peer: Peer }).peer;
    if (!this.#options.trustProxy) return peer;
    const forwarded = String(request.headers["x-forwarded-for"] ?? "").split(",").pop()?.trim();
    if (!forwarded || !ipaddr.isValid(forwarded)) return peer;
    return { address: ipaddr.process(forwarded).toString(), port: 0 };
  }

  /** The Fetch API request for `request`, or undefined when its Host makes no URL. */
  #fetchRequest(request: IncomingMessage): Request | undefined {
    const scheme = this.#options.secure ? "https" : "http";
    try {
      const url = new URL(request.url ?? "/", `${scheme}://${request.headers.host ?? "localhost"}`);
      const headers = new Headers();
      const raw = request.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
      return new Request(url, { method: request.method, headers });
    } catch {
      return undefined;
    }
  }
}

/** The parts of `ws`'s server used here (the package ships no types). */
interface WsServer {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    done: (socket: WsSocket) => void,
  ): void;
  clients: Set<WsSocket>;
  close(): void;
}

/** The `ws` server, made when the first browser arrives. */
class Wss {
  #server: WsServer | undefined;

  server(maxMessageBytes: number): WsServer {
    // Some slack over the limit, so an over-long message is refused with a bye, not a reset.
    return this.#server ??= new WebSocketServer({
      noServer: true,
      maxPayload: maxMessageBytes * 4,
      perMessageDeflate: false,
    });
  }

  close(): void {
    for (const client of this.#server?.clients ?? []) client.terminate();
    this.#server?.close();
  }
}

/** A `node:stream` Duplex over a raw connection, as `node:http` takes it. */
function duplexOf(conn: ByteConn, peer: Peer): Duplex {
  let reading = false;
  const socket: Duplex = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      const buffer = new Uint8Array(READ_BYTES);
      conn.read(buffer).then((count) => {
        reading = false;
        if (count === null) socket.push(null);
        else if (socket.push(buffer.subarray(0, count))) socket.read(0);
      }, (error) => socket.destroy(error));
    },
    write(chunk: Uint8Array, _encoding, done) {
      writeAll(conn, [chunk]).then(() => done(), done);
    },
    // What queued up while a write was in flight (ws sends a header and a
    // payload per message) goes out in one write, not one system call each.
    writev(chunks: Array<{ chunk: Uint8Array }>, done) {
      writeAll(conn, chunks.map((entry) => entry.chunk)).then(() => done(), done);
    },
    final(done) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      done();
    },
    destroy(error, done) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      done(error);
    },
  });
  // A failed read or write means the peer is gone; the socket closes, nothing else to do.
  socket.on("error", () => {});
  Object.assign(socket, { peer, remoteAddress: peer.address, remotePort: peer.port });
  return socket as Duplex & Partial<Socket>;
}

/** Writes all of `chunks`, joined, to `conn`. */
async function writeAll(conn: ByteConn, chunks: Uint8Array[]): Promise<void> {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  // Deno's write may take part of the bytes; what is left goes in the next write.
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

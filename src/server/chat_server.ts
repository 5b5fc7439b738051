/**
 * The listener: accepts TCP connections, gives each a {@linkcode Session} in
 * the one {@linkcode Room}, ticks their timers, and shuts everything down
 * cleanly. Errors on one connection never reach the accept loop.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import type { ByeFrame, RoomRecord } from "../protocol/frames.ts";
import { DEFAULT_LIMITS, type Limits } from "../protocol/limits.ts";
import { formatDuration } from "../text/time.ts";
import { Admission } from "./admission.ts";
import { type Ban, BanList } from "./ban_list.ts";
import type { Moderation } from "./command.ts";
import { renderPlain } from "../text/plain_format.ts";
import { Outgoing } from "./outgoing.ts";
import { PAGE_RECORDS, pageBytesFor } from "./history_pages.ts";
import { noSuchMember, type Room, type RoomOptions } from "./room.ts";
import { ClientRegistry, type OtherNodes, PRIVATE_LOG } from "./rooms/clients.ts";
import type { RemoteMembers, ServerPlaces } from "./rooms/client_rooms.ts";
import { DEFAULT_ROOM } from "./rooms/room_name.ts";
import { RoomRegistry, type RoomRegistryOptions } from "./rooms/room_registry.ts";
import { StoreLog } from "./rooms/room_log.ts";
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_HISTORY_ON_JOIN,
  memoryStore,
  type RoomStore,
} from "./room_store.ts";
import { Session } from "./session.ts";
import type { FrameConn } from "./transports/frame_conn.ts";
import { turnAway } from "./turn_away.ts";
import { AcceptPacer } from "./accept_pacer.ts";
import { TcpFrameConn } from "./transports/tcp_conn.ts";
import { WebFront } from "./transports/web_front.ts";
import type { FileService } from "./files/file_service.ts";
import { withFiles } from "./files/file_history.ts";
import { announceExpired } from "./files/file_expiry.ts";
import { hostPort } from "../protocol/host_port.ts";

/** Settings of a {@linkcode ChatServer}. */
export interface ChatServerOptions {
  /** Address to bind, e.g. `0.0.0.0`, `::` or `127.0.0.1`. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  limits?: Partial<Limits>;
  /** What the room remembers; defaults to memory only. The server closes it on shutdown. */
  store?: RoomStore;
  /** Earlier messages a newcomer sees. */
  historyOnJoin?: number;
  /** The room everyone starts in (`#general`). */
  defaultRoom?: string;
  /** Rules for rooms: pre-created ones, who creates them, caps, expiry. */
  rooms?: RoomRules;
  motd?: string;
  /** Room password; clients must present it. */
  password?: string;
  /** Serve TLS only, with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** The certificate's fingerprint, told to browser members (who cannot pin it). */
  fingerprint?: string;
  /** Receives one line per event worth an operator's attention. Defaults to nothing. */
  log?: (line: string) => void;
  /** Also log every public message (the operator's console shows the room). */
  logMessages?: boolean;
  /** Clock, replaceable in tests (ms since epoch). */
  now?: () => number;
  /** Serve the browser page and its WebSocket on the port too (default true). */
  web?: boolean;
  /** Take WebSocket clients' addresses from `X-Forwarded-For` (behind a reverse proxy). */
  trustProxy?: boolean;
  /** How long an HTTP request's head may take to arrive (default 10 s). */
  webRequestTimeoutMs?: number;
  /** This server is one node of several sharing `store` over Redis (cluster/cluster.ts). */
  cluster?: ServerCluster;
  /** File sharing (files/file_service.ts); none without it. The server closes its store. */
  files?: FileService;
}

/** What a server needs of the cluster it is a node of. */
export interface ServerCluster {
  /** The names other nodes' clients hold. */
  otherNodes: OtherNodes;
  /** The operator's bans, shared by every node. */
  bans: BanList;
  /** Starts the node's part once the server listens. */
  attach(server: ChatServer): Promise<void>;
  /** Moderation of members other nodes hold. */
  remote: RemoteMembers;
  /** The nodes alive, for `/nodes`: id and listening address. */
  nodes(): Array<{ id: string; listen: string }>;
}

/** `chat serve`'s room flags (`--rooms`, `--no-room-creation`, `--max-rooms`, …). */
export interface RoomRules {
  /** Rooms created at start and never expired. */
  preset?: string[];
  /** False: only the operator creates rooms. */
  creation?: boolean;
  maxRooms?: number;
  maxRoomsPerMember?: number;
  /** Days after which a room nobody used is removed with its history. */
  expiryDays?: number;
  /** When rooms gather joins and leaves into one record (room.ts). */
  presence?: RoomOptions["presence"];
  /** How many rooms a member, and an address, may create (rooms/creation_rate.ts). */
  creationRate?: RoomRegistryOptions["creationRate"];
}

const TICK_MS = 1000;
const ROOM_EXPIRY_CHECK_MS = 60 * 60 * 1000;
const UNSAVED_NOTICE = "The server could not save the latest messages (its disk may be full): " +
  "they were delivered, but will be missing from the history after a restart.";
const SHUTDOWN_FLUSH_MS = 2000;
/**
 * A silent connection from an address that browsed the page lately may be a
 * connection Chromium opened ahead of time: it gets its plain-text greeting
 * this much later, after Chromium gives such connections up (about 10 s).
 */
const BROWSER_GREETING_DELAY_MS = 12_000;

/** A running chat server. */
export class ChatServer implements Moderation {
  /** The server's clients and rooms. */
  readonly places: ServerPlaces;
  readonly limits: Limits;
  readonly #listener: Deno.Listener<Deno.TcpConn | Deno.TlsConn, Deno.NetAddr>;
  readonly #sessions = new Set<Session>();
  readonly #bans: BanList;
  readonly #admission: Admission;
  readonly #log: (line: string) => void;
  readonly #store: RoomStore;
  /** One for every session (`beforeWrite`), not a closure each. */
  readonly #flushStore = () => this.#store.flush();
  readonly #ticker: ReturnType<typeof setInterval>;
  readonly #expiry: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  readonly #pacer: AcceptPacer;
  readonly #now: () => number;
  readonly #web: WebFront | undefined;
  readonly #files: FileService | undefined;
  readonly #secure: boolean;
  /** Behind a reverse proxy every connection comes from the proxy: no per-address connection rate. */
  readonly #rateConnections: boolean;
  #stopping = false;
  readonly #cluster: ServerCluster | undefined;

  /** Binds the port (throws `Deno.errors.AddrInUse` and friends) and starts accepting. */
  constructor(options: ChatServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? Date.now;
    const store = options.store ?? memoryStore(DEFAULT_HISTORY_LIMIT);
    this.#store = options.files ? withFiles(store, options.files) : store;
    this.#files = options.files;
    this.#secure = options.tls !== undefined;
    this.#rateConnections = !options.trustProxy;
    this.#bans = options.cluster?.bans ?? new BanList();
    this.#admission = new Admission({
      password: options.password,
      bans: this.#bans,
      limits: this.limits,
      log: this.#log,
    });
    this.places = {
      clients: new ClientRegistry({
        store: this.#store,
        privateLog: this.#store.roomLog?.(PRIVATE_LOG) ??
          new StoreLog(this.#store.roomHistory(PRIVATE_LOG), this.#now),
        now: this.#now,
        otherNodes: options.cluster?.otherNodes,
      }),
      rooms: new RoomRegistry({
        store: this.#store,
        defaultRoom: options.defaultRoom ?? DEFAULT_ROOM,
        historyOnJoin: options.historyOnJoin ?? DEFAULT_HISTORY_ON_JOIN,
        pageRecords: PAGE_RECORDS,
        pageBytes: pageBytesFor(this.limits.maxQueueBytes),
        onRecord: (record) => this.#logRecord(record, options.logMessages ?? false),
        now: this.#now,
        closedElsewhere: (room) => this.#evict(room),
        ...options.rooms,
      }),
      maxRoomsPerMember: options.rooms?.maxRoomsPerMember,
      pageBytes: pageBytesFor(this.limits.maxQueueBytes),
      log: this.#store.history.roomId(),
      historyOnJoin: options.historyOnJoin ?? DEFAULT_HISTORY_ON_JOIN,
      clientLimits: {
        maxMessageChars: this.limits.maxMessageChars,
        maxLineBytes: this.limits.maxLineBytes,
        ratePerSecond: this.limits.ratePerSecond,
        rateBurst: this.limits.rateBurst,
      },
      motd: options.motd,
      remote: options.cluster?.remote,
    };
    this.#store.onWriteFailure?.(() => this.#tellAll(UNSAVED_NOTICE));
    this.#store.onStatus?.((text) => this.#tellAll(text));
    if (options.files) {
      options.files.onExpired = (shares) => announceExpired(shares, this.places.rooms.opened());
    }
    if (options.web ?? true) {
      this.#web = new WebFront({
        secure: options.tls !== undefined,
        limits: this.limits,
        trustProxy: options.trustProxy ?? false,
        requestTimeoutMs: options.webRequestTimeoutMs,
        now: this.#now,
        files: options.files,
        onSocket: (conn) => this.#startSession(conn, fingerprintNote(options.fingerprint)),
      });
    }
    const address = { hostname: options.hostname, port: options.port };
    this.#listener = options.tls
      ? Deno.listenTls({ ...address, ...options.tls })
      : Deno.listen(address);
    this.#pacer = new AcceptPacer(this.limits.turnAwaysPerSecond, this.#now, this.#log);
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#expiry = setInterval(() => this.#expireRooms(), ROOM_EXPIRY_CHECK_MS);
    Deno.unrefTimer(this.#expiry);
    this.#accepting = this.#acceptLoop();
    this.#cluster = options.cluster;
    this.#cluster?.attach(this).catch((error) => this.#log(`The node could not start: ${error}`));
  }

  /** The room everyone starts in. */
  get room(): Room {
    return this.places.rooms.defaultRoom;
  }

  /** The address actually bound (with the real port when 0 was asked for). */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** Connections currently open, joined or not. */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Connections closed unread because their address opened them too fast. */
  get closedUnread(): number {
    return this.#admission.closedUnread;
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
    clearInterval(this.#expiry);
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
    this.#web?.close();
    this.#store.close();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#stopping) {
      if (!(await this.#pacer.next()) || this.#stopping) continue;
      let conn: Deno.TcpConn | Deno.TlsConn;
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

  #start(conn: Deno.TcpConn | Deno.TlsConn): void {
    // A reconnect loop's extra connections cost an accept and a close, nothing more.
    const address = conn.remoteAddr.hostname;
    if (this.#rateConnections && !this.#admission.connect(address, this.#now())) {
      this.#pacer.turnedAway();
      try {
        conn.close();
      } catch {
        // Already gone.
      }
      return;
    }
    const peer = { address, port: conn.remoteAddr.port };
    const web = this.#web;
    const frames = new TcpFrameConn(conn, peer, {
      limits: this.limits,
      now: this.#now,
      handOver: web && ((raw, firstBytes) => web.handOver(raw, firstBytes, peer)),
      greetLater: () => web?.browsing(peer.address) ? BROWSER_GREETING_DELAY_MS : 0,
      linkBase: web && this.#files && linkBase(conn.localAddr, this.#secure),
    });
    // Refused at the door (a loop whose joins or guesses are used up): no session at all.
    const refusal = this.#admission.refusal(address, this.#now());
    if (refusal) return void this.#turnAway(frames, refusal);
    if ("setNoDelay" in conn) {
      try {
        conn.setNoDelay(true);
        conn.setKeepAlive(true);
      } catch {
        // The peer may already be gone; the session will notice.
      }
    }
    this.#startSession(frames);
  }

  /** Turns a connection away (see turn_away.ts), counted against the accept loop's pace. */
  #turnAway(frames: FrameConn, refusal: ByeFrame): void {
    this.#pacer.turnedAway();
    void turnAway(frames, refusal);
  }

  /** Gives a connection, whatever its transport, a session in the room (or turns it away). */
  #startSession(frames: FrameConn, joinNote?: string): void {
    const session = new Session(frames, {
      places: this.places,
      limits: this.limits,
      admission: this.#admission,
      log: this.#log,
      now: this.#now,
      // Whatever a client is sent, the records behind it are already on disk, and
      // all records added since the previous write share one commit.
      beforeWrite: this.#flushStore,
      joinNote,
      files: this.#files,
    });
    const refusal = this.#admission.admit(session, this.#now());
    if (refusal) return void this.#turnAway(frames, refusal);
    this.#sessions.add(session);
    session.run(() => {
      this.#sessions.delete(session);
      this.#admission.release(session);
    });
  }

  // ------------------------------------------------------------ moderation

  kick(name: string, reason?: string): Refusal | undefined {
    const session = this.#member(name);
    if (!session) return this.places.remote?.kick(name, reason) ? undefined : noSuchMember(name);
    const why = reason ? `kicked by the operator: ${reason}` : "kicked by the operator";
    session.disconnect("kicked", `You were ${why}.`, why);
    return undefined;
  }

  ban(name: string, durationMs?: number): Refusal | undefined {
    const session = this.#member(name);
    if (!session) {
      return this.places.remote?.ban(name, durationMs) ? undefined : noSuchMember(name);
    }
    const until = durationMs === undefined ? undefined : this.#now() + durationMs;
    this.#bans.add({ address: session.address, until, name: session.name });
    const span = durationMs === undefined ? "" : ` for ${formatDuration(durationMs)}`;
    session.disconnect(
      "banned",
      `You were banned from this room${span}.`,
      `banned by the operator${span}`,
    );
    return undefined;
  }

  unban(target: string): Ban | undefined {
    return this.#bans.remove(target);
  }

  bans(): Ban[] {
    return this.#bans.list(this.#now());
  }

  members(): Array<{ name: string; address: string }> {
    return [...this.#sessions].filter((s) => s.joined && !s.closed).map((s) => ({
      name: s.name,
      address: s.address,
    })).sort((a, b) => a.name.localeCompare(b.name));
  }

  closeRoom(name: string): Refusal | undefined {
    return this.places.rooms.close(name, (room) => this.#evict(room));
  }

  /** Moves this server's members out of a room being closed (here, or on another node). */
  #evict(room: Room): void {
    for (const member of room.members()) {
      this.places.clients.find(member.name)?.owner?.removedFrom(room, "closed by the operator");
    }
  }

  openRoom(name: string): Refusal | string {
    const room = this.places.rooms.open(name, true);
    return "code" in room ? room : room.name;
  }

  rooms() {
    return this.places.rooms.list();
  }

  nodes(): Array<{ id: string; listen: string }> | undefined {
    return this.#cluster?.nodes();
  }

  say(text: string): void {
    for (const room of this.places.rooms.opened()) room.notice(text, "operator");
  }

  #member(name: string): Session | undefined {
    const member = this.places.clients.find(name)?.member;
    return member instanceof Session && this.#sessions.has(member) ? member : undefined;
  }

  #expireRooms(): void {
    for (const name of this.places.rooms.expire()) {
      this.#log(
        `${name} was removed with its history: nobody used it for a while (--room-expiry).`,
      );
    }
  }

  #tick(): void {
    const now = this.#now();
    // One ping frame per tick, encoded once however many sessions it goes to.
    let ping: Outgoing | undefined;
    const pingFrame = () => ping ??= new Outgoing({ type: "ping", data: String(now) });
    for (const session of this.#sessions) session.tick(now, pingFrame);
  }

  /** Every joined member is told `text` (the store's news: unsaved messages, storage away). */
  #tellAll(text: string): void {
    const info = new Outgoing({ type: "info", text });
    for (const session of this.#sessions) {
      if (session.joined && !session.closed) session.deliver(info);
    }
  }

  #logRecord(record: RoomRecord, logMessages: boolean): void {
    if (record.type === "private") return;
    if (record.type === "message" && !logMessages) return;
    for (const line of renderPlain(record)) this.#log(line);
  }
}

/** `http://ADDRESS:PORT` of the address a member connected to: file links they can reach. */
function linkBase(local: Deno.Addr, secure: boolean): string | undefined {
  if (local.transport !== "tcp") return undefined;
  return `${secure ? "https" : "http"}://${hostPort(local.hostname, local.port)}`;
}

/** What a browser member is told about the certificate: browsers cannot pin it, people can compare. */
function fingerprintNote(fingerprint: string | undefined): string | undefined {
  return fingerprint &&
    `This room's certificate fingerprint is ${fingerprint}. Compare it with the one the host ` +
      "printed: your browser cannot check it for you.";
}

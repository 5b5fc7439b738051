/**
 * The client's connection to a room: connects, says hello, answers pings,
 * and when the connection drops reconnects with capped exponential backoff,
 * presenting the session token and the id of the last record seen so the
 * server can resume the session and send exactly what was missed. A long
 * catch-up comes in pages: the welcome carries the first, and the connection
 * asks for the rest before it reports `joined` with all of them (so the
 * count of new messages is simply counted, and live records wait behind the
 * catch-up). Records are de-duplicated by id within one room, so nothing is
 * shown twice. Given
 * {@linkcode ConnectionOptions.saved}, the first hello presents the place
 * saved by an earlier run, and the place is saved as records arrive.
 *
 * It knows nothing about terminals: everything it learns is reported as a
 * {@linkcode ConnectionEvent}.
 *
 * @example
 * ```ts
 * const connection = new ChatConnection({
 *   host: "127.0.0.1", port: 53000, name: "alice",
 *   onEvent: (event) => console.log(event.type),
 * });
 * await connection.start();   // resolves once joined
 * connection.send("hello everyone");
 * await connection.quit();
 * ```
 *
 * @module
 */

import { encodeFrame } from "../protocol/codec.ts";
import { PLAIN_GREETING, PROTOCOL_VERSION } from "../protocol/constants.ts";
import { hostPort } from "../protocol/host_port.ts";
import type {
  ByeFrame,
  ClientFrame,
  ErrorFrame,
  InfoFrame,
  JoinedFrame,
  MembersFrame,
  PageFrame,
  QuitFrame,
  RoomRecord,
  ServerFrame,
  UploadFrame,
  UploadSlotFrame,
  WelcomeFrame,
} from "../protocol/frames.ts";
import { isPrivateRecord } from "../protocol/private_record.ts";
import { LineDecoder } from "../protocol/line_decoder.ts";
import { nameKey } from "../protocol/names.ts";
import { roomKey } from "../server/rooms/room_name.ts";
import { readServerFrame } from "./incoming.ts";
import { CannotJoinError, notAChatRoom, silentServer, UnreachableError } from "./join_errors.ts";
import type { ServerSessions } from "./saved_sessions.ts";
import { connectTls, type TlsSettings, trustedRoots } from "./tls_connect.ts";
import { SendPacer } from "./send_pacer.ts";

const utf8 = new TextEncoder();

/** The errors {@linkcode ChatConnection.start} rejects with, re-exported for callers. */
export { CannotJoinError, UnreachableError };

/** Everything the connection reports. */
export type ConnectionEvent =
  /** A connection attempt starts (1 for the first try after joining or losing the connection). */
  | { type: "connecting"; attempt: number }
  /**
   * The server welcomed us. `records` are the welcome's records not seen
   * before (already de-duplicated) — for a catch-up, every page of it, so
   * `welcome.history` is the whole catch-up too; `rejoined` is true after a reconnect;
   * `roomChanged` when the server's history is not the one we saw before
   * (it restarted without keeping history).
   */
  | {
    type: "joined";
    welcome: WelcomeFrame;
    records: RoomRecord[];
    rejoined: boolean;
    roomChanged: boolean;
    /** True for the room of the server's `welcome`; false for one entered after it (a `joined`). */
    welcomed: boolean;
    /**
     * True for a room entered on this connection after the welcome (our
     * `/join`, or the server putting us in its default room), not one we
     * came back to.
     */
    added?: boolean;
  }
  /**
   * We are no longer in `room` (our `/part`, a kick, or the room closed); `refused`: the
   * server would not let us (back) in, and the error saying why follows as a `reply`.
   */
  | { type: "parted"; room: string; reason?: string; refused?: boolean }
  /** A room record not seen before. */
  | { type: "record"; record: RoomRecord }
  /** A reply for us alone, or a refusal that keeps the connection. */
  | { type: "reply"; frame: MembersFrame | InfoFrame | ErrorFrame }
  /** The server refused our name; call {@linkcode ChatConnection.chooseName} with another. */
  | { type: "name_refused"; code: string; message: string }
  /** The room needs a (different) password; call {@linkcode ChatConnection.choosePassword}. */
  | { type: "password_needed"; code: string; message: string }
  /** The connection is gone; the next attempt starts in `retryInMs`. */
  | { type: "disconnected"; reason: string; retryInMs: number; bye?: ByeFrame }
  /**
   * The connection is gone for good (we quit, were kicked, or the name was
   * taken over); `failed` when joining again cannot work (a changed certificate).
   */
  | { type: "ended"; reason: string; bye?: ByeFrame; failed?: boolean }
  /** Lines waiting for the room's rate limit (see {@linkcode SendPacer}); 0 once all went out. */
  | { type: "waiting"; count: number };

/** Settings of a {@linkcode ChatConnection}. */
export interface ConnectionOptions {
  host: string;
  port: number;
  /** The name to ask for. */
  name: string;
  /** The room password, for rooms that have one. */
  password?: string;
  /** Connect with TLS, checking the certificate as these settings say. */
  tls?: TlsSettings;
  /** Receives every event, in order. */
  onEvent(event: ConnectionEvent): void;
  /** First retry delay and the cap, in ms (default 500 and 10 000). */
  backoff?: { firstMs: number; maxMs: number };
  /** Time a connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * False: if our saved token proves the name but another window of ours
   * still holds it, the server refuses with `name_open` (a `name_refused`
   * event) instead of taking it over; {@linkcode ChatConnection.takeOver}
   * then does. Default: take over (reconnects always do).
   */
  takeOver?: boolean;
  /** Time the server has to answer the hello before it is taken for something else than a room (default 5 s). */
  answerTimeoutMs?: number;
  /** Silence after which the client pings the server (default 60 s); as long again without answer drops it. */
  silenceMs?: number;
  /**
   * Places in this server's room saved between runs: the first hello
   * presents the one saved for the name (so joining again catches up), and
   * the place is saved under the current name as records arrive.
   */
  saved?: ServerSessions;
}

/** Codes of `error` frames that mean "pick another name". */
const NAME_REFUSALS = new Set(["name_taken", "name_invalid", "name_reserved", "name_open"]);

/** Codes of `error` frames that mean "give the room password". */
const PASSWORD_REFUSALS = new Set(["wrong_password", "too_many_attempts"]);

/** Codes of `bye` frames after which reconnecting would be wrong. */
const FINAL_BYES = new Set(["quit", "kicked", "banned", "replaced", "too_many_attempts"]);

/** Server frames can be large (a welcome carries history), but not unbounded. */
const MAX_SERVER_LINE_BYTES = 16 * 1024 * 1024;
const QUIT_WAIT_MS = 1500;
/** Records asked for per page of history (the server may send fewer). */
const PAGE_LIMIT = 500;
const WATCHDOG_TICK_MS = 1000;

/** A page of history asked for and not answered yet; the first one of the list is on its way. */
interface PendingPage {
  request: ({ after: number } | { before: number }) & { room?: string };
  limit: number;
  answered(page: PageFrame): void;
  lost(): void;
}

/**
 * A catch-up that continues beyond the welcome: what it has gathered, and the
 * frames that arrived live meanwhile (shown after it, in order).
 */
interface CatchUpInProgress {
  welcome: WelcomeFrame;
  records: RoomRecord[];
  /** The newest id the catch-up covers; live records follow it. */
  until: number;
  arrival: RoomArrival;
  heldBack: ServerFrame[];
}

/** How we came into a room: back after a reconnect, with the server's history gone, or newly. */
interface RoomArrival {
  rejoined: boolean;
  roomChanged: boolean;
  added: boolean;
  /** True for the room of the server's `welcome` (the others come in `joined` frames). */
  welcome: boolean;
}

/** A room we are in, and the newest record of it we have seen (ids are per room). */
interface RoomPlace {
  /** The room's name as the server spells it. */
  name: string;
  lastId: number;
}

/** How a connection ended; `final` when trying again would not help. */
type SessionEnd = { reason: string; bye?: ByeFrame; final?: boolean };

/** The first bytes of a TLS record (alert or handshake): a TLS server answering plain text. */
function looksLikeTls(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/**
 * True when a server's first bytes are ours: a JSON frame, or the greeting
 * our server gives plain-text clients (sent when our hello came late).
 */
function speaksOurProtocol(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7b /* "{" */ ||
    new TextDecoder().decode(bytes.subarray(0, PLAIN_GREETING.length)) === PLAIN_GREETING;
}

/** A connection to one room that keeps itself alive. */
export class ChatConnection {
  readonly #options: ConnectionOptions;
  #name: string;
  #conn: Deno.Conn | null = null;
  #joined = false;
  #password: string | undefined;
  /** True after a refused hello, until the next name or password is chosen. */
  #awaitingAnswer = false;
  #stopped = false;
  #quitting = false;
  #everJoined = false;
  /** True when the latest connection got as far as a welcome. */
  #lastSessionJoined = false;
  #session: string | undefined;
  /** The server's history our ids refer to (the welcome's `log`). */
  #log: string | undefined;
  /** The rooms we are in, by {@linkcode roomKey}, in the order entered; the first is the hello's `room`. */
  #rooms = new Map<string, RoomPlace>();
  /** The room the last hello named first (its `room`), by room key. */
  #askedRoom: string | undefined;
  /** The other rooms the last hello went back to (by `rooms`, or keys), until their `joined`. */
  #rejoining = new Set<string>();
  /**
   * Keys of the private rooms we entered with one, by room key, kept in
   * memory only: coming back to such a room needs its key again (a `join`
   * frame after the welcome, as `hello` `rooms` cannot carry keys).
   */
  readonly #keys = new Map<string, string>();
  /** True when the latest welcome is of another history than the one before (a restart without it). */
  #logChanged = false;
  /** The latest welcome, the base of the state shown for the other rooms entered. */
  #welcome: WelcomeFrame | undefined;
  /** Ids of the private messages shown (they are not ordered with the room's). */
  readonly #privateIds = new Set<number>();
  /** Why joining can never work (the server speaks another protocol version). */
  #fatal: string | undefined;
  #catchUp: CatchUpInProgress | undefined;
  #pages: PendingPage[] = [];
  #writing: Promise<unknown> = Promise.resolve();
  #wakeFromSleep: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #firstJoin = Promise.withResolvers<"joined" | "ended">();
  /** Paces what we send to the room's rate limit, so the server never refuses a line for speed. */
  readonly #pacer = new SendPacer({
    write: (frame) => this.#write(frame),
    onWaitingChange: (count) => this.#emit({ type: "waiting", count }),
  });
  /** Pings of {@linkcode whenAnswered} by their data, with what to do when answered. */
  readonly #awaitingPongs = new Map<string, () => void>();
  #answerChecks = 0;
  #takeOverConfirmed = false;
  /** `upload` requests waiting for their slot, by `ref` (file_transfer.ts). */
  readonly #uploads = new Map<string, PromiseWithResolvers<UploadSlotFrame>>();
  #uploadRefs = 0;

  /** Prepares a connection; nothing happens until {@linkcode start}. */
  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#name = options.name;
    this.#password = options.password;
  }

  /** The name we have (or ask for). Follows `/nick`. */
  get name(): string {
    return this.#name;
  }

  /** True while connected and joined. */
  get joined(): boolean {
    return this.#joined;
  }

  /** The rooms we are in, in the order entered. */
  get rooms(): string[] {
    return [...this.#rooms.values()].map((place) => place.name);
  }

  /** True when the connection uses TLS. */
  get secure(): boolean {
    return this.#options.tls !== undefined;
  }

  /** The host and port, as `host:port` (IPv6 in brackets). */
  get address(): string {
    return hostPort(this.#options.host, this.#options.port);
  }

  /**
   * Connects and joins. Resolves with "joined" on the first welcome, or
   * "ended" when the connection ended for good before that. Rejects with
   * {@linkcode UnreachableError} when the very first attempt cannot connect.
   */
  start(): Promise<"joined" | "ended"> {
    this.#running ??= this.#run();
    return this.#firstJoin.promise;
  }

  /** Resolves when the connection has ended for good. */
  get finished(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /**
   * Sends a chat line (or a server command), as soon as the room's rate
   * allows: lines beyond it wait, in order (see {@linkcode waiting}).
   * Returns false when not joined, or leaving: nothing was sent or queued.
   * `room` is the room it is said in (default: the server's current room,
   * the one entered last).
   */
  send(text: string, room?: string): boolean {
    if (!this.#joined || this.#stopped) return false;
    this.#pacer.enqueue({ type: "send", text, ...(room === undefined ? {} : { room }) });
    return true;
  }

  /**
   * Enters a room (created if new; `key` for a private one), or makes it the
   * current one if we are in it; its `joined` event follows. Paced and
   * ordered like {@linkcode send}; false when not joined or leaving.
   */
  join(room: string, key?: string): boolean {
    if (!this.#joined || this.#stopped) return false;
    if (key !== undefined) this.#keys.set(roomKey(room), key);
    this.#pacer.enqueue({ type: "join", room, ...(key === undefined ? {} : { key }) });
    return true;
  }

  /**
   * Asks the server for a one-time upload address for a file (docs/PROTOCOL.md,
   * "Files"). Rejects with the server's sentence when it refuses, or when not joined.
   */
  requestUpload(request: Omit<UploadFrame, "type" | "ref">): Promise<UploadSlotFrame> {
    if (!this.#joined || this.#stopped) {
      return Promise.reject(new Error("Not connected to the room; try again once it is back."));
    }
    const ref = `u${++this.#uploadRefs}`;
    const waiting = Promise.withResolvers<UploadSlotFrame>();
    this.#uploads.set(ref, waiting);
    this.#pacer.enqueue({ type: "upload", ...request, ref });
    return waiting.promise;
  }

  /** The server's address for HTTP: `http://host:port` (`https` with TLS). */
  get webBase(): string {
    return `${this.secure ? "https" : "http"}://${this.address}`;
  }

  /**
   * For HTTP to the room over TLS (file transfers): a client trusting what
   * the chat connection trusts (the pinned certificate, or the `--ca`
   * authorities); undefined without TLS.
   */
  async httpClient(): Promise<Deno.HttpClient | undefined> {
    const { tls, host, port, connectTimeoutMs = 10_000 } = this.#options;
    if (!tls) return undefined;
    return Deno.createHttpClient({
      caCerts: await trustedRoots(host, port, tls, connectTimeoutMs),
    });
  }

  /**
   * Fetches up to `limit` records older than the id `before` (for scrolling
   * back), oldest first, as visible to us; `more` says whether older ones
   * exist. Records are not marked as seen. Rejects when not joined, or when
   * the connection drops before the page arrives.
   */
  fetchOlder(
    before: number,
    limit = PAGE_LIMIT,
    room?: string,
  ): Promise<{ records: RoomRecord[]; more: boolean }> {
    return new Promise((resolve, reject) => {
      if (!this.#joined) {
        return reject(new Error("Not in the room; older messages can't be fetched."));
      }
      this.#askPage({
        request: { before, ...(room === undefined ? {} : { room }) },
        limit,
        answered: (page) => resolve({ records: page.records, more: page.more }),
        lost: () => reject(new Error("The connection was lost before older messages arrived.")),
      });
    });
  }

  /** Queues a page request; one is on its way at a time, so pages answer requests in order. */
  #askPage(pending: PendingPage): void {
    this.#pages.push(pending);
    if (this.#pages.length === 1) this.#sendPageRequest(pending);
  }

  #sendPageRequest(pending: PendingPage): void {
    this.#write({ type: "history", ...pending.request, limit: pending.limit });
  }

  #pageArrived(page: PageFrame): void {
    const pending = this.#pages.shift();
    if (this.#pages.length > 0) this.#sendPageRequest(this.#pages[0]);
    pending?.answered(page);
  }

  /**
   * Resolves once the server has answered everything sent before: a ping
   * goes out behind those lines and the server answers in order. Resolves
   * at once when not joined, and when the connection drops meanwhile.
   */
  whenAnswered(): Promise<void> {
    if (!this.#joined) return Promise.resolve();
    const data = `answered-${++this.#answerChecks}`;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#awaitingPongs.set(data, resolve);
    this.#pacer.enqueue({ type: "ping", data });
    return promise;
  }

  /** Lines accepted by {@linkcode send} that wait for the rate limit. */
  get waiting(): number {
    return this.#pacer.waiting;
  }

  /** Asks for another name after a refusal (also used for the next reconnect). */
  chooseName(name: string): void {
    this.#name = name;
    this.#helloAgain();
  }

  /** Takes the name over from another window after a `name_open` refusal. */
  takeOver(): void {
    this.#takeOverConfirmed = true;
    this.#helloAgain();
  }

  /** Gives the room password after a `password_needed` event (kept for reconnects). */
  choosePassword(password: string): void {
    this.#password = password;
    this.#helloAgain();
  }

  #helloAgain(): void {
    if (this.#conn && this.#awaitingAnswer) {
      this.#awaitingAnswer = false;
      this.#write(this.#hello());
    }
  }

  /**
   * Leaves politely: sends `quit` (with `reason`, which the others see, if
   * given), waits briefly for the server's goodbye, stops reconnecting.
   */
  async quit(reason?: string): Promise<void> {
    if (this.#stopped) return this.finished;
    this.#stopped = true;
    this.#quitting = true;
    this.#wakeFromSleep?.();
    const frame: QuitFrame = reason === undefined ? { type: "quit" } : { type: "quit", reason };
    if (this.#joined) {
      // Behind the lines still waiting for the rate limit, which go out first.
      this.#pacer.enqueue(frame);
      await Promise.race([this.#pacer.drained, this.finished]);
    } else {
      this.#write(frame);
    }
    const conn = this.#conn;
    if (conn) {
      const timer = setTimeout(() => closeQuietly(conn), QUIT_WAIT_MS);
      await this.finished;
      clearTimeout(timer);
    }
    await this.finished;
  }

  /** Cuts the wait before the next reconnect attempt short ("retry now"). */
  retryNow(): void {
    if (!this.#stopped) this.#wakeFromSleep?.();
  }

  /** Stops at once, without a goodbye. */
  close(): void {
    this.#stopped = true;
    this.#wakeFromSleep?.();
    if (this.#conn) closeQuietly(this.#conn);
  }

  async #run(): Promise<void> {
    let failures = 0;
    let end: SessionEnd = { reason: "closed" };
    while (!this.#stopped) {
      this.#emit({ type: "connecting", attempt: failures + 1 });
      let conn: Deno.Conn;
      try {
        conn = await this.#connect();
      } catch (error) {
        if (error instanceof CannotJoinError) {
          end = { reason: error.message, final: true };
          if (!this.#everJoined) this.#firstJoin.reject(error);
          break;
        }
        const reason = describeConnectError(error);
        if (!this.#everJoined && failures === 0) {
          this.#stopped = true;
          const { host, port } = this.#options;
          this.#firstJoin.reject(new UnreachableError(host, port, reason, error));
          return;
        }
        end = { reason };
        failures++;
        await this.#pause(failures, end);
        continue;
      }
      end = await this.#converse(conn);
      if (this.#lastSessionJoined) failures = 0;
      failures++;
      if (end.final && !this.#everJoined) this.#firstJoin.reject(new CannotJoinError(end.reason));
      if (this.#stopped || end.final || (end.bye && FINAL_BYES.has(end.bye.code))) break;
      await this.#pause(failures, end);
    }
    this.#stopped = true;
    const reason = this.#quitting ? "You left the chat." : end.bye?.message ?? end.reason;
    this.#emit({
      type: "ended",
      reason,
      ...(end.bye ? { bye: end.bye } : {}),
      ...(end.final && !this.#quitting ? { failed: true } : {}),
    });
    this.#firstJoin.resolve("ended");
  }

  async #connect(): Promise<Deno.Conn> {
    const { host, port, connectTimeoutMs = 10_000 } = this.#options;
    if (this.#options.tls) return await connectTls(host, port, this.#options.tls, connectTimeoutMs);
    const conn = await Deno.connect({
      hostname: host,
      port,
      signal: AbortSignal.timeout(connectTimeoutMs),
    });
    try {
      conn.setNoDelay(true);
      conn.setKeepAlive(true);
    } catch {
      // Not fatal: the watchdog notices a dead connection anyway.
    }
    return conn;
  }

  /** Waits before the next attempt, telling the listener how long. `quit` cuts it short. */
  async #pause(failures: number, end: SessionEnd): Promise<void> {
    if (this.#stopped) return;
    const { firstMs, maxMs } = this.#options.backoff ?? { firstMs: 500, maxMs: 10_000 };
    const base = Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#emit({
      type: "disconnected",
      reason: end.reason,
      retryInMs: delay,
      ...(end.bye ? { bye: end.bye } : {}),
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#wakeFromSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeFromSleep = null;
  }

  /** One connection from hello to close. */
  async #converse(conn: Deno.Conn): Promise<SessionEnd> {
    this.#conn = conn;
    this.#joined = false;
    this.#awaitingAnswer = false;
    this.#lastSessionJoined = false;
    this.#writing = Promise.resolve();
    this.#pacer.connected();
    let bye: ByeFrame | undefined;
    let reason = "the server closed the connection";
    let final = false;
    let heardAnything = false;
    let lastHeard = Date.now();
    let pinged = false;
    const silenceMs = this.#options.silenceMs ?? 60_000;
    const watchdog = setInterval(() => {
      const quiet = Date.now() - lastHeard;
      if (!pinged && quiet > silenceMs) {
        pinged = true;
        this.#write({ type: "ping", data: "client" });
      } else if (pinged && quiet > 2 * silenceMs) {
        reason = "the server stopped answering";
        closeQuietly(conn);
      }
    }, WATCHDOG_TICK_MS);
    // A server that does not speak our protocol must not leave a person waiting for ever.
    const notAnswering = (error: CannotJoinError) => {
      reason = error.message;
      final = true;
      closeQuietly(conn);
    };
    const { host, port, answerTimeoutMs = 5000 } = this.#options;
    // Only before the first welcome: once joined, we know it is a room (the watchdog covers silence).
    const silence = this.#everJoined
      ? undefined
      : setTimeout(() => notAnswering(silentServer(host, port)), answerTimeoutMs);
    this.#write(this.#hello());
    const decoder = new LineDecoder(MAX_SERVER_LINE_BYTES);
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const count = await conn.read(buffer);
        if (count === null) break;
        if (!heardAnything && !this.#options.tls && looksLikeTls(buffer.subarray(0, count))) {
          reason = "This room uses TLS: join with --tls and the --fingerprint its banner shows.";
          final = true;
          break;
        }
        if (!heardAnything && !speaksOurProtocol(buffer.subarray(0, count))) {
          notAnswering(
            notAChatRoom(host, port, new TextDecoder().decode(buffer.subarray(0, count))),
          );
          break;
        }
        clearTimeout(silence);
        heardAnything = true;
        lastHeard = Date.now();
        pinged = false;
        const { lines, overflow } = decoder.push(buffer.subarray(0, count));
        for (const line of lines) {
          const frame = readServerFrame(line);
          if (frame) bye = this.#handle(frame) ?? bye;
        }
        if (overflow) {
          reason = "the server sent a line that was too long";
          break;
        }
      }
    } catch (error) {
      // Closed by us (close(), a failed check): the read's error says nothing a person needs.
      if (reason === "the server closed the connection" && !this.#stopped) {
        reason = describeConnectError(error);
      }
    } finally {
      clearInterval(watchdog);
      clearTimeout(silence);
      this.#pacer.pause();
      for (const data of [...this.#awaitingPongs.keys()]) this.#answered(data);
      closeQuietly(conn);
      this.#conn = null;
      this.#joined = false;
      // An unfinished catch-up is dropped unseen: its room's last id did not move, so the next hello asks again.
      this.#catchUp = undefined;
      for (const pending of this.#pages.splice(0)) pending.lost();
      for (const waiting of this.#uploads.values()) {
        waiting.reject(new Error("The connection was lost before the upload could start."));
      }
      this.#uploads.clear();
    }
    if (this.#fatal !== undefined) return { reason: this.#fatal, final: true };
    return { reason: bye?.message ?? reason, ...(bye ? { bye } : {}), ...(final ? { final } : {}) };
  }

  /** Handles one frame; returns it when it is the server's goodbye. */
  #handle(frame: ServerFrame): ByeFrame | undefined {
    if (frame.type === "error" && frame.code === "unsupported_version" && !this.#joined) {
      // Retrying can't help: end with one sentence saying which side to update.
      this.#fatal = versionMismatch(frame);
      if (this.#conn) closeQuietly(this.#conn);
      return;
    }
    if (this.#catchUp && isHeldBackDuringCatchUp(frame)) {
      this.#catchUp.heldBack.push(frame);
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.#welcomed(frame);
        return;
      case "joined":
        // Another room: shown like a welcome there, with ids of its own.
        if (this.#welcome !== undefined) this.#joinedRoom(frame, this.#welcome);
        return;
      case "parted":
        this.#rooms.delete(roomKey(frame.room));
        this.#keys.delete(roomKey(frame.room));
        this.#save();
        if (this.#joined) this.#emit({ type: "parted", room: frame.room, reason: frame.reason });
        return;
      case "upload_slot":
        this.#uploads.get(frame.ref ?? "")?.resolve(frame);
        this.#uploads.delete(frame.ref ?? "");
        return;
      case "error":
        if (frame.ref !== undefined && this.#uploads.has(frame.ref)) {
          this.#uploads.get(frame.ref)!.reject(new Error(frame.message));
          this.#uploads.delete(frame.ref);
          return;
        }
        if (!this.#joined && NAME_REFUSALS.has(frame.code)) {
          this.#awaitingAnswer = true;
          this.#emit({ type: "name_refused", code: frame.code, message: frame.message });
          return;
        }
        if (!this.#joined && PASSWORD_REFUSALS.has(frame.code)) {
          this.#awaitingAnswer = true;
          this.#emit({ type: "password_needed", code: frame.code, message: frame.message });
          return;
        }
        if (typeof frame.room === "string") this.#refusedRoom(frame.room);
        this.#emit({ type: "reply", frame });
        return;
      case "members":
      case "info":
        if (this.#joined) this.#emit({ type: "reply", frame });
        return;
      case "ping":
        this.#write({ type: "pong", ...(frame.data === undefined ? {} : { data: frame.data }) });
        return;
      case "pong":
        this.#answered(frame.data);
        return;
      case "page":
        this.#pageArrived(frame);
        return;
      case "bye":
        return frame;
      default:
        if (this.#joined && this.#accept(frame)) this.#emit({ type: "record", record: frame });
    }
  }

  #answered(data: string | undefined): void {
    const resolve = data === undefined ? undefined : this.#awaitingPongs.get(data);
    this.#awaitingPongs.delete(data ?? "");
    resolve?.();
  }

  /**
   * The server would not let us into `room` (a key changed, the room closed, a cap): it is
   * no longer one to come back to, and its window goes.
   */
  #refusedRoom(room: string): void {
    const key = roomKey(room);
    this.#rooms.delete(key);
    this.#keys.delete(key);
    this.#rejoining.delete(key);
    this.#save();
    this.#emit({ type: "parted", room, refused: true });
  }

  #welcomed(welcome: WelcomeFrame): void {
    if (this.#joined) return;
    const rejoined = this.#everJoined;
    this.#logChanged = this.#log !== undefined && this.#log !== welcome.log;
    // Another history (a restart that kept none): ids seen before mean nothing.
    if (this.#log !== welcome.log) {
      for (const place of this.#rooms.values()) place.lastId = 0;
    }
    this.#log = welcome.log;
    this.#welcome = welcome;
    this.#session = welcome.session;
    this.#name = welcome.name;
    this.#joined = true;
    this.#lastSessionJoined = true;
    // The welcome's room leads: the one asked for first, unless the server sent us elsewhere.
    const key = roomKey(welcome.room);
    if (this.#askedRoom !== undefined && this.#askedRoom !== key) {
      this.#rooms.delete(this.#askedRoom);
    }
    this.#rejoining.delete(key);
    const place = this.#rooms.get(key) ?? { name: welcome.room, lastId: 0 };
    this.#rooms.delete(key);
    this.#rooms = new Map([[key, place], ...this.#rooms]);
    // Back to the private rooms the hello could not name: with their keys, each caught up.
    for (const [other, { name, lastId }] of this.#rooms) {
      const secret = this.#keys.get(other);
      if (other === key || secret === undefined || !this.#rejoining.has(other)) continue;
      this.#write({
        type: "join",
        room: name,
        key: secret,
        ...(lastId > 0 ? { since: lastId } : {}),
      });
    }
    this.#entered(welcome, {
      rejoined,
      roomChanged: rejoined && this.#logChanged,
      added: false,
      welcome: true,
    });
  }

  /** A `joined`: another room, shown like a welcome there (without the server's greeting). */
  #joinedRoom(frame: JoinedFrame, welcome: WelcomeFrame): void {
    const { version, name, session, log, limits } = welcome;
    const rejoined = this.#rejoining.delete(roomKey(frame.room));
    this.#entered({ ...frame, type: "welcome", version, name, session, log, limits }, {
      rejoined,
      roomChanged: rejoined && this.#logChanged,
      added: !rejoined,
      welcome: false,
    });
  }

  /**
   * We are in the room of `state` (the welcome, or a `joined` shaped like
   * one): fetches the rest of its catch-up, if any, then reports it.
   */
  #entered(state: WelcomeFrame, arrival: RoomArrival): void {
    const key = roomKey(state.room);
    const place = this.#rooms.get(key) ?? { name: state.room, lastId: 0 };
    place.name = state.room;
    // Not a catch-up: the server did not continue from our last id, so ids seen before mean nothing.
    if (!state.catchUp) place.lastId = 0;
    if (!this.#rooms.has(key)) this.#rooms.set(key, place);
    if (state.catchUp && state.more && state.history.length > 0) {
      this.#catchUp = {
        welcome: state,
        records: [...state.history],
        until: state.lastId ?? Infinity,
        arrival,
        heldBack: [],
      };
      this.#continueCatchUp(this.#catchUp);
      return;
    }
    this.#showWelcome(state, arrival);
  }

  /** Asks for the catch-up's next page, after the last record it has. */
  #continueCatchUp(catchUp: CatchUpInProgress): void {
    const after = catchUp.records[catchUp.records.length - 1].id;
    this.#askPage({
      request: { after, room: catchUp.welcome.room },
      limit: PAGE_LIMIT,
      answered: (page) => this.#catchUpPage(catchUp, page),
      lost: () => {},
    });
  }

  #catchUpPage(catchUp: CatchUpInProgress, page: PageFrame): void {
    if (this.#catchUp !== catchUp) return;
    let last = catchUp.records[catchUp.records.length - 1].id;
    for (const record of page.records) {
      // Records after `until` came live and wait in heldBack.
      if (record.id <= last || record.id > catchUp.until) continue;
      catchUp.records.push(record);
      last = record.id;
    }
    const done = !page.more || page.records.length === 0 || last >= catchUp.until ||
      page.records[page.records.length - 1].id >= catchUp.until;
    if (!done) return this.#continueCatchUp(catchUp);
    this.#catchUp = undefined;
    const welcome = { ...catchUp.welcome, history: catchUp.records, more: false };
    this.#showWelcome(welcome, catchUp.arrival);
    // Handled again in order: a `joined` among them may start the next room's catch-up.
    for (const frame of catchUp.heldBack) this.#handle(frame);
  }

  /** Reports a room's welcome with its records (the whole catch-up), marking them seen. */
  #showWelcome(welcome: WelcomeFrame, arrival: RoomArrival): void {
    if (arrival.welcome) {
      // The server's welcome: what we send may go now.
      this.#pacer.setLimits(welcome.limits ?? {});
      this.#pacer.resume();
    }
    this.#everJoined = true;
    const records = welcome.history.filter((record) => this.#accept(record));
    this.#save();
    const { rejoined, roomChanged, added } = arrival;
    this.#emit({
      type: "joined",
      welcome,
      records,
      rejoined,
      roomChanged,
      welcomed: arrival.welcome,
      ...(added ? { added } : {}),
    });
    this.#firstJoin.resolve("joined");
  }

  /** True for a record not seen before; remembers it. Also follows our own renames. */
  #accept(record: RoomRecord): boolean {
    if (isPrivateRecord(record)) {
      // Private messages and files are between people: their ids come from a log of their own.
      if (this.#privateIds.has(record.id)) return false;
      this.#privateIds.add(record.id);
      return true;
    }
    // A record without a room is of the first room (a server that names none has only one).
    const room = record.room ?? this.#welcome?.room;
    const place = room === undefined ? undefined : this.#rooms.get(roomKey(room));
    if (place) {
      if (record.id <= place.lastId) return false;
      place.lastId = record.id;
    }
    if (record.type === "nick" && nameKey(record.from) === nameKey(this.#name)) {
      // The token now proves the new name, so the place moves with it.
      this.#options.saved?.forget(this.#name);
      this.#name = record.to;
    }
    if (this.#joined) this.#save();
    return true;
  }

  /** Saves our place (the rooms, the token, the last id of each) under the current name. */
  #save(): void {
    const [first, ...others] = this.#rooms.values();
    if (first === undefined || this.#session === undefined || this.#log === undefined) return;
    this.#options.saved?.remember(this.#name, {
      room: `${this.#log}${PLACE_SEPARATOR}${roomKey(first.name)}`,
      session: this.#session,
      lastId: first.lastId,
      ...(others.length > 0
        ? { rooms: others.map(({ name, lastId }) => ({ room: name, lastId })) }
        : {}),
    });
  }

  /** Takes back the place an earlier run saved for our name. */
  #recall(saved: ServerSessions): void {
    const place = saved.recall(this.#name);
    this.#session = place?.session;
    this.#rooms.clear();
    this.#log = undefined;
    if (!place) return;
    const [log, room] = place.room.split(PLACE_SEPARATOR);
    if (room === undefined) return;
    this.#log = log;
    for (const { room: name, lastId } of [{ room, lastId: place.lastId }, ...place.rooms ?? []]) {
      this.#rooms.set(roomKey(name), { name, lastId });
    }
  }

  #hello(): ClientFrame {
    // Not joined yet in this run: present the place an earlier run saved for this name.
    if (!this.#everJoined && this.#options.saved) this.#recall(this.#options.saved);
    const resume = this.#session === undefined ? {} : { resume: this.#session };
    // Go back to our rooms, each caught up from the last record we saw there. A hello
    // carries no keys: private rooms we have the key of come back with a `join` each,
    // after the welcome.
    const places = [...this.#rooms.values()];
    const [first, ...others] = places.filter((place) => !this.#keys.has(roomKey(place.name)));
    this.#askedRoom = first === undefined ? undefined : roomKey(first.name);
    const log = this.#log === undefined ? {} : { log: this.#log };
    const where = first === undefined ? {} : { room: first.name };
    const since = first !== undefined && first.lastId > 0 ? { since: first.lastId } : {};
    const rooms = others.length === 0 ? {} : {
      rooms: others.map(({ name, lastId }) => ({
        room: name,
        ...(lastId > 0 ? { since: lastId } : {}),
      })),
    };
    this.#rejoining = new Set(
      places.filter((place) => place !== first).map((place) => roomKey(place.name)),
    );
    const password = this.#password === undefined ? {} : { password: this.#password };
    // Only the first join of a run asks; a reconnect takes back what was ours.
    const takeOver = this.#options.takeOver === false && !this.#everJoined &&
        !this.#takeOverConfirmed
      ? { takeOver: false }
      : {};
    return {
      type: "hello",
      version: PROTOCOL_VERSION,
      name: this.#name,
      ...password,
      ...resume,
      ...where,
      ...since,
      ...log,
      multiRoom: true,
      ...rooms,
      ...takeOver,
    };
  }

  #write(frame: ClientFrame): void {
    const conn = this.#conn;
    if (!conn) return;
    const line = encodeFrame(frame);
    const bytes = utf8.encode(line);
    this.#pacer.spend(frame, line);
    this.#writing = this.#writing.then(async () => {
      for (let written = 0; written < bytes.length;) {
        written += await conn.write(bytes.subarray(written));
      }
    }).catch(() => closeQuietly(conn));
  }

  #emit(event: ConnectionEvent): void {
    this.#options.onEvent(event);
  }
}

/** Between the server's log id and the room name in a saved place's `room`. */
const PLACE_SEPARATOR = " ";

/**
 * One sentence saying which side to update, from the server's refusal of our
 * version: a server of protocol 2 or later says its version; one of version 1
 * only says so in words.
 */
export function versionMismatch(frame: { message: string; version?: number }): string {
  const theirs = frame.version ??
    Number(/protocol version (\d+)/.exec(frame.message)?.[1] ?? PROTOCOL_VERSION - 1);
  return theirs < PROTOCOL_VERSION
    ? `The server runs an older chat (protocol ${theirs}, this client ${PROTOCOL_VERSION}): ask whoever runs it to update chat, or join with an older chat.`
    : `The server runs a newer chat (protocol ${theirs}, this client ${PROTOCOL_VERSION}): update chat on this computer to join.`;
}

/**
 * Frames that wait while a catch-up is fetched, so they follow it in order:
 * live records and replies. Pages, pings, errors and the goodbye do not wait.
 */
function isHeldBackDuringCatchUp(frame: ServerFrame): boolean {
  return frame.type !== "page" && frame.type !== "ping" && frame.type !== "pong" &&
    frame.type !== "bye" && frame.type !== "error" && frame.type !== "welcome";
}

/**
 * Checks that the room's computer answers as a chat room — and, over TLS,
 * that its certificate is trusted (a first visit asks) — without joining, so
 * nothing is asked of a person before that is known: it sends a `ping` and
 * waits for our protocol to answer. Throws {@linkcode UnreachableError} or
 * {@linkcode CannotJoinError} (not a chat room, or silent).
 */
export async function checkReachable(
  options: Pick<
    ConnectionOptions,
    "host" | "port" | "tls" | "connectTimeoutMs" | "answerTimeoutMs"
  >,
): Promise<void> {
  const { host, port, tls, connectTimeoutMs = 10_000, answerTimeoutMs = 5000 } = options;
  let conn: Deno.Conn;
  try {
    conn = tls
      ? await connectTls(host, port, tls, connectTimeoutMs)
      : await Deno.connect({ hostname: host, port, signal: AbortSignal.timeout(connectTimeoutMs) });
  } catch (error) {
    if (error instanceof CannotJoinError) throw error;
    throw new UnreachableError(host, port, describeConnectError(error), error);
  }
  const timer = setTimeout(() => closeQuietly(conn), answerTimeoutMs);
  try {
    await conn.write(utf8.encode(encodeFrame({ type: "ping", data: "reachable" }))).catch(() => {});
    const buffer = new Uint8Array(256);
    const count = await conn.read(buffer).catch(() => null);
    if (count === null) throw silentServer(host, port);
    const first = buffer.subarray(0, count);
    if (!speaksOurProtocol(first)) throw notAChatRoom(host, port, new TextDecoder().decode(first));
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

/** A short phrase for why a connection failed: "connection refused", "no such host", … */
function describeConnectError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (error instanceof Deno.errors.ConnectionRefused || code === "ECONNREFUSED") {
    return "connection refused";
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "no such host";
  if (code === "ETIMEDOUT") return "no answer";
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset";
  // The connection was closed under a pending read or write ("bad resource id"): not for a person.
  if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
    return "connection closed";
  }
  if (error instanceof Deno.errors.TimedOut) return "no answer";
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "not allowed to connect";
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/lookup address|name or service|no such host|nodename/i.test(message)) return "no such host";
  if (/network is unreachable|unreachable/i.test(message)) return "network unreachable";
  if (/connection reset|broken pipe|os error 10054/i.test(message)) return "connection reset";
  return message.replace(/ \(os error \d+\)$/, "").toLowerCase();
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** One line for a dropped connection: why, and when the next try is. */
export function retryNotice(event: { reason: string; retryInMs: number }): string {
  return `Connection lost (${event.reason}); reconnecting in ${
    Math.ceil(event.retryInMs / 1000)
  }s…`;
}

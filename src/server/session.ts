/**
 * A session adapts one connection to the room, whatever carries it (TCP,
 * TLS, WebSocket: see transports/frame_conn.ts). It runs the handshake
 * (password, then name) in the peer's dialect (JSON frames, or plain text
 * from `nc` and `telnet`), rate-limits what arrives, turns input into room
 * actions and room frames into the connection's wire format. One bad
 * connection only ever closes itself.
 *
 * @module
 */

import { PLAIN_GREETING, PROTOCOL_VERSION, SEED_QUIT_WORD } from "../protocol/constants.ts";
import { isRefusal, parseClientFrame } from "../protocol/codec.ts";
import type { ByeCode, Refusal } from "../protocol/errors.ts";
import type {
  ByeFrame,
  HelloFrame,
  HistoryFrame,
  ServerFrame,
  UploadFrame,
} from "../protocol/frames.ts";
import { ClientRooms, type ServerPlaces } from "./rooms/client_rooms.ts";
import { hostPort } from "../protocol/host_port.ts";
import { type LeaveKind, leaveKindOf } from "../protocol/leave.ts";
import type { Limits } from "../protocol/limits.ts";
import { sanitizeLine, sanitizeText } from "../text/sanitize.ts";
import { type Admission, mustWaitMessage } from "./admission.ts";
import { runCommand } from "./commands.ts";
import { OutboundQueue } from "./outbound_queue.ts";
import { Outgoing } from "./outgoing.ts";
import type { Member } from "./room.ts";
import { FloodGuard } from "./flood_guard.ts";
import { lineCost } from "../protocol/line_cost.ts";
import { PasswordAttempts } from "./password_attempts.ts";
import { PageRequests } from "./page_requests.ts";
import { EventWriter } from "./plain_output_style.ts";
import type { FrameConn, FrameEvents, ReceiveEnd } from "./transports/frame_conn.ts";
import type { FileService } from "./files/file_service.ts";
import { PRIVATE_LOG } from "./rooms/clients.ts";
import { roomKey } from "./rooms/room_name.ts";

/** What a session shares with its server. */
export interface SessionOptions {
  /** The server's clients and rooms. */
  places: ServerPlaces;
  limits: Limits;
  admission: Admission;
  /** Where the session reports problems worth an operator's attention. */
  log(line: string): void;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** Runs before every write (the server commits its store, so what is sent is on disk). */
  beforeWrite?: () => void;
  /** Told to this connection as an `info` right after its welcome (e.g. the TLS fingerprint). */
  joinNote?: string;
  /** File sharing; absent with `--no-files`. */
  files?: FileService;
}

const CLOSE_FLUSH_MS = 2000;

const NAME_PROMPT = "Type your name and press Enter to join (up to 24 characters, no spaces).";
const PASSWORD_PROMPT = "This room has a password: type it and press Enter.";
const HOW_TO_TALK = "Then type to talk to everyone; /help lists commands, /quit leaves.";

const utf8 = new TextEncoder();

/** One connection's life: handshake, chat, goodbye. */
export class Session implements Member, FrameEvents {
  name = "";
  /** The peer's IP address, for bans and per-address limits. */
  readonly address: string;
  /** The peer's address and port, for logs. */
  readonly remote: string;
  readonly #conn: FrameConn;
  readonly #options: SessionOptions;
  readonly #queue: OutboundQueue;
  readonly #flood: FloodGuard;
  readonly #passwords: PasswordAttempts;
  /** Made at the first history request: most sessions never page. */
  #pageRequests: PageRequests | undefined;
  /**
   * One write per event, for a peer that reads so (see `FrameConn.perWriteStyle`);
   * made for the first such event, so other sessions don't carry one.
   */
  #eventWriter: EventWriter | undefined;
  readonly #now: () => number;
  /** True once the peer's first line arrived (its dialect is known then). */
  #heard = false;
  #passwordAccepted: boolean;
  #joined = false;
  /**
   * Our name and rooms while we have them. The rule that keeps rooms free of
   * ghosts: a closed session holds no membership. #close releases them when
   * the session ends, #enter releases those granted to a session that ended
   * while it was being welcomed, and run()'s finally — the one exit every
   * ending goes through — releases whatever is left.
   */
  #membership: ClientRooms | undefined;
  /** Why we left, for the room; set when the session ends. */
  #leaveReason: string | undefined;
  /** Whose words `#leaveReason` is: the member's own (`quit`) or the server's. */
  #leaveKind: LeaveKind = "disconnected";
  #closed = false;
  /** A quit arrived: nothing more is read, and the goodbye follows in the next turn. */
  #quitting = false;
  #greeted = false;
  readonly #openedAt: number;
  #lastHeardAt: number;
  #pingSentAt = 0;
  /** Bytes given to the queue so far, and bytes written to the connection (for `delivered`). */
  #queuedBytes = 0;
  #writtenBytes = 0;
  /** Who waits for the bytes queued so far to be written (see {@linkcode delivered}). */
  #writeWaiters: Array<{ upTo: number; resolve: (written: boolean) => void }> = [];

  /** Wraps an accepted connection; call {@linkcode run} to start it. */
  constructor(conn: FrameConn, options: SessionOptions) {
    this.#conn = conn;
    this.address = conn.peer.address;
    this.remote = hostPort(conn.peer.address, conn.peer.port);
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#openedAt = this.#lastHeardAt = this.#now();
    this.#passwordAccepted = !options.admission.passwordRequired;
    this.#flood = new FloodGuard(options.limits, this.#openedAt);
    this.#passwords = new PasswordAttempts(options.admission, this.address);
    const sink = {
      write: (bytes: Uint8Array) => {
        options.beforeWrite?.();
        return conn.write(bytes).then((count) => {
          this.#wrote(count);
          return count;
        });
      },
    };
    this.#queue = new OutboundQueue(sink, options.limits.maxQueueBytes, {
      onOverflow: () => this.#slowConsumer(),
      onWriteError: () => this.#close({ leaveReason: "connection lost", immediate: true }),
    });
  }

  get #pages(): PageRequests {
    return this.#pageRequests ??= new PageRequests(this.#now);
  }

  get #events(): EventWriter {
    return this.#eventWriter ??= new EventWriter(
      this.#queue,
      this.#options.limits.maxQueueBytes,
      () => this.#slowConsumer(),
    );
  }

  /** True once the session has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True after the handshake succeeded. */
  get joined(): boolean {
    return this.#joined;
  }

  /**
   * Reads until the connection ends, then leaves the room and calls `done`.
   * Never throws. (A connection refused at the door gets no session: see
   * turn_away.ts.) Chained, not async: every session waits here for as long
   * as it lives, and a suspended async function costs about 0.5 KB a session.
   */
  run(done: () => void): void {
    const finish = (end?: ReceiveEnd) => {
      try {
        if (end) this.#ended(end);
      } finally {
        this.#leaveRoom();
        done();
      }
    };
    this.#conn.receive(this).then(finish, (error) => {
      // A fault of ours while reading: this connection ends, the room goes on.
      this.#options.log(`${this.#who()} hit an internal error and was dropped: ${error}`);
      finish("lost");
    });
  }

  /** The connection ended (`end` says how): closes the session, unless it closed first. */
  #ended(end: ReceiveEnd): void {
    if (this.#closed) return;
    if (end === "lost") this.#close({ leaveReason: "connection lost", immediate: true });
    else if (end === "handed-over") this.#close({ immediate: true });
    else this.#close({ leaveReason: this.#joined ? "connection closed" : undefined });
  }

  /** True when the peer speaks JSON frames (not plain text). */
  get #structured(): boolean {
    return this.#conn.dialect === "json";
  }

  /** Queues a frame in this client's wire format. */
  deliver(out: Outgoing): void {
    if (this.#closed) return;
    const style = this.#conn.perWriteStyle;
    if (style) {
      const events = style.frameEvents(out.frame);
      for (const event of events) this.#queuedBytes += event.length;
      return this.#events.push(events);
    }
    const bytes = this.#conn.encode(out);
    this.#queuedBytes += bytes.length;
    this.#queue.push(bytes);
  }

  /** Resolves true once everything delivered so far is written, false if the connection ends first. */
  delivered(): Promise<boolean> {
    if (this.#writtenBytes >= this.#queuedBytes) return Promise.resolve(!this.#closed);
    if (this.#closed) return Promise.resolve(false);
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#writeWaiters.push({ upTo: this.#queuedBytes, resolve });
    return promise;
  }

  #wrote(count: number): void {
    this.#writtenBytes += count;
    if (this.#writeWaiters.length === 0) return;
    const done = this.#writeWaiters.filter((waiter) => waiter.upTo <= this.#writtenBytes);
    if (done.length === 0) return;
    this.#writeWaiters = this.#writeWaiters.filter((waiter) => waiter.upTo > this.#writtenBytes);
    for (const waiter of done) waiter.resolve(true);
  }

  /** Closes the session with a goodbye frame; the room hears `leaveReason` if it still has us. */
  disconnect(code: ByeCode, message: string, leaveReason?: string): void {
    this.#close({ bye: { type: "bye", code, message }, leaveReason });
  }

  /** Says goodbye for a server shutdown, without announcing anything to the room. */
  shutdown(message: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#membership?.forget();
    this.#membership = undefined;
    return this.#close({ bye: { type: "bye", code: "shutdown", message } });
  }

  /**
   * Called about once a second by the server: closes connections that never
   * finished the handshake, pings silent structured clients and drops those that do not answer.
   */
  tick(now: number, ping: () => Outgoing): void {
    if (this.#closed) return;
    const { handshakeTimeoutMs, idleTimeoutMs, pingTimeoutMs } = this.#options.limits;
    if (!this.#joined) {
      if (now - this.#openedAt > handshakeTimeoutMs) {
        const seconds = Math.round(handshakeTimeoutMs / 1000);
        this.#close({
          bye: {
            type: "bye",
            code: "handshake_timeout",
            message: `No name was chosen within ${seconds} seconds; reconnect to try again.`,
          },
        });
      }
      return;
    }
    if (!this.#structured) return;
    if (this.#pingSentAt === 0 && now - this.#lastHeardAt > idleTimeoutMs) {
      this.#pingSentAt = now;
      this.deliver(ping());
    } else if (this.#pingSentAt !== 0 && now - this.#pingSentAt > pingTimeoutMs) {
      this.#options.log(`${this.#who()} did not answer a ping; dropping it.`);
      this.#close({ leaveReason: "timed out", immediate: true });
    }
  }

  // ------------------------------------------------------------------ input

  /** One message from the peer (see {@linkcode FrameEvents.frame}). */
  frame(line: string, pasted: boolean): void {
    if (this.#closed || this.#quitting) return;
    this.#lastHeardAt = this.#now();
    this.#pingSentAt = 0;
    // Page requests have their own budget (PageRequests): catching up is not flooding.
    if (this.#askPage(line)) return;
    // Lines that arrive together from a plain-text client are a paste: they cost little,
    // unless they are big (a paste costs by its size too).
    if (this.#withinRate(lineCost(line, pasted))) this.#handleLine(line);
  }

  /** The peer has said nothing so far: greet it (see {@linkcode FrameEvents.silent}). */
  silent(): void {
    this.#greet();
  }

  /** The peer sent a line over the limit (see {@linkcode FrameEvents.tooLong}). */
  tooLong(): void {
    if (this.#closed) return;
    const limit = this.#options.limits.maxLineBytes;
    this.#options.log(`${this.#who()} sent a line over ${limit} bytes; closing it.`);
    this.#close({
      bye: {
        type: "bye",
        code: "line_too_long",
        message: `A line was longer than ${limit} bytes, the limit; the connection is closed.`,
      },
      leaveReason: "sent a line that was too long",
    });
  }

  /**
   * Applies the rate limit to one line: refused lines are dropped with a
   * warning (at most one a second), and a sender that keeps flooding is disconnected.
   */
  #withinRate(cost: number): boolean {
    switch (this.#flood.check(cost, this.#now())) {
      case "accept":
        return true;
      case "warn":
        this.#refuse({
          code: "rate_limited",
          message:
            `You are sending too fast (limit: ${this.#options.limits.ratePerSecond} a second); ` +
            "that was not sent. Slow down, or you will be disconnected.",
        });
        return false;
      case "disconnect":
        this.#options.log(`${this.#who()} kept flooding; disconnecting it.`);
        this.#close({
          bye: {
            type: "bye",
            code: "flood",
            message: "You kept sending faster than this room allows, so you were disconnected.",
          },
          leaveReason: "disconnected for flooding",
        });
        return false;
      case "drop":
        return false;
    }
  }

  #handleLine(line: string): void {
    if (!this.#heard) {
      this.#heard = true;
      if (!this.#structured) this.#greet();
    }
    if (this.#structured) this.#handleFrame(line);
    else this.#handlePlainLine(line);
  }

  #handlePlainLine(raw: string): void {
    if (this.#joined) {
      const line = sanitizeLine(raw).trim();
      if (line !== "") this.#handleInput(line);
      return;
    }
    // The handshake takes lines as typed: control characters in a name are refused, not cleaned.
    const line = raw.trim();
    if (line === "") return;
    if (isQuitWord(line) || line === "/quit") return this.#quit();
    if (!this.#passwordAccepted) {
      return this.#tryPassword(line, () => {
        this.#sendText(`-- Password accepted.\r\n${NAME_PROMPT}\r\n`);
      });
    }
    const tooOften = this.#options.admission.join(this.address, this.#now());
    if (tooOften) return void this.#close({ bye: tooOften });
    const joined = ClientRooms.enter(this.#options.places, this, {
      name: line,
      canResume: false,
      note: this.#options.joinNote,
      address: this.address,
    });
    if (isRefusal(joined)) this.#sendText(`!! ${joined.message}\r\nType another name:\r\n`);
    else this.#enter(joined);
  }

  #handleFrame(line: string): void {
    const frame = parseClientFrame(line);
    if (isRefusal(frame)) return this.#refuse(frame);
    switch (frame.type) {
      case "hello":
        return this.#hello(frame);
      case "send":
        if (!this.#joined) return this.#refuse(NOT_JOINED);
        return this.#handleInput(sanitizeText(frame.text, { multiline: true }).trim(), frame.room);
      case "ping":
        return this.#send({
          type: "pong",
          ...(frame.data === undefined ? {} : { data: frame.data }),
        });
      case "pong":
        return;
      case "quit":
        return this.#quit(frame.reason);
      case "history":
        return this.#history(frame);
      case "join": {
        if (!this.#membership) return this.#refuse(NOT_JOINED);
        // The refusal names the room, so a client coming back can drop the one it could not re-enter.
        const refused = this.#membership.join(frame.room, frame.since, frame.key);
        return this.#refuseIf(refused, frame.room);
      }
      case "part":
        if (!this.#membership) return this.#refuse(NOT_JOINED);
        return this.#refuseIf(this.#membership.part(frame.room));
      case "upload":
        return this.#upload(frame);
    }
  }

  /**
   * Answers `upload` with a one-time upload address (files/file_service.ts);
   * the file's record is posted once its bytes arrive, if we are still there.
   */
  #upload(frame: UploadFrame): void {
    const refuse = (refusal: Refusal) => this.#send({ type: "error", ...refusal, ref: frame.ref });
    const files = this.#options.files;
    if (!files) {
      return refuse({
        code: "files_off",
        message: "This server does not take files (it runs with --no-files).",
      });
    }
    const membership = this.#membership;
    if (!membership) return refuse(NOT_JOINED);
    const still = () => this.#membership === membership && !this.#closed;
    const gone: Refusal = { code: "not_joined", message: "You left before the file arrived." };
    let room: string;
    let post: Parameters<FileService["slot"]>[0]["post"];
    if (frame.to !== undefined) {
      const to = frame.to;
      const clients = this.#options.places.clients;
      if (!clients.find(to)) {
        return refuse({
          code: "no_such_member",
          message: `Nobody called "${to}" is here; private files go to members who are.`,
        });
      }
      room = PRIVATE_LOG;
      post = (file) => still() ? clients.shareFile(membership.client, to, file) : gone;
    } else {
      const target = membership.roomNamed(frame.room);
      if ("code" in target) return refuse(target);
      room = roomKey(target.name);
      post = (file) => still() ? membership.shareFile(file, target) : gone;
    }
    const answer = files.slot({
      holder: membership.client.holder,
      name: frame.name,
      size: frame.size,
      ref: frame.ref,
      room,
      post,
    });
    if ("code" in answer) refuse(answer);
    else this.#send(answer);
  }

  #refuseIf(refusal: Refusal | undefined, room?: string): void {
    if (refusal) this.#refuse(refusal, room);
  }

  /** Handles `line` if it is a joined structured client's `history` request; says whether it was. */
  #askPage(line: string): boolean {
    if (!this.#joined || !this.#structured || !line.includes('"history"')) return false;
    const frame = parseClientFrame(line);
    if (isRefusal(frame) || frame.type !== "history") return false;
    this.#history(frame);
    return true;
  }

  /** Answers a `history` request with a page, paced by {@linkcode PageRequests}. */
  #history(frame: HistoryFrame): void {
    if (this.#closed) return; // (no page budget is made for a session that is over)
    if (!this.#joined) return this.#refuse(NOT_JOINED);
    if ((frame.before === undefined) === (frame.after === undefined)) {
      return this.#refuse({
        code: "bad_arguments",
        message: 'A "history" frame needs exactly one of "before" and "after".',
      });
    }
    const refusal = this.#pages.ask(() => {
      const page = this.#membership?.page(frame);
      if (page === undefined) return;
      if ("code" in page) return this.#refuse(page);
      void page.then((answer) => this.#send(answer));
    });
    if (refusal) this.#refuse(refusal);
  }

  #hello(frame: HelloFrame): void {
    if (this.#joined) {
      return this.#refuse({ code: "already_joined", message: "You have already joined." });
    }
    if (frame.version !== PROTOCOL_VERSION) return this.#wrongVersion(frame.version);
    if (!this.#passwordAccepted) {
      return this.#tryPassword(frame.password, () => this.#hello(frame));
    }
    const tooOften = this.#options.admission.join(this.address, this.#now());
    if (tooOften) return void this.#close({ bye: tooOften });
    const since = Number.isSafeInteger(frame.since) ? frame.since : undefined;
    const joined = ClientRooms.enter(this.#options.places, this, {
      name: frame.name,
      resume: frame.resume,
      room: frame.room,
      since,
      log: frame.log,
      multiRoom: frame.multiRoom,
      rooms: frame.rooms,
      takeOver: frame.takeOver,
      note: this.#options.joinNote,
      address: this.address,
    });
    if (isRefusal(joined)) return this.#refuse(joined);
    this.#enter(joined);
  }

  /** Says which side to update when the client speaks another protocol version. */
  #wrongVersion(version: number): void {
    const message = version < PROTOCOL_VERSION
      ? `This server runs a newer chat (protocol ${PROTOCOL_VERSION}, yours ${version}): update chat on your side to join.`
      : `This server runs an older chat (protocol ${PROTOCOL_VERSION}, yours ${version}): ask whoever runs it to update chat.`;
    this.#send({ type: "error", code: "unsupported_version", message, version: PROTOCOL_VERSION });
  }

  /** Takes the name and rooms the server granted; released at once if the welcome already ended us. */
  #enter(membership: ClientRooms): void {
    this.#joined = true;
    this.#membership = membership;
    if (this.#closed) this.#leaveRoom();
  }

  /** Gives up our place in the room, if we still have one, announced with the leave reason. */
  #leaveRoom(): void {
    const membership = this.#membership;
    this.#membership = undefined;
    membership?.leave(this.#leaveReason, this.#leaveKind);
  }

  /**
   * Checks a password. Right: runs `accepted`. Wrong: says so at once, and how
   * long the address must wait when it has failed too often; tries made while
   * it waits are refused unchecked, whatever connection they come from.
   */
  #tryPassword(candidate: string | undefined, accepted: () => void): void {
    const attempt = this.#passwords.try(candidate, this.#now());
    switch (attempt.outcome) {
      case "accepted":
        this.#passwordAccepted = true;
        return accepted();
      case "wait":
        return this.#refuse({
          code: "too_many_attempts",
          message: mustWaitMessage(attempt.seconds),
        });
      case "wrong": {
        if (attempt.last) {
          return void this.#close({
            bye: {
              type: "bye",
              code: "too_many_attempts",
              message: "Too many wrong passwords; the connection is closed.",
            },
          });
        }
        const wait = attempt.waitSeconds === 0
          ? ""
          : ` Too many wrong tries from your address: wait ${attempt.waitSeconds} s first.`;
        const message = candidate === undefined
          ? "This room needs a password. Ask whoever runs it, then join with it."
          : `Wrong password. Check it with whoever runs the room and try again.${wait}`;
        if (this.#structured) this.#refuse({ code: "wrong_password", message });
        else this.#sendText(`!! ${message}\r\nType the password:\r\n`);
      }
    }
  }

  /** Input from a joined member, already cleaned: a command or a message (in `room`, if named). */
  #handleInput(text: string, room?: string): void {
    if (text === "") {
      return this.#refuse({ code: "empty_message", message: "Empty messages are not sent." });
    }
    if (isQuitWord(text)) return this.#quit();
    if (text.startsWith("/") && !text.startsWith("//")) {
      const rooms = this.#membership!;
      // A command sent in a room (`/me`, `/topic`, `/who`, …) acts there, not in the current one.
      const inRoom = room === undefined ? rooms.current : rooms.roomNamed(room);
      if (inRoom !== undefined && "code" in inRoom) return this.#refuse(inRoom);
      const refusal = runCommand({
        room: inRoom ?? this.#options.places.rooms.defaultRoom,
        rooms,
        places: this.#options.places,
        member: this,
        reply: (frame) => this.#send(frame),
        quit: (reason) => this.#quit(reason),
      }, text);
      if (refusal) this.#refuse(refusal);
      return;
    }
    const message = text.startsWith("//") ? text.slice(1) : text;
    const limit = this.#options.limits.maxMessageChars;
    // A string has at least as many UTF-16 units as code points: count only when it could be over.
    const length = message.length > limit ? [...message].length : message.length;
    if (length > limit) {
      return this.#refuse({
        code: "message_too_long",
        message: `That message has ${length} characters; the limit is ${limit}. It was not sent.`,
      });
    }
    const refused = this.#membership?.say(message, room);
    if (refused) this.#refuse(refused);
  }

  #quit(reason?: string): void {
    const why = reason ? sanitizeLine(reason).slice(0, 100) : undefined;
    // Nothing after the quit is read. What the frames before it started in a room (a /join's
    // welcome, read from the room's log) reaches the client first: the embedded log answers
    // within this turn's promises, so the goodbye waits for the next turn. (A log over the
    // network will need the session to wait for its room operations instead.)
    this.#quitting = true;
    setTimeout(() => {
      this.#close({ bye: { type: "bye", code: "quit", message: "Goodbye!" }, leaveReason: why });
    }, 0);
  }

  // ------------------------------------------------------------------ output

  #greet(): void {
    if (this.#greeted || this.#closed || this.#structured) return;
    this.#greeted = true;
    const ask = this.#passwordAccepted ? NAME_PROMPT : PASSWORD_PROMPT;
    this.#sendText(`${PLAIN_GREETING}\r\n${ask}\r\n${HOW_TO_TALK}\r\n`);
  }

  #send(frame: ServerFrame): void {
    this.deliver(new Outgoing(frame));
  }

  #sendText(text: string): void {
    if (this.#closed) return;
    const style = this.#conn.perWriteStyle;
    const events = style ? style.textEvents(text) : [utf8.encode(text)];
    for (const event of events) this.#queuedBytes += event.length;
    if (style) this.#events.push(events);
    else this.#queue.push(events[0]);
  }

  /** Sends an `error`; `room` when it refuses entering that room. */
  #refuse(refusal: Refusal, room?: string): void {
    const { code, message } = refusal;
    this.#send({ type: "error", code, message, ...(room === undefined ? {} : { room }) });
  }

  #slowConsumer(): void {
    const limit = this.#options.limits.maxQueueBytes;
    this.#options.log(`${this.#who()} stopped reading (over ${limit} bytes queued); dropping it.`);
    this.#close({ leaveReason: "too slow (stopped reading)", immediate: true });
  }

  #who(): string {
    return this.#joined ? `${this.name} (${this.remote})` : this.remote;
  }

  /**
   * Ends the session once: leaves the room (announced with `leaveReason`),
   * sends `bye` if given, then closes the connection after the queue drains
   * (or at once when `immediate`, for peers that cannot be written to).
   */
  async #close(
    options: { bye?: ByeFrame; leaveReason?: string; immediate?: boolean },
  ): Promise<void> {
    if (this.#closed) return;
    if (options.bye) this.#send(options.bye);
    this.#eventWriter?.flush();
    this.#closed = true;
    this.#leaveReason = options.leaveReason;
    this.#leaveKind = leaveKindOf(options.bye?.code);
    this.#pageRequests?.stop();
    this.#leaveRoom();
    if (!options.immediate) await this.#queue.drain(CLOSE_FLUSH_MS);
    this.#queue.stop();
    this.#conn.close();
    // What was not written by now never will be.
    for (const waiter of this.#writeWaiters.splice(0)) waiter.resolve(false);
  }
}

const NOT_JOINED: Refusal = {
  code: "not_joined",
  message: "Send a hello frame with your name before anything else.",
};

function isQuitWord(text: string): boolean {
  return text === SEED_QUIT_WORD;
}

/**
 * The full-screen chat: wires the connection, the line editor, the local
 * commands and the screen together. Keys become edits, commands or
 * messages; connection events become entries on the screen, status changes,
 * and a bell when someone mentions you or writes to you privately.
 *
 * There is one window per room you are in and one per private conversation
 * (see windows.ts): a record goes to its room's window (a private message to
 * the window of the other person), what you type goes to the window shown,
 * and the status bar lists the other windows with unread messages.
 *
 * @module
 */

import { isConversation, type PrivateRecord, type RoomRecord } from "../protocol/frames.ts";
import { isPrivateRecord, type PrivateFileRecord } from "../protocol/private_record.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import { roomKey } from "../server/rooms/room_name.ts";
import {
  type CommandContext,
  commandWords,
  replyTargetAfter,
  type RoomCommands,
  runInput,
} from "./commands.ts";
import { completeWord } from "./completion.ts";
import type { ChatConnection, ConnectionEvent } from "./connection.ts";
import type { Key } from "./key_decoder.ts";
import { LineEditor } from "./line_editor.ts";
import { overLongMessage } from "./message_length.ts";
import type { Entry } from "./render.ts";
import { mentions } from "../text/mentions.ts";
import {
  EARLIER_MARKER,
  END_OF_EARLIER_MARKER,
  GAP_WARNING,
  newMessagesPhrase,
  ROOM_CHANGED,
  welcomeHistory,
} from "./welcome_history.ts";
import { Screen } from "./screen.ts";
import { completeSendPath, FileTransfers, progressLine } from "./file_transfer.ts";
import { foldPresence } from "./presence_fold.ts";
import { ServerPreferences } from "./preferences.ts";
import type { StatusInfo } from "./status_line.ts";
import { type ChatTerminal, onStopSignal } from "./terminal.ts";
import type { Theme } from "./theme.ts";
import { graphemes } from "../text/wrap.ts";
import { type ChatWindow, windowLabel, WindowList } from "./windows.ts";
import { RoomMembers } from "./room_members.ts";

const CHAT_PROMPT = "› ";
/** Prompts of the input line while it answers a question from the server instead of chatting. */
const QUESTION_PROMPTS = { name: "name › ", password: "password › " } as const;

type Question = keyof typeof QUESTION_PROMPTS;

/** Settings of a {@linkcode TerminalChat}. */
export interface TerminalChatOptions {
  connection: ChatConnection;
  terminal: ChatTerminal;
  theme: Theme;
  /** The clock (ms); tests pass their own. */
  now?: () => number;
  /** The preferences for this server (default: kept in memory only). */
  preferences?: ServerPreferences;
  /** Where `/save` puts files (the platform's Downloads folder). */
  downloads?: () => string;
  /** Shared files' names as OSC 8 links (default on; off for terminals that print them as text). */
  hyperlinks?: boolean;
}

/** Said when something typed could not be sent. */
const NOT_CONNECTED = "Not connected right now, so that was not sent.";

/** A second Ctrl-C within this long always leaves, whatever is typed. */
const DOUBLE_INTERRUPT_MS = 1000;

/** Room names in text from the server (`/rooms`, an invitation), remembered for Tab. */
const ROOM_IN_TEXT = /(?<![\w#])#[A-Za-z0-9_-]{1,32}(?![\w-])/g;

/** A running full-screen chat session. */
export class TerminalChat {
  readonly #connection: ChatConnection;
  readonly #terminal: ChatTerminal;
  readonly #screen: Screen;
  readonly #editor: LineEditor;
  readonly #windows = new WindowList();
  /** Members of each room you are in, by room key. */
  readonly #rooms = new Map<string, RoomMembers>();
  /** Rooms whose welcome came and whose first live record did not yet: normally your own join. */
  readonly #ownJoinPending = new Set<string>();
  /** Rooms heard of, for Tab after `/join`. */
  readonly #knownRooms = new Set<string>();
  /** The room window shown last: where commands typed in a private window go. */
  #lastRoom: string | undefined;
  /** The room's longest message, from its welcome. */
  #maxMessageChars: number | undefined;
  #lastPrivateFrom: string | undefined;
  #status: StatusInfo;
  /** What the input line is answering instead of chatting, if anything. */
  #asking: Question | null = null;
  /** Text that was in the input line when a question took it over. */
  #savedInput = "";
  #retryAt = 0;
  #countdown: ReturnType<typeof setInterval> | undefined;
  #outage = false;
  #finished = Promise.withResolvers<number>();
  #done = false;
  readonly #now: () => number;
  readonly #preferences: ServerPreferences;
  /** False while the terminal reports the window in the background. */
  #focused = true;
  /** Messages from others since the window went to the background (shown in the title). */
  #unread = 0;
  /** When Ctrl-C was last pressed (ms), for "a second Ctrl-C always leaves". */
  #lastInterrupt = -Infinity;
  /** True once leaving has begun (it waits for lines held back by the rate). */
  #leaving = false;
  /** `/send` and `/save`, their progress in the status line. */
  readonly #files: FileTransfers;

  /** Prepares the chat; {@linkcode run} starts it. */
  constructor(options: TerminalChatOptions) {
    this.#connection = options.connection;
    this.#terminal = options.terminal;
    this.#now = options.now ?? Date.now;
    this.#preferences = options.preferences ??
      new ServerPreferences(undefined, options.connection.address);
    this.#status = {
      name: options.connection.name,
      address: options.connection.address,
      secure: options.connection.secure,
      members: 0,
      state: "connected",
    };
    this.#screen = new Screen(options.terminal, {
      size: options.terminal.size,
      theme: options.theme,
      me: options.connection.name,
      status: this.#status,
    });
    this.#files = new FileTransfers({
      connection: options.connection,
      downloads: options.downloads ?? (() => "Downloads"),
      hyperlinks: options.hyperlinks ?? true,
      view: {
        progress: (progress) => this.#updateStatus({ transfer: progressLine(progress) }),
        ended: () => this.#updateStatus({ transfer: undefined }),
        info: (text) => this.#print({ kind: "info", ts: Date.now(), text }),
        error: (text) => this.#print({ kind: "error", ts: Date.now(), text }),
      },
    });
    this.#screen.files = this.#files;
    this.#editor = new LineEditor({
      complete: (before, word) =>
        before.startsWith("/send ") ? completeSendPath(before, word) : completeWord(before, word, {
          members: this.#currentRoom()?.members ?? this.#privatePeers(),
          me: this.#connection.name,
          commands: commandWords(),
          rooms: [...this.#roomWindows().map((w) => w.name), ...this.#knownRooms],
          windows: this.#windows.all.map((w) => w.name),
        }),
    });
  }

  /**
   * Draws the screen, shows the events that came before it (the welcome),
   * then runs until the user leaves or the connection ends for good.
   * Resolves with the exit code; the terminal is restored by then.
   */
  run(backlog: ConnectionEvent[]): Promise<number> {
    this.#screen.start();
    this.#showTitle();
    this.#showInput();
    for (const event of backlog) this.handleEvent(event);
    this.#terminal.onResize((size) => this.#screen.resize(size));
    const stopListening = onStopSignal(() => this.#leave());
    this.#terminal.readKeys((keys) => this.#guard(() => this.#onKeys(keys)))
      .then(() => this.#leave(), (error) => this.#fail(error));
    return this.#finished.promise.finally(stopListening);
  }

  /** Reacts to one connection event. */
  handleEvent(event: ConnectionEvent): void {
    this.#guard(() => this.#handleEvent(event));
  }

  #handleEvent(event: ConnectionEvent): void {
    if (this.#done) return;
    switch (event.type) {
      case "joined":
        return this.#joined(event);
      case "record":
        return this.#record(event.record);
      case "reply": {
        const { frame } = event;
        const ts = Date.now();
        if (frame.type === "members") {
          // Shown where /who was typed; the members are those of the room it asked about.
          const room = frame.room ? this.#windows.room(frame.room) : this.#windows.current;
          if (room?.kind === "room") this.#setMembers(room.name, frame.members);
          return this.#print({ kind: "members", ts, members: frame.members, away: frame.away });
        }
        if (frame.type === "info") {
          for (const [name] of frame.text.matchAll(ROOM_IN_TEXT)) this.#knownRooms.add(name);
          return this.#print({ kind: "info", ts, text: frame.text });
        }
        return this.#print({ kind: "error", ts, text: frame.message });
      }
      case "parted":
        return this.#parted(event.room, event.reason, event.refused);
      case "name_refused":
        return this.#ask("name", event.message);
      case "password_needed":
        return this.#ask("password", event.message);
      case "waiting":
        return this.#updateStatus({ waiting: event.count });
      case "connecting":
        if (this.#outage) this.#updateStatus({ state: "reconnecting", retryInSeconds: 0 });
        return;
      case "disconnected":
        return this.#disconnected(event);
      case "ended":
        return this.#end(
          event.failed || (event.bye && event.bye.code !== "quit") ? 1 : 0,
          event.reason,
        );
    }
  }

  /** We are in a room: the server's welcome, a room we came back to, or one we joined. */
  #joined(event: Extract<ConnectionEvent, { type: "joined" }>): void {
    const { welcome, records, rejoined, roomChanged, welcomed, added } = event;
    this.#stopCountdown();
    this.#outage = false;
    this.#asking = null;
    this.#screen.setMe(welcome.name);
    this.#maxMessageChars = welcome.limits?.maxMessageChars;
    const first = this.#windows.all.length === 0;
    const window = this.#windows.openRoom(welcome.room);
    // The first window takes over what the screen showed before it (a refused name, say).
    if (first) {
      window.scrollback = this.#screen.shown;
      this.#lastRoom = window.name;
    }
    this.#rooms.set(roomKey(welcome.room), new RoomMembers(welcome.members, welcome.count));
    this.#ownJoinPending.add(roomKey(welcome.room));
    this.#updateStatus({ name: welcome.name, state: "connected" });
    if (added) this.#show(window);
    if (rejoined && welcomed) {
      const ts = Date.now();
      const notes: Entry[] = [{ kind: "note", ts, text: `Reconnected as ${welcome.name}.` }];
      if (roomChanged) notes.push({ kind: "note", ts, text: ROOM_CHANGED });
      this.#print(notes);
    }
    const history = welcomeHistory(welcome, records);
    // Private messages and files among them go to their conversations' windows; the rest is the room's.
    const privates = history.records.filter(isPrivateRecord);
    const roomRecords = history.records.filter((record) => !isPrivateRecord(record));
    const entries = this.#arrivalEntries(event);
    entries.push(...this.#roomHistoryEntries(window, history.kind, roomRecords, history.gap));
    if (welcomed && !rejoined && !added) {
      entries.push({
        kind: "note",
        ts: Date.now(),
        text: "Type a message and press Enter. /help lists commands, Ctrl-C leaves.",
      });
    }
    this.#print(entries, window);
    this.#showPrivateHistory(privates, history.kind === "catch-up");
    // Members come from the welcome; history only tells who wrote to you privately.
    for (const record of history.records) this.#notePrivateSender(record);
    // What you missed may call for you (a kept private message): one bell for all of it.
    if (
      history.kind === "catch-up" && this.#preferences.current.bell &&
      history.records.some((r) => this.#callsForYou(r) && !this.#ignored(r))
    ) {
      this.#screen.bell();
    }
    this.#showWindowStatus();
    this.#showInput();
  }

  /** What a room's window says on entering it: the greeting, or where you are now; the topic. */
  #arrivalEntries(event: Extract<ConnectionEvent, { type: "joined" }>): Entry[] {
    const { welcome, rejoined, added } = event;
    const ts = Date.now();
    if (rejoined) return [];
    const lead = added
      ? `You are now in ${welcome.room}.`
      : `Welcome, ${welcome.name}! You are in ${welcome.room}.`;
    const entries: Entry[] = [{ kind: "members", ts, members: welcome.members, lead }];
    if (welcome.motd && !added) entries.push({ kind: "info", ts, text: welcome.motd });
    if (welcome.topic) entries.push({ kind: "info", ts, text: `Topic: ${welcome.topic}` });
    return entries;
  }

  /**
   * A room's records from its welcome: earlier messages between their
   * markers, or what you missed there under `#room: N new messages since you
   * left` (counted in the activity list when the window is not shown).
   */
  #roomHistoryEntries(
    window: ChatWindow,
    kind: "earlier" | "catch-up",
    records: RoomRecord[],
    gap: boolean,
  ): Entry[] {
    const ts = Date.now();
    if (kind === "catch-up") {
      const count = records.filter(isConversation).length;
      this.#windows.noteActivity(window, records.some((r) => this.#callsForYou(r)), count);
      return [
        { kind: "marker", ts, text: `${window.name}: ${newMessagesPhrase(count)}` },
        ...(gap ? [{ kind: "error", ts, text: GAP_WARNING } as const] : []),
        ...records.map((record): Entry => ({ kind: "record", record, replayed: true })),
      ];
    }
    if (records.length === 0) return [];
    return [
      { kind: "marker", ts, text: EARLIER_MARKER, earlier: true },
      ...records.map((record): Entry => ({
        kind: "record",
        record,
        earlier: true,
        replayed: true,
      })),
      { kind: "marker", ts, text: END_OF_EARLIER_MARKER, earlier: true },
    ];
  }

  /** Private messages of a welcome, each in its conversation's window (a catch-up counted there). */
  #showPrivateHistory(records: RoomRecord[], catchUp: boolean): void {
    const byPeer = new Map<ChatWindow, RoomRecord[]>();
    for (const record of records) {
      const window = this.#privateWindow(record);
      if (window) byPeer.set(window, [...byPeer.get(window) ?? [], record]);
    }
    const ts = Date.now();
    for (const [window, shown] of byPeer) {
      const entries: Entry[] = shown.map((record) =>
        catchUp
          ? { kind: "record", record, replayed: true }
          : { kind: "record", record, earlier: true, replayed: true }
      );
      if (catchUp) {
        const label = windowLabel(window);
        entries.unshift({
          kind: "marker",
          ts,
          text: `${label}: ${newMessagesPhrase(shown.length)}`,
        });
        this.#windows.noteActivity(window, shown.some((r) => this.#callsForYou(r)), shown.length);
      }
      this.#print(entries, window);
    }
  }

  /** We left a room (or were put out of it): its window closes, and the next one says why. */
  /** We left `room`, or (`refused`) could not get back in: the error saying why comes next. */
  #parted(room: string, reason: string | undefined, refused = false): void {
    this.#rooms.delete(roomKey(room));
    this.#ownJoinPending.delete(roomKey(room));
    const window = this.#windows.room(room);
    if (window) {
      this.#windows.close(window);
      const current = this.#windows.current;
      if (current) this.#show(current);
    }
    if (refused) return;
    const text = `You left ${room}${reason ? `: ${reason}` : ""}.`;
    this.#print({ kind: "info", ts: Date.now(), text });
  }

  #record(record: RoomRecord): void {
    if (isPrivateRecord(record)) return this.#privateRecord(record);
    // A record of a room whose window is closed (it came just after we left) is not shown;
    // one without a room comes from a server with one room, the window shown.
    const window = record.room ? this.#windows.room(record.room) : this.#windows.current;
    if (!window) return;
    this.#track(record, window);
    // The server announces your join to you too, right after the welcome that already said so.
    const ownJoin = this.#ownJoinPending.delete(roomKey(window.name)) && record.type === "join" &&
      nameKey(record.name) === nameKey(this.#connection.name);
    if (ownJoin || this.#ignored(record)) return;
    const entry: Entry = { kind: "record", record };
    if (record.type === "join" || record.type === "leave") {
      if (this.#preferences.current.hideJoins) return;
      const view = window.scrollback;
      const folded = foldPresence(this.#screen.lastEntry(view), entry, this.#connection.name);
      if (folded) return this.#screen.replaceLast(folded, view);
    }
    this.#print(entry, window);
    this.#attend(record, window);
  }

  /**
   * A private message: in the window of the conversation (opened if needed);
   * one you sent from another window is also shown where you typed it.
   */
  #privateRecord(record: PrivateRecord | PrivateFileRecord): void {
    this.#notePrivateSender(record);
    if (this.#ignored(record)) return;
    const window = this.#privateWindow(record);
    if (!window) return;
    const entry: Entry = { kind: "record", record };
    const current = this.#windows.current;
    const mine = nameKey(record.from) === nameKey(this.#connection.name);
    if (mine && current && current !== window) this.#print(entry, current);
    this.#print(entry, window);
    this.#attend(record, window);
  }

  /** The window of a private message's (or file's) conversation, opened if needed. */
  #privateWindow(record: RoomRecord): ChatWindow | undefined {
    if (!isPrivateRecord(record)) return undefined;
    const me = nameKey(this.#connection.name);
    const peer = nameKey(record.from) === me ? record.to : record.from;
    if (nameKey(peer) === me) return this.#windows.current; // a note to yourself
    const open = this.#windows.private(peer);
    if (open) return open;
    const window = this.#windows.openPrivate(peer);
    this.#showWindowStatus();
    return window;
  }

  /** True for a message, private message or shared file from someone you ignore. */
  #ignored(record: RoomRecord): boolean {
    return (record.type === "message" || record.type === "private" || record.type === "file") &&
      nameKey(record.from) !== nameKey(this.#connection.name) &&
      this.#preferences.ignores(record.from);
  }

  /**
   * Calls for attention as the preferences say: the bell for a mention or a
   * private message; in the background, the unread count in the title and a
   * desktop notification.
   */
  #attend(record: RoomRecord, window: ChatWindow): void {
    const callsForYou = this.#callsForYou(record);
    const { bell, notify } = this.#preferences.current;
    if (callsForYou && bell) this.#screen.bell();
    const fromOthers = record.type === "notice" ||
      ((record.type === "message" || record.type === "private" || record.type === "file") &&
        nameKey(record.from) !== nameKey(this.#connection.name));
    if (fromOthers && window !== this.#windows.current) {
      this.#windows.noteActivity(window, callsForYou);
      this.#showWindowStatus();
    }
    if (this.#focused || !fromOthers) return;
    this.#unread++;
    this.#showTitle();
    if (notify === "all" || (notify === "mentions" && callsForYou)) {
      const title = isPrivateRecord(record)
        ? `${record.from} (private)`
        : record.type === "message" || record.type === "file"
        ? record.from
        : this.#connection.address;
      this.#terminal.notify(title, record.type === "file" ? `shared ${record.name}` : record.text);
    }
  }

  /** The window title: the room, and how many messages came while it was in the background. */
  #showTitle(): void {
    const unread = this.#unread > 0 ? `(${this.#unread}) ` : "";
    this.#terminal.setTitle(`${unread}${this.#connection.address} — chat`);
  }

  /** True for a private message to you or a message mentioning you, from someone else. */
  #callsForYou(record: RoomRecord): boolean {
    const me = nameKey(this.#connection.name);
    if (!("from" in record) || nameKey(record.from) === me) return false;
    return (isPrivateRecord(record) && nameKey(record.to) === me) ||
      (record.type === "message" && mentions(record.text, this.#connection.name));
  }

  /** Keeps the members of the record's room and your own name up to date. */
  #track(record: RoomRecord, window: ChatWindow): void {
    if (record.type === "nick") {
      this.#windows.rename(record.from, record.to);
      this.#screen.setMe(this.#connection.name);
      this.#updateStatus({ name: this.#connection.name });
    }
    const changed = this.#rooms.get(roomKey(window.name))?.apply(record);
    if (changed && window === this.#windows.current) this.#showWindowStatus();
  }

  /** Remembers who wrote to you privately last, for /reply. */
  #notePrivateSender(record: RoomRecord): void {
    this.#lastPrivateFrom = replyTargetAfter(record, this.#connection.name) ??
      this.#lastPrivateFrom;
  }

  #setMembers(room: string, members: string[]): void {
    this.#rooms.get(roomKey(room))?.set(members);
    this.#showWindowStatus();
  }

  /** The members of the room shown, when a room is shown. */
  #currentRoom(): RoomMembers | undefined {
    const window = this.#windows.current;
    return window?.kind === "room" ? this.#rooms.get(roomKey(window.name)) : undefined;
  }

  /** In a private window, Tab completes the other person's name. */
  #privatePeers(): string[] {
    const window = this.#windows.current;
    return window?.kind === "private" ? [window.name] : [];
  }

  #roomWindows(): ChatWindow[] {
    return this.#windows.all.filter((window) => window.kind === "room");
  }

  /** Shows `window`: its messages where it was scrolled to, its name in the status bar. */
  #show(window: ChatWindow): void {
    this.#windows.show(window);
    if (window.kind === "room") this.#lastRoom = window.name;
    this.#screen.show(window.scrollback);
    this.#showWindowStatus();
  }

  /** The status bar's part about windows: the one shown, its members, the activity list. */
  #showWindowStatus(): void {
    const window = this.#windows.current;
    if (!window) return;
    const room = window.kind === "room" ? this.#rooms.get(roomKey(window.name)) : undefined;
    this.#updateStatus({
      room: windowLabel(window),
      private: window.kind === "private",
      members: room?.count ?? 0,
      activity: this.#windows.activity(),
    });
  }

  #disconnected(event: Extract<ConnectionEvent, { type: "disconnected" }>): void {
    if (!this.#outage) {
      this.#outage = true;
      const text = event.bye
        ? `${event.bye.message} Reconnecting when the room is back…`
        : `Connection lost (${event.reason}). Reconnecting…`;
      this.#print({ kind: "error", ts: Date.now(), text });
    }
    this.#retryAt = Date.now() + event.retryInMs;
    this.#stopCountdown();
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((this.#retryAt - Date.now()) / 1000));
      this.#updateStatus({ state: "reconnecting", retryInSeconds: seconds });
      if (seconds === 0) this.#stopCountdown();
    };
    tick();
    this.#countdown = setInterval(tick, 1000);
  }

  #stopCountdown(): void {
    clearInterval(this.#countdown);
    this.#countdown = undefined;
  }

  /** Turns the input line into a prompt for a name or the room password. */
  #ask(question: Question, message: string): void {
    this.#print({ kind: "error", ts: Date.now(), text: message });
    if (this.#asking === null) this.#savedInput = this.#editor.text;
    this.#asking = question;
    this.#editor.remember = question !== "password";
    this.#editor.setText("");
    this.#updateStatus({ state: question === "name" ? "naming" : "password" });
    this.#showInput();
  }

  #onKeys(keys: Key[]): void {
    for (const key of keys) {
      if (this.#done) return;
      if (this.#reacted(key)) continue;
      const action = this.#editor.handle(key);
      switch (action.type) {
        case "submit":
          this.#screen.scrollToBottom();
          this.#submit(action.text);
          break;
        case "interrupt":
          this.#interrupt();
          continue;
        case "eof":
          this.#leave();
          return;
        case "redraw":
          this.#screen.repaint();
          break;
        case "changed":
          break;
        default:
          continue;
      }
      this.#showInput();
    }
  }

  /** Handles the keys that are not edits of the input line; true when `key` was one. */
  #reacted(key: Key): boolean {
    switch (key.name) {
      case "window": {
        const window = this.#windows.all[key.number - 1];
        if (window) this.#show(window);
        return true;
      }
      case "next-window":
      case "previous-window":
        if (key.name === "next-window") this.#windows.next();
        else this.#windows.previous();
        if (this.#windows.current) this.#show(this.#windows.current);
        return true;
      case "page-up":
      case "page-down":
        this.#screen.scrollPages(key.name === "page-up" ? 1 : -1);
        return true;
      case "wheel-up":
      case "wheel-down":
        this.#screen.scrollWheel(key.name === "wheel-up" ? 1 : -1);
        return true;
      case "end":
        // End also moves the cursor to the end of the input line (the editor's part).
        this.#screen.scrollToBottom();
        return false;
      case "focus-in":
      case "focus-out":
        this.#focused = key.name === "focus-in";
        this.#screen.setFocused(this.#focused);
        if (this.#focused && this.#unread > 0) {
          this.#unread = 0;
          this.#showTitle();
        }
        return true;
      case "suspend":
        this.#terminal.suspend(); // returns after `fg`
        this.#screen.repaint();
        return true;
      case "retry":
      case "enter":
        // During the reconnect countdown, Enter or Ctrl-R tries again at once (the text stays).
        if (!this.#outage || this.#asking) return key.name === "retry";
        this.#connection.retryNow();
        return true;
      default:
        return false;
    }
  }

  /**
   * Ctrl-C: clears the input line when something is typed, otherwise leaves;
   * a second Ctrl-C within a second always leaves, and one while leaving
   * leaves at once, without the lines still waiting for the rate.
   */
  #interrupt(): void {
    if (this.#done) return;
    const now = this.#now();
    const again = now - this.#lastInterrupt < DOUBLE_INTERRUPT_MS;
    this.#lastInterrupt = now;
    // Leaving already (lines still waiting for the rate): this Ctrl-C does not wait for them.
    if (this.#leaving) return this.#leaveNow();
    if (again || this.#editor.text === "") return this.#leave();
    this.#editor.setText("");
    this.#showInput();
  }

  #submit(text: string): void {
    if (this.#asking) return this.#answer(this.#asking, text);
    runInput(text, this.#commandContext(text));
  }

  #answer(question: Question, text: string): void {
    if (question === "name") {
      const checked = checkName(text);
      if ("code" in checked) {
        this.#print({ kind: "error", ts: Date.now(), text: checked.message });
        return;
      }
      this.#updateStatus({ name: checked.name });
      this.#connection.chooseName(checked.name);
    } else {
      this.#connection.choosePassword(text);
    }
    this.#asking = null;
    this.#editor.remember = true;
    this.#editor.setText(this.#savedInput);
    this.#updateStatus({ state: "reconnecting", retryInSeconds: 0 });
  }

  #commandContext(typed: string): CommandContext {
    const ts = () => Date.now();
    return {
      send: (line) => {
        const tooLong = overLongMessage(line, this.#maxMessageChars);
        if (tooLong) {
          this.#print({ kind: "error", ts: ts(), text: tooLong });
          return this.#editor.setText(typed);
        }
        const window = this.#windows.current;
        const chat = !line.startsWith("/") || line.startsWith("//");
        // In a private window chat goes to that person; commands to the room shown last.
        const text = window?.kind === "private" && chat ? `/msg ${window.name} ${line}` : line;
        const room = window?.kind === "room" ? window.name : this.#lastRoom;
        if (this.#connection.send(text, room)) return;
        this.#print({
          kind: "error",
          ts: ts(),
          text: "Not connected right now, so that was not sent. It is back in the input line.",
        });
        this.#editor.setText(typed);
      },
      info: (text) => this.#print({ kind: "info", ts: ts(), text }),
      error: (text) => this.#print({ kind: "error", ts: ts(), text }),
      quit: (reason) => this.#leave(reason),
      clear: () => this.#screen.clear(),
      lastPrivateFrom: () => this.#lastPrivateFrom,
      preferences: this.#preferences,
      rooms: this.#roomCommands(ts),
      files: {
        // A file goes to the window shown: its room, or the person of a private window.
        send: (args) => {
          const window = this.#windows.current;
          void this.#files.send(
            args,
            window?.kind === "private" ? { to: window.name } : { room: window?.name },
          );
        },
        save: (args) => void this.#files.save(args),
      },
    };
  }

  /** /join, /part, /switch, /query and /close on the windows. */
  #roomCommands(ts: () => number): RoomCommands {
    const error = (text: string) => this.#print({ kind: "error", ts: ts(), text });
    return {
      join: (room, key) => {
        const open = this.#windows.room(room);
        if (open) return this.#show(open);
        // Its window opens when the server lets us in (`joined`).
        if (!this.#connection.join(room, key)) error(NOT_CONNECTED);
      },
      part: (room) => {
        const window = this.#windows.current;
        const target = room ?? (window?.kind === "room" ? window.name : undefined);
        if (!target) return error("This is a private conversation: /close closes it.");
        if (!this.#connection.send(`/part ${target}`, target)) error(NOT_CONNECTED);
      },
      switchTo: (target) => {
        const window = this.#windows.find(target);
        if (!window) {
          return error(`No window "${target}". /join #room or /query NAME opens one.`);
        }
        this.#show(window);
      },
      query: (name) => {
        this.#show(this.#windows.openPrivate(name));
      },
      list: () => {
        const listed = this.#windows.all.map((window, index) =>
          `${index + 1} ${windowLabel(window)}${window === this.#windows.current ? " (shown)" : ""}`
        );
        this.#print({
          kind: "info",
          ts: ts(),
          text: `Windows (Alt-1 … Alt-9): ${listed.join(", ")}.`,
        });
      },
      close: () => {
        const window = this.#windows.current;
        if (window?.kind !== "private") {
          return error("/close closes a private conversation; /part leaves a room.");
        }
        this.#windows.close(window);
        if (this.#windows.current) this.#show(this.#windows.current);
      },
    };
  }

  /** Leaves politely (saying why, if `reason`); the connection's "ended" event finishes the session. */
  #leave(reason?: string): void {
    if (this.#done) return;
    this.#leaving = true;
    this.#connection.quit(reason).then(() => this.#end(0, "You left the chat."));
  }

  /** Leaves at once (Ctrl-C while leaving): lines still waiting for the rate are not sent. */
  #leaveNow(): void {
    if (this.#done) return;
    const unsent = this.#connection.waiting;
    this.#connection.close();
    if (unsent === 0) return this.#end(0, "You left the chat.");
    this.#end(
      1,
      `You left the chat; ${unsent === 1 ? "1 line was" : `${unsent} lines were`} not sent.`,
    );
  }

  /** Runs `action`; a bug in it ends the chat with the terminal restored, not a garbled screen. */
  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#stopCountdown();
    this.#screen.close();
    this.#terminal.restore(); // leaves the alternate screen: the error is printed on the normal one
    this.#connection.close();
    this.#finished.reject(error);
  }

  #end(code: number, reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#stopCountdown();
    this.#screen.close();
    this.#terminal.restore();
    // On the normal screen again, below what was there before the chat.
    this.#terminal.write(`${reason}\r\n`);
    this.#finished.resolve(code);
  }

  /** Shows entries in `window` (default: the one shown). */
  #print(entries: Entry | Entry[], window?: ChatWindow): void {
    this.#screen.print(Array.isArray(entries) ? entries : [entries], window?.scrollback);
  }

  #updateStatus(change: Partial<StatusInfo>): void {
    const next = { ...this.#status, ...change };
    if (next.state !== "reconnecting") delete next.retryInSeconds;
    if (this.#asking) next.state = this.#asking === "name" ? "naming" : "password";
    const same = JSON.stringify(next) === JSON.stringify(this.#status);
    this.#status = next;
    if (!same) this.#screen.setStatus(next);
  }

  #showInput(): void {
    this.#screen.setInput({
      prompt: this.#asking ? QUESTION_PROMPTS[this.#asking] : CHAT_PROMPT,
      ...(this.#asking === "password" ? masked(this.#editor.text, this.#editor.cursor) : {
        text: this.#editor.text,
        cursor: this.#editor.cursor,
      }),
    });
  }
}

/** A password as the input line shows it: one `*` per character, the cursor in the same place. */
function masked(text: string, cursor: number): { text: string; cursor: number } {
  const before = graphemes(text.slice(0, cursor)).length;
  return { text: "*".repeat(graphemes(text).length), cursor: before };
}

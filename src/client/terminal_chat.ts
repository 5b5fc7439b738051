/**
 * The full-screen chat: wires the connection, the line editor, the local
 * commands and the screen together. Keys become edits, commands or
 * messages; connection events become entries on the screen, status changes,
 * and a bell when someone mentions you or writes to you privately.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import { type CommandContext, commandWords, replyTargetAfter, runInput } from "./commands.ts";
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
import { completePath, FileTransfers, progressLine } from "./file_transfer.ts";
import { foldPresence } from "./presence_fold.ts";
import { ServerPreferences } from "./preferences.ts";
import type { StatusInfo } from "./status_line.ts";
import { type ChatTerminal, onStopSignal } from "./terminal.ts";
import type { Theme } from "./theme.ts";
import { graphemes } from "../text/wrap.ts";

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
}

/** A second Ctrl-C within this long always leaves, whatever is typed. */
const DOUBLE_INTERRUPT_MS = 1000;

/** A running full-screen chat session. */
export class TerminalChat {
  readonly #connection: ChatConnection;
  readonly #terminal: ChatTerminal;
  readonly #screen: Screen;
  readonly #editor: LineEditor;
  #members: string[] = [];
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
  /** True between a welcome and the first live record, which is normally your own join. */
  #ownJoinPending = false;
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
      hyperlinks: true,
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
        before.startsWith("/send ") ? completePath(word) : completeWord(before, word, {
          members: this.#members,
          me: this.#connection.name,
          commands: commandWords(),
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
          this.#setMembers(frame.members);
          return this.#print({ kind: "members", ts, members: frame.members, away: frame.away });
        }
        if (frame.type === "info") return this.#print({ kind: "info", ts, text: frame.text });
        return this.#print({ kind: "error", ts, text: frame.message });
      }
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

  #joined(event: Extract<ConnectionEvent, { type: "joined" }>): void {
    const { welcome, records, rejoined, roomChanged } = event;
    const ts = Date.now();
    this.#stopCountdown();
    this.#outage = false;
    this.#asking = null;
    this.#screen.setMe(welcome.name);
    this.#setMembers(welcome.members, welcome.count);
    this.#maxMessageChars = welcome.limits?.maxMessageChars;
    this.#updateStatus({ name: welcome.name, state: "connected", room: welcome.room });
    const entries: Entry[] = [];
    if (event.moved) {
      entries.push({
        kind: "members",
        ts,
        members: welcome.members,
        lead: `You are now in ${welcome.room}.`,
      });
      if (welcome.topic) entries.push({ kind: "info", ts, text: `Topic: ${welcome.topic}` });
    } else if (!rejoined) {
      entries.push({
        kind: "members",
        ts,
        members: welcome.members,
        lead: `Welcome, ${welcome.name}! You are in ${welcome.room}.`,
      });
      if (welcome.motd) entries.push({ kind: "info", ts, text: welcome.motd });
    } else {
      entries.push({ kind: "note", ts, text: `Reconnected as ${welcome.name}.` });
      if (roomChanged) {
        entries.push({ kind: "note", ts, text: ROOM_CHANGED });
      }
    }
    const history = welcomeHistory(welcome, records);
    if (history.kind === "catch-up") {
      entries.push({ kind: "marker", ts, text: newMessagesPhrase(history.newMessages) });
      if (history.gap) entries.push({ kind: "error", ts, text: GAP_WARNING });
      for (const record of history.records) {
        entries.push({ kind: "record", record, replayed: true });
      }
    } else if (history.records.length > 0) {
      entries.push({ kind: "marker", ts, text: EARLIER_MARKER, earlier: true });
      for (const record of history.records) {
        entries.push({ kind: "record", record, earlier: true, replayed: true });
      }
      entries.push({ kind: "marker", ts, text: END_OF_EARLIER_MARKER, earlier: true });
    }
    // Members come from the welcome; history only tells who wrote to you privately.
    for (const record of history.records) this.#notePrivateSender(record);
    this.#ownJoinPending = true;
    if (!rejoined && !event.moved) {
      entries.push({
        kind: "note",
        ts,
        text: "Type a message and press Enter. /help lists commands, Ctrl-C leaves.",
      });
    }
    this.#screen.print(entries);
    // What you missed may call for you (a kept private message): one bell for all of it.
    if (
      history.kind === "catch-up" && this.#preferences.current.bell &&
      history.records.some((r) => this.#callsForYou(r) && !this.#ignored(r))
    ) {
      this.#screen.bell();
    }
    this.#showInput();
  }

  #record(record: RoomRecord): void {
    this.#track(record);
    // The server announces your join to you too, right after the welcome that already said so.
    const ownJoin = this.#ownJoinPending && record.type === "join" &&
      nameKey(record.name) === nameKey(this.#connection.name);
    this.#ownJoinPending = false;
    if (ownJoin || this.#ignored(record)) return;
    const entry: Entry = { kind: "record", record };
    if (record.type === "join" || record.type === "leave") {
      if (this.#preferences.current.hideJoins) return;
      const folded = foldPresence(this.#screen.lastEntry, entry, this.#connection.name);
      if (folded) return this.#screen.replaceLast(folded);
    }
    this.#print(entry);
    this.#attend(record);
  }

  /** True for a message or private message from someone you ignore. */
  #ignored(record: RoomRecord): boolean {
    return (record.type === "message" || record.type === "private") &&
      nameKey(record.from) !== nameKey(this.#connection.name) &&
      this.#preferences.ignores(record.from);
  }

  /**
   * Calls for attention as the preferences say: the bell for a mention or a
   * private message; in the background, the unread count in the title and a
   * desktop notification.
   */
  #attend(record: RoomRecord): void {
    const callsForYou = this.#callsForYou(record);
    const { bell, notify } = this.#preferences.current;
    if (callsForYou && bell) this.#screen.bell();
    const fromOthers = record.type === "notice" ||
      ((record.type === "message" || record.type === "private") &&
        nameKey(record.from) !== nameKey(this.#connection.name));
    if (this.#focused || !fromOthers) return;
    this.#unread++;
    this.#showTitle();
    if (notify === "all" || (notify === "mentions" && callsForYou)) {
      const title = record.type === "private"
        ? `${record.from} (private)`
        : record.type === "message"
        ? record.from
        : this.#connection.address;
      this.#terminal.notify(title, record.text);
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
    return (record.type === "private" && nameKey(record.to) === me) ||
      (record.type === "message" && mentions(record.text, this.#connection.name));
  }

  /** Keeps members, your own name and the last private sender up to date. */
  #track(record: RoomRecord): void {
    this.#notePrivateSender(record);
    switch (record.type) {
      case "join":
        if (!this.#members.some((m) => nameKey(m) === nameKey(record.name))) {
          this.#members = [...this.#members, record.name];
        }
        break;
      case "leave":
        this.#members = this.#members.filter((m) => nameKey(m) !== nameKey(record.name));
        break;
      case "presence": {
        // A big room: the count is the room's; the list holds who we have heard of.
        const left = new Set(record.left.map(nameKey));
        const known = new Set(this.#members.map(nameKey));
        this.#members = [
          ...this.#members.filter((m) => !left.has(nameKey(m))),
          ...record.joined.filter((name) => !known.has(nameKey(name))),
        ];
        this.#updateStatus({ members: record.count });
        return;
      }
      case "nick":
        this.#members = this.#members.map((m) =>
          nameKey(m) === nameKey(record.from) ? record.to : m
        );
        this.#screen.setMe(this.#connection.name);
        this.#updateStatus({ name: this.#connection.name });
        break;
    }
    this.#updateStatus({ members: this.#members.length });
  }

  /** Remembers who wrote to you privately last, for /reply. */
  #notePrivateSender(record: RoomRecord): void {
    this.#lastPrivateFrom = replyTargetAfter(record, this.#connection.name) ??
      this.#lastPrivateFrom;
  }

  #setMembers(members: string[], count = members.length): void {
    this.#members = [...members];
    this.#updateStatus({ members: count });
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
        if (this.#connection.send(line)) return;
        this.#print({
          kind: "error",
          ts: ts(),
          text: "Not connected right now, so that was not sent. It is back in the input line.",
        });
        this.#editor.setText(typed);
      },
      info: (text) => this.#print({ kind: "info", ts: ts(), text }),
      error: (text) => this.#print({ kind: "error", ts: ts(), text }),
      quit: () => this.#leave(),
      clear: () => this.#screen.clear(),
      lastPrivateFrom: () => this.#lastPrivateFrom,
      preferences: this.#preferences,
      files: {
        send: (args) => void this.#files.send(args, this.#status.room),
        save: (args) => void this.#files.save(args),
      },
    };
  }

  /** Leaves politely; the connection's "ended" event finishes the session. */
  #leave(): void {
    if (this.#done) return;
    this.#leaving = true;
    this.#connection.quit().then(() => this.#end(0, "You left the room."));
  }

  /** Leaves at once (Ctrl-C while leaving): lines still waiting for the rate are not sent. */
  #leaveNow(): void {
    if (this.#done) return;
    const unsent = this.#connection.waiting;
    this.#connection.close();
    if (unsent === 0) return this.#end(0, "You left the room.");
    this.#end(
      1,
      `You left the room; ${unsent === 1 ? "1 line was" : `${unsent} lines were`} not sent.`,
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

  #print(entry: Entry): void {
    this.#screen.print([entry]);
  }

  #updateStatus(change: Partial<StatusInfo>): void {
    const next = { ...this.#status, ...change };
    if (next.state !== "reconnecting") delete next.retryInSeconds;
    if (this.#asking) next.state = this.#asking === "name" ? "naming" : "password";
    const same =
      (Object.keys(next) as (keyof StatusInfo)[]).every((k) => next[k] === this.#status[k]) &&
      Object.keys(next).length === Object.keys(this.#status).length;
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

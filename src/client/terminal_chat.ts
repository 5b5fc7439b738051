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
import { type Entry, mentions } from "./render.ts";
import {
  EARLIER_MARKER,
  END_OF_EARLIER_MARKER,
  GAP_WARNING,
  newMessagesPhrase,
  ROOM_CHANGED,
  welcomeHistory,
} from "./welcome_history.ts";
import { Screen } from "./screen.ts";
import type { StatusInfo } from "./status_line.ts";
import { onStopSignal, type Terminal } from "./terminal.ts";
import type { Theme } from "./theme.ts";
import { graphemes } from "../text/wrap.ts";

const CHAT_PROMPT = "› ";
/** Prompts of the input line while it answers a question from the server instead of chatting. */
const QUESTION_PROMPTS = { name: "name › ", password: "password › " } as const;

type Question = keyof typeof QUESTION_PROMPTS;

/** Settings of a {@linkcode TerminalChat}. */
export interface TerminalChatOptions {
  connection: ChatConnection;
  terminal: Terminal;
  theme: Theme;
}

/** A running full-screen chat session. */
export class TerminalChat {
  readonly #connection: ChatConnection;
  readonly #terminal: Terminal;
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

  /** Prepares the chat; {@linkcode run} starts it. */
  constructor(options: TerminalChatOptions) {
    this.#connection = options.connection;
    this.#terminal = options.terminal;
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
    this.#editor = new LineEditor({
      complete: (before, word) =>
        completeWord(before, word, {
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
          return this.#print({ kind: "members", ts, members: frame.members });
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
    this.#setMembers(welcome.members);
    this.#maxMessageChars = welcome.limits?.maxMessageChars;
    this.#updateStatus({ name: welcome.name, state: "connected" });
    const entries: Entry[] = [];
    if (!rejoined) {
      entries.push({
        kind: "members",
        ts,
        members: welcome.members,
        lead: `Welcome, ${welcome.name}!`,
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
      for (const record of history.records) entries.push({ kind: "record", record });
    } else if (history.records.length > 0) {
      entries.push({ kind: "marker", ts, text: EARLIER_MARKER, earlier: true });
      for (const record of history.records) entries.push({ kind: "record", record, earlier: true });
      entries.push({ kind: "marker", ts, text: END_OF_EARLIER_MARKER, earlier: true });
    }
    // Members come from the welcome; history only tells who wrote to you privately.
    for (const record of history.records) this.#notePrivateSender(record);
    this.#ownJoinPending = true;
    if (!rejoined) {
      entries.push({
        kind: "note",
        ts,
        text: "Type a message and press Enter. /help lists commands, Ctrl-C leaves.",
      });
    }
    this.#screen.print(entries);
    // What you missed may call for you (a kept private message): one bell for all of it.
    if (history.kind === "catch-up" && history.records.some((r) => this.#callsForYou(r))) {
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
    if (!ownJoin) this.#print({ kind: "record", record });
    if (this.#callsForYou(record)) this.#screen.bell();
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

  #setMembers(members: string[]): void {
    this.#members = [...members];
    this.#updateStatus({ members: members.length });
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
      const action = this.#editor.handle(key);
      switch (action.type) {
        case "submit":
          this.#submit(action.text);
          break;
        case "interrupt":
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
    };
  }

  /** Leaves politely; the connection's "ended" event finishes the session. */
  #leave(): void {
    if (this.#done) return;
    this.#connection.quit().then(() => this.#end(0, "You left the room."));
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
    this.#terminal.restore();
    this.#connection.close();
    this.#finished.reject(error);
  }

  #end(code: number, reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#stopCountdown();
    this.#screen.close([reason]);
    this.#terminal.restore();
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

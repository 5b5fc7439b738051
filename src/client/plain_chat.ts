/**
 * `chat join` as a plain line-oriented program, for when stdin or stdout is
 * not a terminal: a pipe, a script, a screen reader workflow. Each input
 * line is sent (slash commands work as in the full-screen client); each
 * event is printed as plain text, one line per message, no colours, no
 * cursor movement. Lines typed before the welcome, or while reconnecting,
 * wait and are sent once joined; every line goes out paced to the room's
 * rate limit, so none is refused for speed; at the end of input the client
 * leaves politely after sending them. Whatever was not delivered (a line the
 * server refused, an unknown command) makes the exit code 1, so a script
 * notices.
 *
 * In more than one room (after `/join`), every line of a room says which
 * room it is from (`[#homework] [14:02] alice: hi`); lines typed go to the
 * current room, the one joined last (or gone back to with `/join` or
 * `/switch`), which the server keeps.
 *
 * @module
 */

import type { RoomRecord, WelcomeFrame } from "../protocol/frames.ts";
import { checkName } from "../protocol/names.ts";
import { LineDecoder } from "../protocol/line_decoder.ts";
import { renderEarlier, renderPlain, renderReplayed } from "../text/plain_format.ts";
import { type CommandContext, replyTargetAfter, type RoomCommands, runInput } from "./commands.ts";
import { roomKey } from "../server/rooms/room_name.ts";
import {
  CannotJoinError,
  ChatConnection,
  type ConnectionEvent,
  retryNotice,
} from "./connection.ts";
import { overLongMessage } from "./message_length.ts";
import { FileTransfers } from "./file_transfer.ts";
import { onStopSignal } from "./terminal.ts";
import type { ServerSessions } from "./saved_sessions.ts";
import type { TlsSettings } from "./tls_connect.ts";
import { GAP_WARNING, newMessagesPhrase, ROOM_CHANGED, welcomeHistory } from "./welcome_history.ts";

/** Settings of the plain client. */
export interface PlainChatOptions {
  host: string;
  port: number;
  /** The name (from --name: a refused one is an error); when absent, the first input line is the name. */
  name?: string;
  /**
   * The room password; when the room needs one and it is absent, the next
   * input line is it — unless a name was given, which makes every line a message.
   */
  password?: string;
  /** Connect with TLS, checking the certificate as these settings say. */
  tls?: TlsSettings;
  /** Where input lines come from (default: stdin). */
  input?: ReadableStream<Uint8Array>;
  /** Where output lines go (default: stdout). */
  print?: (line: string) => void;
  /** Places in this server's room saved between runs (see {@linkcode ChatConnection}). */
  saved?: ServerSessions;
  /** Take the name over from another window of ours (--take-over); otherwise that is an error. */
  takeOver?: boolean;
  /** Where `/save` puts files (the platform's Downloads folder). */
  downloads?: () => string;
}

/**
 * Input lines held unsent at most (waiting to join, or for the rate limit);
 * beyond it reading pauses, so a pipe of any length needs little memory.
 */
const MAX_UNSENT_LINES = 200;

/** Longest input line read; a longer one ends the input there (exit code 1). */
const MAX_INPUT_LINE_BYTES = 1024 * 1024;

/**
 * Runs the plain client until the input ends or the connection ends for
 * good. Resolves with the exit code. Throws `UnreachableError` when the
 * server cannot be reached at all, and `CannotJoinError` when joining failed
 * (no name given, a --name refused, not a chat room, …): the caller prints it once.
 */
export async function runPlainChat(options: PlainChatOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  let overlong = false;
  const lines = readLines(options.input ?? Deno.stdin.readable, () => {
    overlong = true;
    print(`!! An input line is over ${MAX_INPUT_LINE_BYTES} bytes; nothing after it is read.`);
  });
  let name = options.name;
  while (name === undefined) {
    print("Type your name:");
    const next = await lines.next();
    if (next.done) {
      throw new CannotJoinError(
        "No name given: the input ended before a name. Give one with --name or as the first line.",
      );
    }
    const checked = checkName(next.value);
    if ("code" in checked) print(`!! ${checked.message}`);
    else name = checked.name;
  }

  const waiting: string[] = [];
  /** What the next input line answers, when the server asked for something. */
  let awaiting: "name" | "password" | null = null;
  let inputEnded = false;
  let exitCode = 0;
  let lastPrivateFrom: string | undefined;
  let everJoined = false;
  /** Why joining failed for good, when it did: thrown at the end, printed once. */
  let failure: string | undefined;
  /** Local output, kept behind the server's answers to what was sent before it. */
  let localOutput = Promise.resolve();
  let connectionEnded = false;
  /** Resumes reading input once fewer lines are unsent (or the connection ended). */
  let wakeReader: (() => void) | undefined;

  const connection: ChatConnection = new ChatConnection({
    host: options.host,
    port: options.port,
    name,
    password: options.password,
    tls: options.tls,
    saved: options.saved,
    takeOver: options.takeOver ?? false,
    onEvent: (event) => handle(event),
  });

  /** The room's message limit, from the welcome. */
  let maxMessageChars: number | undefined;
  /**
   * Rooms a `/join` asked for that have not answered yet: lines of other rooms
   * that arrive meanwhile already say their room, as we are about to be in two.
   */
  const joinsAsked = new Set<string>();

  // Lines go to the server's current room (the one joined last, or gone back to with /join),
  // so a line typed after a /join goes where the /join went, in order, even before its answer.
  const rooms: RoomCommands = {
    join(room, key) {
      if (!connection.rooms.some((ours) => roomKey(ours) === roomKey(room))) {
        joinsAsked.add(roomKey(room));
      }
      // Not joined yet (or reconnecting): the line waits, like any other.
      if (!connection.join(room, key)) waiting.push(`/join ${room}${key ? ` ${key}` : ""}`);
    },
    part: (room) => context.send(room ? `/part ${room}` : "/part"),
    // One room at a time is current here: going to a room is joining it (the server says so).
    switchTo: (target) => rooms.join(target.startsWith("#") ? target : `#${target}`),
  };

  // Transfers print their outcome; a failed one makes the exit code 1 (through context.error).
  const files = new FileTransfers({
    connection,
    downloads: options.downloads ?? (() => "Downloads"),
    view: {
      progress: () => {},
      ended: () => {},
      info: (text) => printAll(renderPlain({ type: "info", text })),
      error: (text) => context.error(text),
    },
  });

  const context: CommandContext = {
    send: (text) => {
      // Refused here, not by the server: a line over its byte limit would cost the connection.
      const tooLong = overLongMessage(text, maxMessageChars, "It was not sent.");
      if (tooLong) return context.error(tooLong);
      if (!connection.send(text)) waiting.push(text);
    },
    info: (text) => printLocal(renderPlain({ type: "info", text })),
    error: (text) => {
      // A line that was not delivered (an unknown command, say): a script must notice.
      exitCode = 1;
      printLocal([`!! ${text}`]);
    },
    quit: (reason) => void connection.quit(reason),
    clear: () => {},
    lastPrivateFrom: () => lastPrivateFrom,
    rooms,
    files: {
      send: (args) => void files.send(args),
      save: (args) => void files.save(args),
    },
  };

  const printAll = (output: string[]) => output.forEach((line) => print(line));

  /** Lines of `room`, each after the room's name when we are in more than one. */
  const inRoom = (room: string | undefined, output: string[]) =>
    room === undefined || new Set([...connection.rooms.map(roomKey), ...joinsAsked]).size < 2
      ? output
      : output.map((line) => `[${room}] ${line}`);

  /** Prints local output once the server answered everything typed before it, keeping the order. */
  const printLocal = (output: string[]) => {
    const answered = connection.whenAnswered();
    localOutput = localOutput.then(() => answered).then(() => printAll(output));
  };

  const flush = () => {
    while (waiting.length > 0 && connection.joined) runInput(waiting.shift()!, context);
    // Leaving waits for the files being sent or saved: the exit code says how they went.
    if (inputEnded && waiting.length === 0) void files.idle().then(() => connection.quit());
  };

  /** Remembers who wrote to you privately last, for /reply. */
  const notePrivateSender = (record: RoomRecord) => {
    lastPrivateFrom = replyTargetAfter(record, connection.name) ?? lastPrivateFrom;
  };

  const showRecord = (record: RoomRecord) => {
    notePrivateSender(record);
    printAll(inRoom(record.room, withSaveHint(record, renderPlain(record, connection.webBase))));
  };

  /** A file record's line ends with the `/save` number that downloads it. */
  const withSaveHint = (record: RoomRecord, lines: string[]) =>
    record.type === "file" ? [lines[0] + files.saveHint(record)] : lines;

  /** The welcome's records: earlier messages between two markers, or what was missed. */
  const showHistory = (welcome: WelcomeFrame, records: RoomRecord[]) => {
    const history = welcomeHistory(welcome, records);
    const room = (output: string[]) => printAll(inRoom(welcome.room, output));
    if (history.kind === "earlier") {
      history.records.forEach(notePrivateSender);
      const base = connection.webBase;
      return room(
        renderEarlier(history.records, base, (r) => withSaveHint(r, renderPlain(r, base))),
      );
    }
    const phrase = newMessagesPhrase(history.newMessages);
    room([`-- ${phrase[0].toUpperCase()}${phrase.slice(1)}${history.newMessages > 0 ? ":" : "."}`]);
    if (history.gap) room([`!! ${GAP_WARNING}`]);
    for (const record of history.records) {
      notePrivateSender(record);
      printAll(
        inRoom(record.room, withSaveHint(record, renderReplayed(record, connection.webBase))),
      );
    }
  };

  /** The next line not yet used answers the question: one already waiting, or the next typed. */
  const answerWith = (question: "name" | "password") => {
    const line = waiting.shift();
    if (line !== undefined) answer(question, line);
    else if (inputEnded) giveUp();
    else awaiting = question;
  };

  /** The server asked something and the input has ended: nothing can answer it. */
  const giveUp = () => {
    failure = "The input ended before the question was answered, so nothing was sent.";
    exitCode = 1;
    connection.close();
  };

  const answer = (question: "name" | "password", line: string) => {
    if (question === "name") connection.chooseName(line.trim());
    else connection.choosePassword(line);
  };

  function handle(event: ConnectionEvent): void {
    switch (event.type) {
      case "joined": {
        const { welcome } = event;
        everJoined = true;
        maxMessageChars = welcome.limits?.maxMessageChars;
        joinsAsked.delete(roomKey(welcome.room));
        if (event.added) {
          printAll(renderPlain({ ...welcome, type: "joined", history: [] }));
        } else if (event.rejoined) {
          if (event.welcomed) print(`-- Reconnected as ${welcome.name}.`);
          if (event.welcomed && event.roomChanged) print(`-- ${ROOM_CHANGED}`);
        } else {
          printAll(renderPlain({ ...welcome, history: [] }));
        }
        showHistory(welcome, event.records);
        flush();
        return;
      }
      case "record":
        return showRecord(event.record);
      case "parted":
        if (event.refused) return; // The error saying why is printed next.
        return printAll(renderPlain({ type: "parted", room: event.room, reason: event.reason }));
      case "reply":
        // The server refused something we sent: it was not delivered (a /join, perhaps).
        if (event.frame.type === "error") {
          exitCode = 1;
          joinsAsked.clear();
        }
        return printAll(renderPlain(event.frame));
      case "name_refused":
        if (event.code === "name_open") {
          failure = `${event.message.replace(/\.$/, "")}; ` +
            "join with --take-over to take it over here.";
          return connection.close();
        }
        if (options.name !== undefined) {
          // The name was given on the command line: input lines are messages, never names.
          failure = event.message;
          return connection.close();
        }
        print(`!! ${event.message}`);
        print("Type another name:");
        return answerWith("name");
      case "password_needed":
        if (options.name !== undefined && event.code !== "too_many_attempts") {
          // With --name, input lines are messages: one is never taken as the password.
          failure = `${event.message.split(". ")[0].replace(/\.$/, "")}. ` +
            "Set CHAT_PASSWORD to the room's password: with --name, input lines are messages.";
          return connection.close();
        }
        if (options.name !== undefined) {
          failure = event.message;
          return connection.close();
        }
        print(`!! ${event.message}`);
        print("Type the password:");
        return answerWith("password");
      case "waiting":
        return wakeReader?.();
      case "connecting":
        return;
      case "disconnected":
        print(`-- ${retryNotice(event)}`);
        return;
      case "ended":
        connectionEnded = true;
        wakeReader?.();
        if (event.failed || (event.bye && event.bye.code !== "quit")) exitCode = 1;
        // Never joined: the reason is the error the caller prints, once.
        if (!everJoined) failure ??= event.reason;
        // After local answers still waiting for their turn: the leave is the last thing said.
        else localOutput = localOutput.then(() => print(`-- ${event.reason}`));
        return;
    }
  }

  // Ctrl-C leaves politely, after the lines still waiting; a second Ctrl-C leaves at once.
  let interrupted = false;
  const stopListening = onStopSignal(() => {
    if (interrupted) return connection.close();
    interrupted = true;
    void connection.quit();
  });
  try {
    const started = connection.start();
    const reading = (async () => {
      for await (const line of lines) {
        if (awaiting !== null) {
          answer(awaiting, line);
          awaiting = null;
        } else {
          waiting.push(line);
          if (connection.joined) flush();
        }
        while (waiting.length + connection.waiting >= MAX_UNSENT_LINES && !connectionEnded) {
          await new Promise<void>((resolve) => wakeReader = resolve);
        }
      }
      inputEnded = true;
      if (awaiting !== null) giveUp();
      else if (connection.joined) flush();
    })();
    await started;
    await Promise.race([connection.finished, reading.then(() => connection.finished)]);
    await localOutput;
    if (failure !== undefined) {
      if (!everJoined) throw new CannotJoinError(failure);
      console.error(failure); // after a reconnect: the room asked again and nobody could answer
      return 1;
    }
    const unsent = connection.waiting + waiting.length;
    if (unsent > 0) {
      console.error(`${unsent} ${unsent === 1 ? "line was" : "lines were"} not sent.`);
      return 1;
    }
    return overlong ? 1 : exitCode;
  } finally {
    stopListening();
    connection.close();
  }
}

/**
 * Lines of a byte stream, as an async iterator that can be resumed after a
 * `break`. A line over {@linkcode MAX_INPUT_LINE_BYTES} ends the input there
 * (`onOverflow` is told): what follows it is not trusted to be lines.
 */
function readLines(
  stream: ReadableStream<Uint8Array>,
  onOverflow: () => void,
): AsyncIterableIterator<string> {
  const reader = stream.getReader();
  const decoder = new LineDecoder(MAX_INPUT_LINE_BYTES);
  const ready: string[] = [];
  let ended = false;
  const iterator: AsyncIterableIterator<string> = {
    async next() {
      while (ready.length === 0 && !ended) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          const tail = decoder.flushPartial();
          if (tail !== null && tail !== "") ready.push(tail);
          break;
        }
        const { lines, overflow } = decoder.push(value);
        ready.push(...lines);
        if (overflow) {
          // What follows can't be split into lines with certainty: stop reading, and say so.
          ended = true;
          onOverflow();
          await reader.cancel().catch(() => {});
          break;
        }
      }
      const line = ready.shift();
      return line === undefined ? { value: undefined, done: true } : { value: line, done: false };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * The client's own slash commands, as data: name, aliases, arguments, a
 * one-line summary and what it does. `/help` is generated from this
 * registry, Tab completes from it, and a command it does not know is
 * refused here instead of being sent to the room as chat.
 *
 * Some commands are handled on this side (`/help`, `/clear`, `/quit`,
 * `/reply`); the rest are checked and passed on as the server's commands.
 *
 * @example
 * ```ts
 * runInput("/msg bob see you", context); // context.send("/msg bob see you")
 * runInput("/dance", context);           // context.error("There is no /dance command. …")
 * runInput("hello", context);            // context.send("hello")
 * ```
 *
 * @module
 */

import {
  commandTable,
  splitFirstWord,
  unknownCommandMessage,
  usageOf,
} from "../text/command_line.ts";
import type { RoomRecord } from "../protocol/frames.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import { checkRoomName } from "../server/rooms/room_name.ts";
import type { NotifyLevel, Preferences, PreferenceStore } from "./preference_values.ts";

/** What a command can do. */
export interface CommandContext {
  /** Sends a line to the server (chat, or one of the server's commands). */
  send(text: string): void;
  /** Shows text to this user only. */
  info(text: string): void;
  /** Shows a refusal to this user only. */
  error(text: string): void;
  /** Leaves the chat and ends the program; `reason`, if any, is shown to the others. */
  quit(reason?: string): void;
  /** Empties the message area. */
  clear(): void;
  /** The last member who sent us a private message, if any. */
  lastPrivateFrom(): string | undefined;
  /** The full-screen client's preferences (/filter, /notify, /bell, /ignore); absent elsewhere. */
  preferences?: PreferenceStore;
  /** The client's rooms and windows (/join, /part, /switch, …); absent: sent to the server as typed. */
  rooms?: RoomCommands;
  /** `/send` and `/save` (file_transfer.ts); absent where files can't be moved. */
  files?: { send(args: string): void; save(args: string): void };
}

/** What the room and window commands do in a client that keeps track of its rooms. */
export interface RoomCommands {
  /** Goes to the room: enters it (with its key, for a private room), or shows it if already in. */
  join(room: string, key?: string): void;
  /** Leaves the room (the current one when none is given). */
  part(room?: string): void;
  /** Goes to a window (`#room`, a name, a number) or, in plain mode, makes a room current. */
  switchTo(target: string): void;
  /** Opens (and shows) the private window with NAME; full-screen only. */
  query?(name: string): void;
  /** Closes the private window shown; full-screen only. */
  close?(): void;
  /** Lists the windows with their numbers (for Alt-1 …); full-screen only. */
  list?(): void;
}

/** One command of the registry. */
export interface LocalCommand {
  name: string;
  aliases: string[];
  /** Arguments as shown in help (`NAME TEXT`), empty when none. */
  args: string;
  summary: string;
  /** Only the full-screen client can do it (a preference, the screen): plain mode's /help leaves it out. */
  fullScreenOnly?: true;
  /** Runs the command with the text after its name. */
  run(context: CommandContext, args: string): void;
}

function noFiles(context: CommandContext): void {
  context.error("Files can't be sent or saved from here.");
}

/** Every command the client knows, in the order /help lists them. */
export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    name: "help",
    aliases: ["?"],
    args: "",
    summary: "show this help",
    run: (context) => context.info(helpText(context.preferences !== undefined)),
  },
  {
    name: "who",
    aliases: ["names"],
    args: "",
    summary: "list who is in the room",
    run: (context) => context.send("/who"),
  },
  {
    name: "me",
    aliases: [],
    args: "ACTION",
    summary: "describe what you do: /me waves",
    run(context, args) {
      if (!args) return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/me ${args}`);
    },
  },
  {
    name: "msg",
    aliases: ["tell", "whisper"],
    args: "NAME TEXT",
    summary: "a private message to one member",
    run(context, args) {
      const [name, text] = splitFirstWord(args);
      // `/msg NAME` alone opens the private window with NAME, where the client has windows.
      if (name && !text && context.rooms?.query) return openQuery(context, name);
      if (!name || !text) return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/msg ${name} ${text}`);
    },
  },
  {
    name: "reply",
    aliases: ["r"],
    args: "TEXT",
    summary: "answer the last private message",
    run(context, args) {
      const to = context.lastPrivateFrom();
      if (!to) {
        return context.error("Nobody has sent you a private message yet. Use /msg NAME TEXT.");
      }
      if (!args) return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/msg ${to} ${args}`);
    },
  },
  {
    name: "nick",
    aliases: ["name"],
    args: "NEWNAME",
    summary: "change your name",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return context.error(`Usage: ${usageOf(this)}`);
      const checked = checkName(name);
      if ("code" in checked) return context.error(checked.message);
      context.send(`/nick ${checked.name}`);
    },
  },
  {
    name: "away",
    aliases: [],
    args: "[TEXT]",
    summary: "mark yourself away (shown in /who, answers private messages); alone: back",
    run: (context, args) => context.send(args ? `/away ${args}` : "/away"),
  },
  {
    name: "join",
    aliases: [],
    args: "#ROOM [KEY]",
    summary: "go to a room, creating it if it does not exist (with KEY: a private room)",
    run(context, args) {
      const [room, key] = splitFirstWord(args);
      if (!room || key.includes(" ")) return context.error(`Usage: ${usageOf(this)}`);
      const checked = checkRoomName(room);
      if ("code" in checked) return context.error(checked.message);
      if (context.rooms) return context.rooms.join(checked.name, key || undefined);
      context.send(`/join ${checked.name}${key ? ` ${key}` : ""}`);
    },
  },
  {
    name: "part",
    aliases: [],
    args: "[#ROOM]",
    summary: "leave the room (and close its window)",
    run(context, args) {
      const [room, extra] = splitFirstWord(args);
      if (extra) return context.error(`Usage: ${usageOf(this)}`);
      if (context.rooms) return context.rooms.part(room || undefined);
      context.send(room ? `/part ${room}` : "/part");
    },
  },
  {
    name: "switch",
    aliases: ["window"],
    args: "[#ROOM|NAME]",
    summary: "go to the window of a room, or of a private conversation; alone: list them",
    run(context, args) {
      const [target, extra] = splitFirstWord(args);
      if (!target && context.rooms?.list) return context.rooms.list();
      if (!target || extra) return context.error(`Usage: ${usageOf(this)}`);
      if (!context.rooms) return context.error(FULL_SCREEN_ONLY);
      context.rooms.switchTo(target);
    },
  },
  {
    name: "query",
    aliases: [],
    fullScreenOnly: true,
    args: "NAME",
    summary: "open a private conversation with NAME in a window of its own",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return context.error(`Usage: ${usageOf(this)}`);
      if (!context.rooms?.query) return context.error(FULL_SCREEN_ONLY);
      openQuery(context, name);
    },
  },
  {
    name: "close",
    aliases: [],
    fullScreenOnly: true,
    args: "",
    summary: "close the private conversation's window",
    run(context) {
      if (!context.rooms?.close) return context.error(FULL_SCREEN_ONLY);
      context.rooms.close();
    },
  },
  {
    name: "rooms",
    aliases: ["list"],
    args: "",
    summary: "list the rooms, how many are in each and their topics",
    run: (context) => context.send("/rooms"),
  },
  {
    name: "topic",
    aliases: [],
    args: "[TEXT]",
    summary: "set the room's topic; alone: show it",
    run: (context, args) => context.send(args ? `/topic ${args}` : "/topic"),
  },
  {
    name: "invite",
    aliases: [],
    args: "NAME",
    summary: "room operators: let someone into this private room without the key",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/invite ${name}`);
    },
  },
  {
    name: "kick",
    aliases: [],
    args: "NAME [REASON]",
    summary: "room operators: put someone out of this room",
    run(context, args) {
      if (!args.trim()) return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/kick ${args.trim()}`);
    },
  },
  {
    name: "key",
    aliases: [],
    args: "[KEY]",
    summary: "room operators: set the room's key (it becomes private); alone: remove it",
    run: (context, args) => context.send(args.trim() ? `/key ${args.trim()}` : "/key"),
  },
  {
    name: "locktopic",
    aliases: [],
    args: "on|off",
    summary: "room operators: only you may change the topic (on), or everyone (off)",
    run(context, args) {
      const mode = args.trim().toLowerCase();
      if (mode !== "on" && mode !== "off") return context.error(`Usage: ${usageOf(this)}`);
      context.send(`/locktopic ${mode}`);
    },
  },
  {
    name: "ignore",
    aliases: [],
    fullScreenOnly: true,
    args: "[NAME]",
    summary: "hide what NAME writes (remembered); alone: list",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      const prefs = context.preferences;
      if (!prefs) return context.error(FULL_SCREEN_ONLY);
      if (extra) return context.error(`Usage: ${usageOf(this)}`);
      if (!name) {
        const { ignored } = prefs.current;
        return context.info(
          ignored.length ? `Ignoring: ${ignored.join(", ")}.` : "You are not ignoring anyone.",
        );
      }
      if (prefs.ignores(name)) return context.info(`You are already ignoring ${name}.`);
      save(
        context,
        { ignored: [...prefs.current.ignored, name] },
        `Ignoring ${name}: their messages are not shown. /unignore ${name} undoes it.`,
      );
    },
  },
  {
    name: "unignore",
    aliases: [],
    fullScreenOnly: true,
    args: "NAME",
    summary: "show what NAME writes again",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      const prefs = context.preferences;
      if (!prefs) return context.error(FULL_SCREEN_ONLY);
      if (!name || extra) return context.error(`Usage: ${usageOf(this)}`);
      if (!prefs.ignores(name)) return context.error(`You are not ignoring ${name}.`);
      const ignored = prefs.current.ignored.filter((other) => nameKey(other) !== nameKey(name));
      save(context, { ignored }, `No longer ignoring ${name}.`);
    },
  },
  {
    name: "notify",
    aliases: [],
    fullScreenOnly: true,
    args: "all|mentions|off",
    summary: "desktop notifications for every message, mentions and private ones, or none",
    run(context, args) {
      const prefs = context.preferences;
      if (!prefs) return context.error(FULL_SCREEN_ONLY);
      const level = args.trim().toLowerCase();
      if (!level) return context.info(`Notifications: ${prefs.current.notify}.`);
      if (!["all", "mentions", "off"].includes(level)) {
        return context.error(`Usage: ${usageOf(this)}`);
      }
      save(context, { notify: level as NotifyLevel }, NOTIFY_CHANGED[level as NotifyLevel]);
    },
  },
  {
    name: "bell",
    aliases: [],
    fullScreenOnly: true,
    args: "on|off",
    summary: "the bell for mentions and private messages",
    run(context, args) {
      const prefs = context.preferences;
      if (!prefs) return context.error(FULL_SCREEN_ONLY);
      const choice = onOff(args);
      if (args.trim() === "") {
        return context.info(`The bell is ${prefs.current.bell ? "on" : "off"}.`);
      }
      if (choice === undefined) return context.error(`Usage: ${usageOf(this)}`);
      save(context, { bell: choice }, `The bell is ${choice ? "on" : "off"}.`);
    },
  },
  {
    name: "filter",
    aliases: [],
    fullScreenOnly: true,
    args: "joins on|off",
    summary: "hide joins and leaves (on), or show them folded into one line (off)",
    run(context, args) {
      const prefs = context.preferences;
      if (!prefs) return context.error(FULL_SCREEN_ONLY);
      const [what, setting] = splitFirstWord(args.toLowerCase());
      if (!what) return context.info(joinFilterText(prefs.current.hideJoins));
      const hide = onOff(setting);
      if (what !== "joins" || hide === undefined) return context.error(`Usage: ${usageOf(this)}`);
      save(context, { hideJoins: hide }, joinFilterText(hide));
    },
  },
  {
    name: "send",
    aliases: [],
    args: "PATH [NAME]",
    summary: "share a file with the room (or with NAME alone)",
    run: (context, args) => context.files ? context.files.send(args) : noFiles(context),
  },
  {
    name: "save",
    aliases: [],
    args: "N [DIR]",
    summary: "download shared file N (into Downloads, or DIR)",
    run: (context, args) => context.files ? context.files.save(args) : noFiles(context),
  },
  {
    name: "clear",
    aliases: [],
    fullScreenOnly: true,
    args: "",
    summary: "clear the screen",
    run: (context) => context.clear(),
  },
  {
    name: "quit",
    aliases: ["exit", "leave"],
    args: "[REASON]",
    summary: "leave the chat, saying why if you like (also Ctrl-C)",
    run: (context, args) => context.quit(args.trim() || undefined),
  },
];

const FULL_SCREEN_ONLY = "That works in the full-screen client only.";

/** Opens the private window with NAME (`@NAME` too), once the name is one a person can have. */
function openQuery(context: CommandContext, name: string): void {
  const checked = checkName(name.replace(/^@/, ""));
  if ("code" in checked) return context.error(checked.message);
  context.rooms?.query?.(checked.name);
}

const NOTIFY_CHANGED: Record<NotifyLevel, string> = {
  all: "Desktop notifications for every message while the window is in the background.",
  mentions:
    "Desktop notifications for mentions and private messages while the window is in the background.",
  off: "No desktop notifications.",
};

function joinFilterText(hidden: boolean): string {
  return hidden
    ? "Joins and leaves are hidden. /filter joins off shows them again."
    : "Joins and leaves are shown, a run of them folded into one line. /filter joins on hides them.";
}

/** "on" → true, "off" → false, anything else → undefined. */
function onOff(word: string): boolean | undefined {
  const choice = word.trim().toLowerCase();
  return choice === "on" ? true : choice === "off" ? false : undefined;
}

/** Changes preferences, then confirms (and says when they could not be kept for next time). */
function save(context: CommandContext, change: Partial<Preferences>, confirmation: string): void {
  const saved = context.preferences!.update(change);
  context.info(saved ? confirmation : `${confirmation} (It could not be saved for next time.)`);
}

const KEY_HELP = [
  "Keys:",
  "  Enter sends; Tab completes names, rooms and commands; Up/Down recall",
  "  Ctrl-W deletes a word, Ctrl-U all before the cursor, Ctrl-K after",
  "  PageUp/PageDown or the wheel scroll back; End returns to the bottom",
  "  Alt-1…Alt-9 show window 1 to 9; Ctrl-N/Ctrl-P the next and previous one",
  "  Alt-Enter starts a new line; Ctrl-L redraws; Ctrl-Z suspends",
  "  Ctrl-C clears the line, or leaves on an empty one",
  "  While reconnecting, Enter or Ctrl-R tries again now",
];
const LITERAL_SLASH_HELP = "A line starting with // sends a literal /.";

/** Finds a command by name or alias, ignoring case. */
export function findCommand(word: string): LocalCommand | undefined {
  const wanted = word.toLowerCase();
  return LOCAL_COMMANDS.find((c) => c.name === wanted || c.aliases.includes(wanted));
}

/** Every command as typed (`/help`, …), for Tab completion. Aliases are left out. */
export function commandWords(): string[] {
  return LOCAL_COMMANDS.map((command) => `/${command.name}`);
}

/**
 * The `/help` text, generated from the registry: the full-screen client's,
 * or (`fullScreen` false) plain mode's, without its keys and commands.
 */
export function helpText(fullScreen: boolean = true): string {
  const rows = LOCAL_COMMANDS.filter((c) => fullScreen || !c.fullScreenOnly)
    .map((c) => [usageOf(c), c.summary] as const);
  const keys = fullScreen ? KEY_HELP : [];
  return ["Commands:", ...commandTable(rows), ...keys, LITERAL_SLASH_HELP].join("\n");
}

/** Handles one line the user entered: a command, or chat for everyone. Blank lines do nothing. */
export function runInput(line: string, context: CommandContext): void {
  if (line.trim() === "") return;
  if (!line.startsWith("/") || line.startsWith("//")) return context.send(line);
  const [word, args] = splitFirstWord(line.slice(1));
  const command = findCommand(word);
  if (!command) {
    return context.error(unknownCommandMessage(word));
  }
  command.run(context, args);
}

/**
 * Who `/reply` answers after `record`: the sender of a private message to
 * `me` from someone else, or `undefined` when the record changes nothing.
 */
export function replyTargetAfter(record: RoomRecord, me: string): string | undefined {
  if (record.type !== "private" || nameKey(record.to) !== nameKey(me)) return undefined;
  return nameKey(record.from) === nameKey(me) ? undefined : record.from;
}

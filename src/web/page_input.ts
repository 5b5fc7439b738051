/**
 * What a line typed in the page's message box means before it reaches the
 * client's command registry: the page's own commands (`/help`, `/join` with
 * a key, `/part` of the room on screen) and, in a private conversation, a
 * line for that person only. Pure: the page carries the action out.
 *
 * @example
 * ```ts
 * pageInput("/join #secret sesame", undefined); // { kind: "join", room: "#secret", key: "sesame" }
 * pageInput("hi", "bob"); // { kind: "send", text: "/msg bob hi" }
 * ```
 *
 * @module
 */

import { LOCAL_COMMANDS } from "../client/commands.ts";
import { commandTable, splitFirstWord, usageOf } from "../text/command_line.ts";

/** What the page does with a typed line; `undefined` from {@linkcode pageInput}: the registry's. */
export type PageAction =
  | { kind: "help" }
  | { kind: "join"; room: string; key?: string }
  | { kind: "part"; room?: string }
  | { kind: "send"; text: string }
  | { kind: "error"; text: string };

/** The usage of `/join` in the page, which takes a key (the registry's does not). */
export const JOIN_USAGE = "/join #ROOM [KEY]";

/**
 * The page's meaning of `line`, typed while `privateTo` (a name) or a room
 * (`undefined`) is shown; `undefined` when the client's registry handles it.
 */
export function pageInput(line: string, privateTo: string | undefined): PageAction | undefined {
  const text = line.trim();
  const [word, args] = splitFirstWord(text);
  switch (word.toLowerCase()) {
    case "/help":
    case "/?":
      return { kind: "help" };
    case "/join": {
      const [room, key] = splitFirstWord(args);
      if (!room || /\s/.test(key)) return { kind: "error", text: `Usage: ${JOIN_USAGE}` };
      return key ? { kind: "join", room, key } : { kind: "join", room };
    }
    case "/part":
      return args ? { kind: "part", room: args } : { kind: "part" };
  }
  if (privateTo !== undefined && word.toLowerCase() === "/me") {
    return { kind: "error", text: "/me acts in a room: show a room first, then type it there." };
  }
  if (privateTo !== undefined && (!line.startsWith("/") || line.startsWith("//"))) {
    return {
      kind: "send",
      text: `/msg ${privateTo} ${line.startsWith("//") ? line.slice(1) : line}`,
    };
  }
  return undefined;
}

/** Commands of the full-screen client that the page does too (its preferences are its own). */
const PAGE_TOO = new Set(["query", "close", "clear"]);

/** `/help` for the page: the client's command registry (what works here) and the page's keys. */
export function helpText(): string {
  const here = LOCAL_COMMANDS.filter((command) =>
    !command.fullScreenOnly || PAGE_TOO.has(command.name)
  );
  const rows = here.map((command) =>
    command.name === "join"
      ? [JOIN_USAGE, "go to a room, creating it (with KEY: a private room)"] as const
      : [usageOf(command), command.name === "quit" ? "leave the chat" : command.summary] as const
  );
  return [
    "Commands:",
    ...commandTable(rows),
    "Keys:",
    "  Enter sends; Shift+Enter starts a new line",
    "  Up/Down recall earlier input; Tab completes names, rooms and commands",
    "  Alt+1…9 shows that room; Alt+Up/Down the room above or below",
    "A line starting with // sends a literal /.",
    "In a private conversation, what you type goes to that person only.",
  ].join("\n");
}

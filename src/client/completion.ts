/**
 * What Tab offers: command names at the start of a line that begins with
 * `/`; room names after `/join`, `/part`, `/topic` and `/rooms` (and window
 * names after `/switch`); member names everywhere else. A name completed as the first word of
 * a message gets `: ` after it (the chat habit for addressing someone),
 * anywhere else a space. Pure.
 *
 * @example
 * ```ts
 * completeWord("", "bo", { members: ["alice", "bob"], me: "alice", commands: [] });
 * // ["bob: "]
 * ```
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";

/** What can be completed. */
export interface CompletionSource {
  /** Member names in the room. */
  members: readonly string[];
  /** The user's own name (offered last). */
  me: string;
  /** Commands as typed, `/help` and so on. */
  commands: readonly string[];
  /** Room names: those you are in first, then others heard of (`/rooms`). */
  rooms?: readonly string[];
  /** What `/switch` can go to: rooms you are in and the names of private windows. */
  windows?: readonly string[];
}

/** Commands whose first argument is a room (completed from {@linkcode CompletionSource.rooms}). */
const ROOM_COMMANDS = /^\/(join|part|topic|rooms|list)\s+$/i;
/** Commands whose first argument is a window. */
const WINDOW_COMMANDS = /^\/(switch|window)\s+$/i;

/**
 * Replacements for `word`, the word before the cursor; `before` is the line
 * up to that word. Matching ignores case; an `@` before a name is kept.
 */
export function completeWord(before: string, word: string, source: CompletionSource): string[] {
  if (before === "" && word.startsWith("/")) {
    const stem = word.toLowerCase();
    return source.commands.filter((command) => command.startsWith(stem)).map((c) => `${c} `);
  }
  const targets = ROOM_COMMANDS.test(before)
    ? source.rooms
    : WINDOW_COMMANDS.test(before)
    ? source.windows
    : undefined;
  // `/topic` takes text too: only a word starting with `#` is a room there.
  const roomWord = word.startsWith("#") || !/^\/(topic|rooms|list)/i.test(before);
  if (targets && roomWord) {
    const stem = word.toLowerCase();
    const bare = stem.startsWith("#") ? stem : `#${stem}`;
    return [...new Set(targets)]
      .filter((t) => t.toLowerCase().startsWith(stem) || t.toLowerCase().startsWith(bare))
      .map((t) => `${t} `);
  }
  const at = word.startsWith("@") ? "@" : "";
  const stem = nameKey(word.slice(at.length));
  const first = before.trim() === "" && at === "";
  const suffix = first ? ": " : " ";
  const mine = nameKey(source.me);
  const matches = source.members
    .filter((name) => nameKey(name).startsWith(stem))
    .sort((a, b) => Number(nameKey(a) === mine) - Number(nameKey(b) === mine));
  return matches.map((name) => `${at}${name}${suffix}`);
}

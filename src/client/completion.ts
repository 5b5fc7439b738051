/**
 * What Tab offers: command names at the start of a line that begins with
 * `/`, member names everywhere else. A name completed as the first word of
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
}

/**
 * Replacements for `word`, the word before the cursor; `before` is the line
 * up to that word. Matching ignores case; an `@` before a name is kept.
 */
export function completeWord(before: string, word: string, source: CompletionSource): string[] {
  if (before === "" && word.startsWith("/")) {
    const stem = word.toLowerCase();
    return source.commands.filter((command) => command.startsWith(stem)).map((c) => `${c} `);
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

/**
 * The shape of a slash command, shared by the server's registry and the
 * client's: how a command line splits into its word and arguments, how a
 * command's usage is written, and how a command list reads in `/help`.
 *
 * @example
 * ```ts
 * splitFirstWord(" msg bob  see you "); // ["msg", "bob  see you"]
 * usageOf({ name: "msg", args: "NAME TEXT" }); // "/msg NAME TEXT"
 * ```
 *
 * @module
 */

/** What a command's usage is made of. */
export interface CommandShape {
  name: string;
  /** Arguments as shown in help, e.g. `NAME TEXT`; empty when there are none. */
  args: string;
}

/** How a command is written in help: `/msg NAME TEXT`. */
export function usageOf(command: CommandShape): string {
  return command.args ? `/${command.name} ${command.args}` : `/${command.name}`;
}

/** Splits `NAME rest of text` into its first word and the trimmed rest. */
export function splitFirstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space === -1 ? [trimmed, ""] : [trimmed.slice(0, space), trimmed.slice(space).trim()];
}

/** The sentence for a command word nobody knows. */
export function unknownCommandMessage(word: string): string {
  return `There is no /${word.slice(0, 30)} command. Type /help for the list.`;
}

/** `/help`'s table: each usage padded to one column, then its summary. */
export function commandTable(
  rows: ReadonlyArray<readonly [usage: string, summary: string]>,
): string[] {
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`);
}

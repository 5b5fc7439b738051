/**
 * The room's message length limit, checked before sending, so that an
 * over-long message stays in the input line instead of being refused by the
 * server after the line was cleared.
 *
 * @example
 * ```ts
 * overLongMessage("x".repeat(5000), 4000);
 * // "That message has 5000 characters; the limit is 4000. Shorten it, then press Enter."
 * overLongMessage("/me waves", 4000); // undefined
 * ```
 *
 * @module
 */

/**
 * Why `line` (as typed: a message, `//text`, or a command) cannot be sent
 * in a room whose messages hold `limit` characters; `undefined` when it can.
 * Commands are left to the server, which knows their syntax. `advice` ends
 * the sentence (plain mode says the line was not sent).
 */
export function overLongMessage(
  line: string,
  limit: number | undefined,
  advice: string = "Shorten it, then press Enter.",
): string | undefined {
  if (limit === undefined || (line.startsWith("/") && !line.startsWith("//"))) return undefined;
  const message = line.startsWith("//") ? line.slice(1) : line;
  // Code points, as the server counts them; a string has at least as many UTF-16 units.
  if (message.length <= limit) return undefined;
  const length = [...message.trim()].length;
  if (length <= limit) return undefined;
  return `That message has ${length} characters; the limit is ${limit}. ${advice}`;
}

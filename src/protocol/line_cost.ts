/**
 * What a line costs against a room's rate limit — one rule for the server,
 * which charges it, and for clients, which pace themselves by it so that
 * nothing they send is refused.
 *
 * @example
 * ```ts
 * lineCost('{"type":"send","text":"hi"}', false); // 1
 * lineCost("x".repeat(4000), false);              // 4
 * ```
 *
 * @module
 */

/**
 * Lines of a paste cost this fraction of a line: each further line of a
 * plain-text paste, each line break in a (multi-line) message.
 */
export const PASTED_LINE_COST = 0.1;

/**
 * Characters that cost as much as a line. A paste costs by its size as well as
 * its line count, so big blocks within the line rate can't make the server send
 * everyone far more text than people type (and cut readers off as too slow).
 */
export const CHARS_PER_LINE = 1000;

/**
 * What one received line costs: one line (a tenth when it came with others in a
 * plain-text paste) plus a tenth for each line break it carries (`\n` inside a
 * JSON message, shown as a line of its own), or one per
 * {@linkcode CHARS_PER_LINE} characters if that is more.
 */
export function lineCost(line: string, pasted: boolean): number {
  const breaks = line.split("\\n").length - 1;
  const lines = (pasted ? PASTED_LINE_COST : 1) + breaks * PASTED_LINE_COST;
  return Math.max(lines, line.length / CHARS_PER_LINE);
}

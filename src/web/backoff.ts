/**
 * How long the page waits before reconnecting: doubling from half a second
 * up to 30 seconds, with jitter so that a room full of browsers does not
 * come back at the same instant after a server restart. Pure.
 *
 * @example
 * ```ts
 * reconnectDelay(0, () => 0.5); // 500
 * reconnectDelay(10, () => 1);  // 30000
 * ```
 *
 * @module
 */

/** The first wait, in ms. */
export const FIRST_DELAY_MS = 500;

/** The longest wait, in ms. */
export const MAX_DELAY_MS = 30_000;

/**
 * The wait before reconnect attempt `attempt` (0 for the first), in ms:
 * between half and all of `min(MAX, FIRST × 2^attempt)`. `random` returns a
 * number in [0, 1), as `Math.random` does.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

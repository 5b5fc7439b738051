/**
 * Which colour a member's name gets: one pure rule shared by every client
 * (the terminal theme maps the slot to a terminal colour, the browser page to
 * a CSS class), so a name looks the same everywhere.
 *
 * The palette has {@linkcode NAME_PALETTE_SIZE} slots and leaves out the
 * colours that mean something else (red for errors, yellow for notices and
 * mentions). Similar names are spread apart: names that differ only in their
 * last character (bot1, bot2, …; bob, bot) get different slots unless those
 * characters are a multiple of the palette size apart.
 *
 * @example
 * ```ts
 * nameColorIndex("alice", NAME_PALETTE_SIZE) === nameColorIndex("Alice", NAME_PALETTE_SIZE); // true
 * nameColorIndex("bot1", NAME_PALETTE_SIZE) !== nameColorIndex("bot2", NAME_PALETTE_SIZE);    // true
 * ```
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";

/** Slots in the palette of name colours every client uses. */
export const NAME_PALETTE_SIZE = 8;

const utf8 = new TextEncoder();

/**
 * Index of `name`'s colour in a palette of `size`: an FNV-1a hash of the
 * comparison key without its last character, plus that character's code
 * point. So a name keeps its colour everywhere, on every run and whatever
 * its capitalisation, and names that differ only at the end differ in colour.
 */
export function nameColorIndex(name: string, size: number): number {
  const chars = Array.from(nameKey(name));
  const last = chars.pop()?.codePointAt(0) ?? 0;
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(chars.join(""))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash + last) % size;
}

/**
 * Which colour a member's name gets: one pure rule shared by every client
 * (the terminal theme maps the slot to a terminal colour, the browser page to
 * a CSS class), so a name looks the same everywhere.
 *
 * @example
 * ```ts
 * nameColorIndex("alice", 9) === nameColorIndex("Alice", 9); // true
 * ```
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";

const utf8 = new TextEncoder();

/**
 * Index of `name`'s colour in a palette of `size`: an FNV-1a hash of the
 * name's comparison key, so a name keeps its colour everywhere and on every
 * run, whatever its capitalisation.
 */
export function nameColorIndex(name: string, size: number): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(nameKey(name))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % size;
}

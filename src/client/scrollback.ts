/**
 * What one window of the full-screen chat holds between redraws: its
 * entries, their rendered lines, how far it is scrolled back and whether
 * the next entry goes under a `— new —` marker. The {@linkcode Screen}
 * draws one scrollback at a time and switches between them; each window
 * keeps its own. Pure state, no terminal.
 *
 * @example
 * ```ts
 * const general = new Scrollback();
 * screen.show(general); // the screen draws (and scrolls) this window's lines
 * ```
 *
 * @module
 */

import type { Entry } from "./render.ts";

/** One window's entries and view. */
export class Scrollback {
  /** The latest entries, oldest first. */
  entries: Entry[] = [];
  /** The rendered lines of each entry (same index), at {@linkcode width}. */
  rendered: string[][] = [];
  /** The width the lines were rendered at (0: not yet). */
  width = 0;
  /** Lines between the bottom of the view and the last line (0: following the conversation). */
  scroll = 0;
  /** Entries added since the view was scrolled back. */
  newBelow = 0;
  /** True while the window is not looked at: the next entry gets the `— new —` marker. */
  markNext = false;

  /** Lines of all entries. */
  get lineCount(): number {
    return this.rendered.reduce((sum, lines) => sum + lines.length, 0);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries = [];
    this.rendered = [];
    this.scroll = 0;
    this.newBelow = 0;
  }
}

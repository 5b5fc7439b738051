/**
 * Which part of the input buffer fits the input line, and where the cursor
 * goes. The line scrolls sideways to keep the cursor visible; a line break
 * in the buffer (from a paste or Alt-Enter) shows as `⏎`. Pure.
 *
 * @example
 * ```ts
 * layoutInput("hello world", 11, 8, 0, (s) => s);
 * // { text: "o world", cursorColumn: 7, start: 4 }
 * ```
 *
 * @module
 */

import { cellWidth, graphemes } from "../text/wrap.ts";
import type { Style } from "./theme.ts";

/** The visible part of the input line. */
export interface InputView {
  /** What to draw (styled), at most `width` cells. */
  text: string;
  /** Cells from the start of the view to the cursor. */
  cursorColumn: number;
  /** Index of the first visible grapheme; pass it back next time so the view does not jump. */
  start: number;
}

const LINE_BREAK_MARKER = "⏎";

/**
 * Lays out `buffer` (cursor at code-unit offset `cursor`) in `width` cells,
 * keeping one cell free after the cursor. `previousStart` is the `start` of
 * the previous view; `marker` styles the line-break marker.
 */
export function layoutInput(
  buffer: string,
  cursor: number,
  width: number,
  previousStart: number,
  marker: Style,
): InputView {
  const raw = graphemes(buffer);
  const clusters = raw.map((text) =>
    text === "\n" || text === "\r\n"
      ? { shown: marker(LINE_BREAK_MARKER), width: 1 }
      : { shown: text, width: cellWidth(text) }
  );
  let cursorIndex = 0;
  for (let offset = 0; cursorIndex < raw.length && offset < cursor; cursorIndex++) {
    offset += raw[cursorIndex].length;
  }
  const room = Math.max(1, width - 1);
  // Cells before each cluster, so the width of any range costs one subtraction.
  const before = [0];
  for (const cluster of clusters) before.push(before[before.length - 1] + cluster.width);
  const cells = (from: number, to: number) => before[to] - before[from];

  let start = Math.min(Math.max(0, previousStart), cursorIndex);
  while (start < cursorIndex && cells(start, cursorIndex) > room) start++;
  while (start > 0 && cells(start - 1, clusters.length) <= room) start--;

  let text = "";
  let used = 0;
  for (let index = start; index < clusters.length; index++) {
    if (used + clusters[index].width > width) break;
    text += clusters[index].shown;
    used += clusters[index].width;
  }
  return { text, cursorColumn: cells(start, cursorIndex), start };
}

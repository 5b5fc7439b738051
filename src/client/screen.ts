/**
 * Paints the chat on a terminal's alternate screen: a message area on top, a
 * status bar and an input line on the two bottom rows. The message area is
 * a scroll region, so a new message at the bottom costs one line's output
 * and the input line — half-typed text, cursor and all — is never touched.
 * The screen keeps the rendered lines of the latest entries: PageUp/PageDown
 * (and the wheel) scroll back through them, and a resize (or Ctrl-L) lays
 * them out again at the new width. While scrolled back, new messages do not
 * move the view; the status bar says how many arrived below.
 *
 * When the window loses focus, the next entry gets a `— new —` marker above
 * it, so coming back shows where you left off.
 *
 * The screen only produces text for an output; it never reads input.
 *
 * @module
 */

import { layoutInput } from "./input_view.ts";
import { type Entry, type FileLinks, renderEntry } from "./render.ts";
import { formatStatus, type StatusInfo } from "./status_line.ts";
import type { TerminalSize } from "./terminal.ts";
import type { Theme } from "./theme.ts";
import { cellWidth } from "../text/wrap.ts";

/** Where the screen writes. */
export interface ScreenOutput {
  write(text: string): void;
}

/** What the input line holds. */
export interface InputState {
  prompt: string;
  text: string;
  /** Offset of the cursor in `text`. */
  cursor: number;
}

const CSI = "\x1b[";
const HIDE_CURSOR = `${CSI}?25l`;
const SHOW_CURSOR = `${CSI}?25h`;
const CLEAR_LINE = `${CSI}2K`;
const CLEAR_SCREEN = `${CSI}H${CSI}2J`;
const RESET_SCROLL_REGION = `${CSI}r`;
/** Entries kept for scrolling back and laying out again after a resize. */
const KEPT_ENTRIES = 1000;
/** Lines the mouse wheel scrolls per notch. */
const WHEEL_LINES = 3;
/** The text of the marker above what arrived while the window was not focused. */
const UNREAD_MARKER_TEXT = "new";

/** The chat's terminal screen. */
export class Screen {
  readonly #output: ScreenOutput;
  readonly #theme: Theme;
  #size: TerminalSize;
  #me: string;
  /** Numbers and links of shared files, for their records (file_transfer.ts). */
  files: FileLinks | undefined;
  #entries: Entry[] = [];
  /** The rendered lines of each entry (same index), at the current width. */
  #rendered: string[][] = [];
  #status: StatusInfo;
  #input: InputState = { prompt: "", text: "", cursor: 0 };
  #inputStart = 0;
  /** Lines between the bottom of the view and the last line (0: following the conversation). */
  #scroll = 0;
  /** Entries added since the view was scrolled back. */
  #newBelow = 0;
  #focused = true;
  /** True after the window lost focus, until the next entry (which gets the marker). */
  #markNext = false;

  /** Creates a screen; nothing is drawn until {@linkcode start}. */
  constructor(
    output: ScreenOutput,
    options: { size: TerminalSize; theme: Theme; me: string; status: StatusInfo },
  ) {
    this.#output = output;
    this.#size = options.size;
    this.#theme = options.theme;
    this.#me = options.me;
    this.#status = options.status;
  }

  /** Draws the empty message area, the status bar and the input line. */
  start(): void {
    this.repaint();
  }

  /** The name that marks your own messages and mentions (after /nick). */
  setMe(name: string): void {
    this.#me = name;
  }

  /** True while the view is scrolled back from the latest message. */
  get scrolled(): boolean {
    return this.#scroll > 0;
  }

  /** Adds entries below the last one. */
  print(entries: Entry[]): void {
    if (entries.length === 0) return;
    const arrived = entries.length;
    let redraw = false;
    if (this.#markNext) {
      this.#markNext = false;
      redraw = this.#removeUnreadMarker();
      entries = [{ kind: "marker", ts: Date.now(), text: UNREAD_MARKER_TEXT }, ...entries];
    }
    const lines: string[] = [];
    for (const entry of entries) {
      const rendered = this.#render(entry);
      this.#entries.push(entry);
      this.#rendered.push(rendered);
      lines.push(...rendered);
    }
    this.#trim();
    if (this.#scroll > 0) {
      // Keep the view where it is; the status bar counts what arrived.
      const kept = this.#scroll + lines.length;
      this.#scroll = kept;
      this.#newBelow += arrived;
      this.#clampScroll();
      // The view shows the same lines unless it had to move: then only the status bar changes.
      if (!redraw && this.#scroll === kept) {
        return this.#output.write(HIDE_CURSOR + this.#bottom());
      }
      redraw = true;
    }
    if (redraw || lines.length >= this.#area) return this.#drawAll();
    this.#output.write(
      HIDE_CURSOR + this.#moveTo(this.#area, 0) +
        lines.map((line) => "\n\r" + CLEAR_LINE + line).join("") + this.#inputAt(),
    );
  }

  /**
   * The last entry shown, if any; none while an unread marker waits to go
   * in, so that what comes next starts a line of its own below it.
   */
  get lastEntry(): Entry | undefined {
    return this.#markNext ? undefined : this.#entries.at(-1);
  }

  /** Replaces the last entry (a line that grows, such as folded joins) and draws it again. */
  replaceLast(entry: Entry): void {
    if (this.#entries.length === 0) return this.print([entry]);
    const oldLines = this.#rendered.at(-1)!.length;
    this.#entries[this.#entries.length - 1] = entry;
    this.#rendered[this.#rendered.length - 1] = this.#render(entry);
    if (this.#scroll > 0) {
      this.#scroll = Math.max(1, this.#scroll + this.#rendered.at(-1)!.length - oldLines);
      this.#clampScroll();
    }
    this.#drawAll();
  }

  /** Scrolls back (positive) or forward (negative) by whole pages of the message area. */
  scrollPages(pages: number): void {
    this.#scrollBy(pages * Math.max(1, this.#area - 1));
  }

  /** Scrolls by the wheel's step: back (positive) or forward (negative) notches. */
  scrollWheel(notches: number): void {
    this.#scrollBy(notches * WHEEL_LINES);
  }

  /** Returns to the latest message. */
  scrollToBottom(): void {
    if (this.#scroll === 0) return;
    this.#scrollBy(-this.#scroll);
  }

  /**
   * Tells the screen whether the window has the focus: after losing it, the
   * next entry is put under a `— new —` marker (the only one).
   */
  setFocused(focused: boolean): void {
    if (focused === this.#focused) return;
    this.#focused = focused;
    this.#markNext = !focused;
  }

  /** Shows a new status. */
  setStatus(status: StatusInfo): void {
    this.#status = status;
    this.#output.write(HIDE_CURSOR + this.#bottom());
  }

  /** Shows the input line's new content and cursor. */
  setInput(input: InputState): void {
    this.#input = input;
    this.#output.write(HIDE_CURSOR + this.#inputAt());
  }

  /** Rings the terminal bell. */
  bell(): void {
    this.#output.write("\x07");
  }

  /** Lays everything out again for a new size. */
  resize(size: TerminalSize): void {
    this.#size = size;
    this.#rendered = this.#entries.map((entry) => this.#render(entry));
    this.#clampScroll();
    this.repaint();
  }

  /** Clears the terminal and draws the messages, the status bar and the input line again. */
  repaint(): void {
    this.#output.write(HIDE_CURSOR + RESET_SCROLL_REGION + CLEAR_SCREEN);
    this.#drawAll();
  }

  /** Forgets every message and clears the terminal. */
  clear(): void {
    this.#entries = [];
    this.#rendered = [];
    this.#scroll = 0;
    this.#newBelow = 0;
    this.repaint();
  }

  /** Clears the screen and gives back the whole terminal (the caller leaves the alternate screen). */
  close(): void {
    this.#output.write(RESET_SCROLL_REGION + CLEAR_SCREEN + SHOW_CURSOR);
  }

  get #rows(): number {
    return Math.max(3, this.#size.rows);
  }

  get #columns(): number {
    return Math.max(1, this.#size.columns);
  }

  /** Rows of the message area. */
  get #area(): number {
    return this.#rows - 2;
  }

  #scrollBy(lines: number): void {
    const before = this.#scroll;
    this.#scroll += lines;
    this.#clampScroll();
    if (this.#scroll === before) return;
    this.#drawAll();
  }

  #clampScroll(): void {
    const total = this.#rendered.reduce((sum, lines) => sum + lines.length, 0);
    this.#scroll = Math.max(0, Math.min(this.#scroll, total - this.#area));
    if (this.#scroll === 0) this.#newBelow = 0;
  }

  /** Drops the oldest entries beyond what is kept. */
  #trim(): void {
    const extra = this.#entries.length - KEPT_ENTRIES;
    if (extra <= 0) return;
    this.#entries.splice(0, extra);
    this.#rendered.splice(0, extra);
    this.#clampScroll();
  }

  /** Removes the unread marker left by an earlier absence; true when there was one. */
  #removeUnreadMarker(): boolean {
    const index = this.#entries.findLastIndex((entry) =>
      entry.kind === "marker" && entry.text === UNREAD_MARKER_TEXT && !entry.earlier
    );
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    this.#rendered.splice(index, 1);
    this.#clampScroll();
    return true;
  }

  #render(entry: Entry): string[] {
    return renderEntry(entry, {
      width: this.#columns,
      me: this.#me,
      theme: this.#theme,
      now: Date.now(),
      files: this.files,
    });
  }

  /** The lines in view, oldest first, at most the message area's height. */
  #visibleLines(): string[] {
    const wanted = this.#area + this.#scroll;
    const lines: string[] = [];
    for (let index = this.#rendered.length - 1; index >= 0 && lines.length < wanted; index--) {
      lines.unshift(...this.#rendered[index]);
    }
    const end = Math.max(0, lines.length - this.#scroll);
    return lines.slice(Math.max(0, end - this.#area), end);
  }

  /** The message area (lines kept at its bottom), the status bar and the input line. */
  #drawAll(): void {
    const lines = this.#visibleLines();
    const blank = this.#area - lines.length;
    let out = HIDE_CURSOR + `${CSI}1;${this.#area}r`;
    for (let row = 1; row <= this.#area; row++) {
      out += this.#moveTo(row, 0) + CLEAR_LINE + (row > blank ? lines[row - 1 - blank] : "");
    }
    this.#output.write(out + this.#bottom());
  }

  /** Status bar and input line, leaving the cursor where typing goes. */
  #bottom(): string {
    const status = this.#scroll > 0 ? { ...this.#status, newBelow: this.#newBelow } : this.#status;
    return this.#moveTo(this.#rows - 1, 0) + CLEAR_LINE +
      formatStatus(status, this.#columns, this.#theme) + this.#inputAt();
  }

  /** The input line on the last row, leaving the cursor where typing goes. */
  #inputAt(): string {
    const { prompt, text, cursor } = this.#input;
    const promptWidth = cellWidth(prompt);
    const view = layoutInput(
      text,
      cursor,
      Math.max(1, this.#columns - promptWidth),
      this.#inputStart,
      this.#theme.inputMarker,
    );
    this.#inputStart = view.start;
    return this.#moveTo(this.#rows, 0) + CLEAR_LINE + this.#theme.prompt(prompt) + view.text +
      "\r" +
      (promptWidth + view.cursorColumn > 0 ? `${CSI}${promptWidth + view.cursorColumn}C` : "") +
      SHOW_CURSOR;
  }

  /** Moves to `row` (1-based from the top), column `column` (0-based). */
  #moveTo(row: number, column: number): string {
    return `${CSI}${Math.max(1, row)};${column + 1}H`;
  }
}

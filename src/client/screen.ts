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
 * The messages are those of one {@linkcode Scrollback} at a time (one per
 * chat window): {@linkcode Screen.show} switches, and entries for a window
 * not shown are kept in its scrollback without drawing anything.
 *
 * The screen only produces text for an output; it never reads input.
 *
 * @module
 */

import { layoutInput } from "./input_view.ts";
import { type Entry, type FileLinks, renderEntry } from "./render.ts";
import { Scrollback } from "./scrollback.ts";
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
  /** The window shown. */
  #view = new Scrollback();
  /** Numbers and links of shared files, for their records (file_transfer.ts). */
  files: FileLinks | undefined;
  #status: StatusInfo;
  #input: InputState = { prompt: "", text: "", cursor: 0 };
  #inputStart = 0;
  #focused = true;

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
    return this.#view.scroll > 0;
  }

  /** The window shown. */
  get shown(): Scrollback {
    return this.#view;
  }

  /**
   * Shows another window's scrollback (laid out again if the width changed
   * since), where it was scrolled to. The window left gets the `— new —`
   * marker above whatever arrives in it next.
   */
  show(view: Scrollback): void {
    if (view === this.#view) return;
    this.#view.markNext = true;
    this.#view = view;
    view.markNext = !this.#focused;
    this.#layout(view);
    this.#drawAll();
  }

  /** Adds entries below the last one of `view` (default: the window shown). */
  print(entries: Entry[], view: Scrollback = this.#view): void {
    if (entries.length === 0) return;
    this.#layout(view);
    const arrived = entries.length;
    let redraw = false;
    if (view.markNext) {
      view.markNext = false;
      redraw = this.#removeUnreadMarker(view);
      entries = [{ kind: "marker", ts: Date.now(), text: UNREAD_MARKER_TEXT }, ...entries];
    }
    const lines: string[] = [];
    for (const entry of entries) {
      const rendered = this.#render(entry);
      view.entries.push(entry);
      view.rendered.push(rendered);
      lines.push(...rendered);
    }
    this.#trim(view);
    if (view.scroll > 0) {
      // Keep the view where it is; the status bar counts what arrived.
      const kept = view.scroll + lines.length;
      view.scroll = kept;
      view.newBelow += arrived;
      this.#clampScroll(view);
      // The view shows the same lines unless it had to move: then only the status bar changes.
      if (view !== this.#view) return;
      if (!redraw && view.scroll === kept) {
        return this.#output.write(HIDE_CURSOR + this.#bottom());
      }
      redraw = true;
    }
    if (view !== this.#view) return;
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
  lastEntry(view: Scrollback = this.#view): Entry | undefined {
    return view.markNext ? undefined : view.entries.at(-1);
  }

  /** Replaces the last entry of `view` (a line that grows, such as folded joins) and draws it again. */
  replaceLast(entry: Entry, view: Scrollback = this.#view): void {
    if (view.entries.length === 0) return this.print([entry], view);
    this.#layout(view);
    const oldLines = view.rendered.at(-1)!.length;
    view.entries[view.entries.length - 1] = entry;
    view.rendered[view.rendered.length - 1] = this.#render(entry);
    if (view.scroll > 0) {
      view.scroll = Math.max(1, view.scroll + view.rendered.at(-1)!.length - oldLines);
      this.#clampScroll(view);
    }
    if (view === this.#view) this.#drawAll();
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
    if (this.#view.scroll === 0) return;
    this.#scrollBy(-this.#view.scroll);
  }

  /**
   * Tells the screen whether the window has the focus: after losing it, the
   * next entry is put under a `— new —` marker (the only one).
   */
  setFocused(focused: boolean): void {
    if (focused === this.#focused) return;
    this.#focused = focused;
    this.#view.markNext = !focused;
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
    this.#layout(this.#view);
    this.repaint();
  }

  /** Clears the terminal and draws the messages, the status bar and the input line again. */
  repaint(): void {
    this.#output.write(HIDE_CURSOR + RESET_SCROLL_REGION + CLEAR_SCREEN);
    this.#drawAll();
  }

  /** Forgets every message of the window shown and clears the terminal. */
  clear(): void {
    this.#view.clear();
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
    const view = this.#view;
    const before = view.scroll;
    view.scroll += lines;
    this.#clampScroll(view);
    if (view.scroll === before) return;
    this.#drawAll();
  }

  #clampScroll(view: Scrollback): void {
    view.scroll = Math.max(0, Math.min(view.scroll, view.lineCount - this.#area));
    if (view.scroll === 0) view.newBelow = 0;
  }

  /** Renders `view`'s entries again when they were laid out at another width. */
  #layout(view: Scrollback): void {
    if (view.width === this.#columns) return;
    view.width = this.#columns;
    view.rendered = view.entries.map((entry) => this.#render(entry));
    this.#clampScroll(view);
  }

  /** Drops the oldest entries beyond what is kept. */
  #trim(view: Scrollback): void {
    const extra = view.entries.length - KEPT_ENTRIES;
    if (extra <= 0) return;
    view.entries.splice(0, extra);
    view.rendered.splice(0, extra);
    this.#clampScroll(view);
  }

  /** Removes the unread marker left by an earlier absence; true when there was one. */
  #removeUnreadMarker(view: Scrollback): boolean {
    const index = view.entries.findLastIndex((entry) =>
      entry.kind === "marker" && entry.text === UNREAD_MARKER_TEXT && !entry.earlier
    );
    if (index < 0) return false;
    view.entries.splice(index, 1);
    view.rendered.splice(index, 1);
    this.#clampScroll(view);
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
    const { rendered, scroll } = this.#view;
    const wanted = this.#area + scroll;
    const lines: string[] = [];
    for (let index = rendered.length - 1; index >= 0 && lines.length < wanted; index--) {
      lines.unshift(...rendered[index]);
    }
    const end = Math.max(0, lines.length - scroll);
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
    const { scroll, newBelow } = this.#view;
    const status = scroll > 0 ? { ...this.#status, newBelow } : this.#status;
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

/**
 * Paints the chat on a terminal: messages scroll up from above a status bar
 * and an input line pinned to the two bottom rows. New messages are written
 * over the status and input rows, which are then drawn again below them in
 * the same write, so the input line — half-typed text, cursor and all — is
 * never garbled, and what scrolled away stays in the terminal's own
 * scrollback. On resize (or Ctrl-L) the visible messages are laid out again
 * at the new width from the entries kept here.
 *
 * The screen only produces text for an output; it never reads input.
 *
 * @module
 */

import { layoutInput } from "./input_view.ts";
import { type Entry, renderEntry } from "./render.ts";
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
const CLEAR_BELOW = `${CSI}J`;
const CLEAR_SCREEN = `${CSI}H${CSI}2J`;
/** Entries kept for laying out again after a resize. */
const KEPT_ENTRIES = 500;
/** Narrower than this and nothing sensible fits; draw as if it were this wide. */
const MIN_COLUMNS = 20;

/** The chat's terminal screen. */
export class Screen {
  readonly #output: ScreenOutput;
  readonly #theme: Theme;
  #size: TerminalSize;
  #me: string;
  #entries: Entry[] = [];
  #status: StatusInfo;
  #input: InputState = { prompt: "", text: "", cursor: 0 };
  #inputStart = 0;

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

  /** Makes room at the bottom of the terminal and draws the status bar and input line. */
  start(): void {
    // Newlines, not a clear: what was on the terminal before moves up into its scrollback.
    this.#output.write(
      HIDE_CURSOR + "\r\n".repeat(Math.max(0, this.#rows - 1)) +
        this.#moveTo(this.#rows - 1, 0) + this.#bottom(),
    );
  }

  /** The name that marks your own messages and mentions (after /nick). */
  setMe(name: string): void {
    this.#me = name;
  }

  /** Adds entries above the status bar. */
  print(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.#entries.push(...entries);
    if (this.#entries.length > KEPT_ENTRIES) {
      this.#entries.splice(0, this.#entries.length - KEPT_ENTRIES);
    }
    const lines = entries.flatMap((entry) => this.#render(entry));
    this.#output.write(
      HIDE_CURSOR + this.#moveTo(this.#rows - 1, 0) + CLEAR_BELOW +
        lines.map((line) => line + "\r\n").join("") + this.#bottom(),
    );
  }

  /** Shows a new status. */
  setStatus(status: StatusInfo): void {
    this.#status = status;
    this.#output.write(HIDE_CURSOR + this.#moveTo(this.#rows - 1, 0) + this.#bottom());
  }

  /** Shows the input line's new content and cursor. */
  setInput(input: InputState): void {
    this.#input = input;
    this.#output.write(HIDE_CURSOR + this.#moveTo(this.#rows, 0) + this.#inputLine());
  }

  /** Rings the terminal bell. */
  bell(): void {
    this.#output.write("\x07");
  }

  /** Lays everything out again for a new size. */
  resize(size: TerminalSize): void {
    this.#size = size;
    this.repaint();
  }

  /** Clears the terminal and draws the latest messages, the status bar and the input line again. */
  repaint(): void {
    const room = Math.max(0, this.#rows - 2);
    const lines: string[] = [];
    for (let index = this.#entries.length - 1; index >= 0 && lines.length < room; index--) {
      lines.unshift(...this.#render(this.#entries[index]));
    }
    const shown = lines.slice(-room);
    this.#output.write(
      HIDE_CURSOR + CLEAR_SCREEN + this.#moveTo(this.#rows - 1 - shown.length, 0) +
        shown.map((line) => line + "\r\n").join("") + this.#bottom(),
    );
  }

  /** Forgets every message and clears the terminal. */
  clear(): void {
    this.#entries = [];
    this.repaint();
  }

  /**
   * Erases the status bar and input line and leaves the cursor at the start
   * of the first free line, with `farewell` lines printed there.
   */
  close(farewell: string[] = []): void {
    this.#output.write(
      this.#moveTo(this.#rows - 1, 0) + CLEAR_BELOW +
        farewell.map((line) => line + "\r\n").join("") + SHOW_CURSOR,
    );
  }

  get #rows(): number {
    return Math.max(3, this.#size.rows);
  }

  get #columns(): number {
    return Math.max(MIN_COLUMNS, this.#size.columns);
  }

  #render(entry: Entry): string[] {
    return renderEntry(entry, {
      width: this.#columns,
      me: this.#me,
      theme: this.#theme,
      now: Date.now(),
    });
  }

  /** Status bar and input line, drawn from the current row downwards. */
  #bottom(): string {
    return CLEAR_LINE + formatStatus(this.#status, this.#columns, this.#theme) + "\r\n" +
      this.#inputLine();
  }

  /** The input line from column 1 of the current row, leaving the cursor where typing goes. */
  #inputLine(): string {
    const { prompt, text, cursor } = this.#input;
    const promptWidth = cellWidth(prompt);
    const view = layoutInput(
      text,
      cursor,
      this.#columns - promptWidth,
      this.#inputStart,
      this.#theme.inputMarker,
    );
    this.#inputStart = view.start;
    return "\r" + CLEAR_LINE + this.#theme.prompt(prompt) + view.text + "\r" +
      (promptWidth + view.cursorColumn > 0 ? `${CSI}${promptWidth + view.cursorColumn}C` : "") +
      SHOW_CURSOR;
  }

  /** Moves to `row` (1-based from the top), column `column` (0-based). */
  #moveTo(row: number, column: number): string {
    return `${CSI}${Math.max(1, row)};${column + 1}H`;
  }
}

/**
 * The input line: a buffer, a cursor, earlier inputs to recall, and Tab
 * completion. Pure: a key goes in, the new state and what the key asked for
 * (submit, quit, …) come out. The cursor moves by grapheme cluster, so an
 * emoji or a letter with its accent is one step.
 *
 * @example
 * ```ts
 * const editor = new LineEditor();
 * editor.handle({ name: "text", text: "helo" });
 * editor.handle({ name: "left" });
 * editor.handle({ name: "text", text: "l" });
 * editor.handle({ name: "enter" }); // { type: "submit", text: "hello" }
 * ```
 *
 * @module
 */

import { sanitizeText } from "../text/sanitize.ts";
import { graphemes } from "../text/wrap.ts";
import type { Key } from "./key_decoder.ts";

/** What a key press asks of the caller. */
export type EditorAction =
  /** Nothing visible changed. */
  | { type: "none" }
  /** The buffer or cursor changed: redraw the input line. */
  | { type: "changed" }
  /** Enter on a non-empty line; the buffer is now empty. */
  | { type: "submit"; text: string }
  /** Ctrl-C. */
  | { type: "interrupt" }
  /** Ctrl-D on an empty line. */
  | { type: "eof" }
  /** Ctrl-L: repaint the screen. */
  | { type: "redraw" };

/**
 * Completes the word before the cursor. Gets the whole line up to the start
 * of that word and the word itself; returns replacements for the word, in
 * the order Tab should offer them (suffixes such as `: ` included).
 */
export type Completer = (before: string, word: string) => string[];

/** Options of {@linkcode LineEditor}. */
export interface LineEditorOptions {
  /** Tab completion; without it Tab does nothing. */
  complete?: Completer;
  /** Most earlier inputs kept for Up/Down. */
  historySize?: number;
}

interface CompletionCycle {
  wordStart: number;
  choices: string[];
  index: number;
  /** The buffer right after the last completion; any other change ends the cycle. */
  text: string;
  cursor: number;
}

/** A single-line editor with history and completion. */
export class LineEditor {
  #text = "";
  /** Cursor as an offset into `#text`, always on a grapheme boundary. */
  #cursor = 0;
  readonly #history: string[] = [];
  /** Position while browsing history: `#history.length` means the line being written. */
  #historyIndex = 0;
  #draft = "";
  #cycle: CompletionCycle | null = null;
  readonly #options: LineEditorOptions;
  /** False while typing something that must not be recalled later (a password). */
  remember = true;

  /** Creates an empty editor. */
  constructor(options: LineEditorOptions = {}) {
    this.#options = options;
  }

  /** The buffer. */
  get text(): string {
    return this.#text;
  }

  /** The cursor as an offset into {@linkcode text}. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Replaces the buffer (cursor at the end), e.g. to put back a message that was not sent. */
  setText(text: string): void {
    this.#text = text;
    this.#cursor = text.length;
    this.#cycle = null;
  }

  /** Inputs remembered for Up/Down, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Applies one key. */
  handle(key: Key): EditorAction {
    if (key.name !== "tab") this.#cycle = null;
    switch (key.name) {
      case "text":
        return this.#insert(key.text);
      case "paste":
        return this.#insert(key.text.replace(/\r\n?/g, "\n").replace(/\t/g, "  "));
      case "newline":
        return this.#insert("\n");
      case "enter":
        return this.#submit();
      case "backspace":
        return this.#deleteRange(this.#previousBoundary(this.#cursor), this.#cursor);
      case "delete":
        return this.#deleteRange(this.#cursor, this.#nextBoundary(this.#cursor));
      case "eof":
        if (this.#text === "") return { type: "eof" };
        return this.#deleteRange(this.#cursor, this.#nextBoundary(this.#cursor));
      case "left":
        return this.#moveTo(this.#previousBoundary(this.#cursor));
      case "right":
        return this.#moveTo(this.#nextBoundary(this.#cursor));
      case "home":
        return this.#moveTo(0);
      case "end":
        return this.#moveTo(this.#text.length);
      case "word-left":
        return this.#moveTo(this.#wordStartBefore(this.#cursor));
      case "word-right":
        return this.#moveTo(this.#wordEndAfter(this.#cursor));
      case "delete-word-left":
        return this.#deleteRange(this.#wordStartBefore(this.#cursor), this.#cursor);
      case "delete-word-right":
        return this.#deleteRange(this.#cursor, this.#wordEndAfter(this.#cursor));
      case "kill-line-start":
        return this.#deleteRange(0, this.#cursor);
      case "kill-line-end":
        return this.#deleteRange(this.#cursor, this.#text.length);
      case "up":
        return this.#recall(-1);
      case "down":
        return this.#recall(1);
      case "tab":
        return this.#complete();
      case "interrupt":
        return { type: "interrupt" };
      case "redraw":
        return { type: "redraw" };
      case "page-up":
      case "page-down":
      case "wheel-up":
      case "wheel-down":
      case "focus-in":
      case "focus-out":
      case "suspend":
      case "retry":
      case "cursor-report":
      case "escape":
      case "next-window":
      case "previous-window":
      case "window":
        // Not edits: the chat scrolls, suspends or retries (see terminal_chat.ts).
        return { type: "none" };
    }
  }

  #insert(text: string): EditorAction {
    // Pastes can carry escape sequences and bidi controls too; none enter the buffer.
    const clean = sanitizeText(text, { multiline: true });
    if (clean === "") return { type: "none" };
    this.#text = this.#text.slice(0, this.#cursor) + clean + this.#text.slice(this.#cursor);
    this.#cursor = this.#snapForward(this.#cursor + clean.length);
    return { type: "changed" };
  }

  #submit(): EditorAction {
    const text = this.#text;
    if (text.trim() === "") return { type: "none" };
    if (this.remember && this.#history[this.#history.length - 1] !== text) {
      this.#history.push(text);
    }
    const limit = this.#options.historySize ?? 200;
    if (this.#history.length > limit) this.#history.splice(0, this.#history.length - limit);
    this.#historyIndex = this.#history.length;
    this.#draft = "";
    this.setText("");
    return { type: "submit", text };
  }

  #deleteRange(start: number, end: number): EditorAction {
    if (start >= end) return { type: "none" };
    this.#text = this.#text.slice(0, start) + this.#text.slice(end);
    this.#cursor = start;
    return { type: "changed" };
  }

  #moveTo(position: number): EditorAction {
    if (position === this.#cursor) return { type: "none" };
    this.#cursor = position;
    return { type: "changed" };
  }

  #recall(step: -1 | 1): EditorAction {
    if (this.#historyIndex > this.#history.length) this.#historyIndex = this.#history.length;
    const target = this.#historyIndex + step;
    if (target < 0 || target > this.#history.length) return { type: "none" };
    if (this.#historyIndex === this.#history.length) this.#draft = this.#text;
    this.#historyIndex = target;
    this.setText(target === this.#history.length ? this.#draft : this.#history[target]);
    return { type: "changed" };
  }

  #complete(): EditorAction {
    const cycle = this.#cycle;
    if (cycle && cycle.text === this.#text && cycle.cursor === this.#cursor) {
      cycle.index = (cycle.index + 1) % cycle.choices.length;
      this.#replaceWord(cycle.wordStart, cycle.choices[cycle.index]);
      cycle.text = this.#text;
      cycle.cursor = this.#cursor;
      return { type: "changed" };
    }
    const complete = this.#options.complete;
    if (!complete) return { type: "none" };
    const before = this.#text.slice(0, this.#cursor);
    const wordStart = before.search(/\S*$/);
    const choices = complete(before.slice(0, wordStart), before.slice(wordStart));
    if (choices.length === 0) return { type: "none" };
    this.#replaceWord(wordStart, choices[0]);
    this.#cycle = choices.length > 1
      ? { wordStart, choices, index: 0, text: this.#text, cursor: this.#cursor }
      : null;
    return { type: "changed" };
  }

  #replaceWord(wordStart: number, replacement: string): void {
    this.#text = this.#text.slice(0, wordStart) + replacement + this.#text.slice(this.#cursor);
    this.#cursor = wordStart + replacement.length;
  }

  /** Grapheme boundaries of the buffer, as offsets, including 0 and the end. */
  #boundaries(): number[] {
    const offsets = [0];
    let offset = 0;
    for (const cluster of graphemes(this.#text)) {
      offset += cluster.length;
      offsets.push(offset);
    }
    return offsets;
  }

  #previousBoundary(position: number): number {
    const offsets = this.#boundaries();
    let found = 0;
    for (const offset of offsets) {
      if (offset >= position) break;
      found = offset;
    }
    return found;
  }

  #nextBoundary(position: number): number {
    return this.#boundaries().find((offset) => offset > position) ?? this.#text.length;
  }

  /** Moves a position that fell inside a cluster (a combining mark was added) to its end. */
  #snapForward(position: number): number {
    return this.#boundaries().find((offset) => offset >= position) ?? this.#text.length;
  }

  #wordStartBefore(position: number): number {
    const before = this.#text.slice(0, position);
    return before.replace(/\S+\s*$|\s+$/u, "").length;
  }

  #wordEndAfter(position: number): number {
    const after = this.#text.slice(position);
    const match = after.match(/^\s*\S+|^\s+/u);
    return position + (match ? match[0].length : 0);
  }
}

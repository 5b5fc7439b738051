/**
 * Terminal cell widths and word wrapping of styled text. Widths come from
 * `string-width` (East Asian wide characters and emoji take two cells,
 * combining marks none); text is cut only between grapheme clusters, so an
 * accent never leaves its letter and an emoji sequence is never split.
 *
 * @example
 * ```ts
 * wrapSpans([{ text: "hello wide 世界" }], { width: 8 });
 * // [[{ text: "hello" }], [{ text: "wide 世" }], [{ text: "界" }]]
 * ```
 *
 * @module
 */

import stringWidth from "string-width";

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Splits text into grapheme clusters (what a person sees as one character). */
export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/** Number of terminal cells `text` takes (escape sequences count as nothing). */
export function cellWidth(text: string): number {
  return stringWidth(text);
}

/** A run of text drawn one way. `style` turns plain text into its styled form. */
export interface Span {
  text: string;
  style?: (text: string) => string;
}

/** Options of {@linkcode wrapSpans}. */
export interface WrapOptions {
  /** Cells per line. */
  width: number;
  /** Blank cells before every line after the first (a hanging indent). */
  indent?: number;
}

interface Cell {
  text: string;
  width: number;
  style?: (text: string) => string;
  space: boolean;
  newline: boolean;
}

/**
 * Wraps styled text into lines of at most `width` cells. Breaks at spaces
 * where it can (the spaces at a break are dropped), inside a word only when
 * the word is longer than a line, and always at `\n`. Lines after the first
 * start with `indent` spaces. A single character wider than the line gets a
 * line of its own.
 */
export function wrapSpans(spans: Span[], options: WrapOptions): Span[][] {
  const width = Math.max(1, options.width);
  const indent = Math.min(Math.max(0, options.indent ?? 0), width - 1);
  const lines: Cell[][] = [[]];
  let used = 0;
  let pendingSpaces: Cell[] = [];

  const newLine = () => {
    lines.push(indent > 0 ? [plainCell(" ".repeat(indent), indent)] : []);
    used = indent;
    pendingSpaces = [];
  };
  const current = () => lines[lines.length - 1];

  for (const word of words(spans)) {
    if (word[0].newline) {
      newLine();
      continue;
    }
    if (word[0].space) {
      pendingSpaces.push(...word);
      continue;
    }
    const wordWidth = word.reduce((sum, cell) => sum + cell.width, 0);
    const spacesWidth = pendingSpaces.reduce((sum, cell) => sum + cell.width, 0);
    const atLineStart = used === (lines.length === 1 ? 0 : indent);
    if (used + spacesWidth + wordWidth <= width) {
      current().push(...pendingSpaces, ...word);
      used += spacesWidth + wordWidth;
      pendingSpaces = [];
      continue;
    }
    if (wordWidth <= width - indent && !atLineStart) {
      newLine();
      current().push(...word);
      used += wordWidth;
      continue;
    }
    // Longer than a whole line: fill this line, then break inside the word.
    if (used + spacesWidth < width) {
      current().push(...pendingSpaces);
      used += spacesWidth;
    }
    pendingSpaces = [];
    for (const cell of word) {
      const lineStart = used === (lines.length === 1 ? 0 : indent);
      if (used + cell.width > width && !lineStart) newLine();
      current().push(cell);
      used += cell.width;
    }
  }
  return lines.map(mergeCells);
}

/** Turns a wrapped line back into text, applying each span's style. */
export function joinSpans(line: Span[]): string {
  return line.map((span) => span.style ? span.style(span.text) : span.text).join("");
}

/** Total cells of a line of spans. */
export function spansWidth(line: Span[]): number {
  return line.reduce((sum, span) => sum + cellWidth(span.text), 0);
}

function plainCell(text: string, width: number): Cell {
  return { text, width, space: true, newline: false };
}

/** Groups the cells of `spans` into words, runs of spaces, and single line breaks. */
function* words(spans: Span[]): Generator<Cell[]> {
  let word: Cell[] = [];
  let kind: "word" | "space" | undefined;
  for (const span of spans) {
    for (const text of graphemes(span.text)) {
      const newline = text === "\n" || text === "\r\n";
      const space = !newline && /^\s+$/u.test(text);
      const cell: Cell = {
        text: space ? " " : text,
        width: newline ? 0 : space ? 1 : cellWidth(text),
        style: span.style,
        space,
        newline,
      };
      const cellKind = space ? "space" : "word";
      if (newline || (kind !== undefined && cellKind !== kind)) {
        if (word.length > 0) yield word;
        word = [];
        kind = undefined;
      }
      if (newline) {
        yield [cell];
        continue;
      }
      word.push(cell);
      kind = cellKind;
    }
  }
  if (word.length > 0) yield word;
}

function mergeCells(cells: Cell[]): Span[] {
  const spans: Span[] = [];
  for (const cell of cells) {
    const last = spans[spans.length - 1];
    if (last && last.style === cell.style) last.text += cell.text;
    else spans.push(cell.style ? { text: cell.text, style: cell.style } : { text: cell.text });
  }
  return spans;
}

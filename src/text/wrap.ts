/**
 * Terminal cell widths and word wrapping of styled text. Widths come from
 * `string-width` (East Asian wide characters and emoji take two cells,
 * combining marks none); text is cut only between grapheme clusters, so an
 * accent never leaves its letter and an emoji sequence is never split.
 *
 * Terminals disagree on emoji sequences: tmux 3.3 draws `❤️` (a heart with
 * the emoji variation selector) in one cell and `👍🏽` (with a skin tone) in
 * four, where string-width and newer terminals say two. The client measures
 * what its terminal does ({@linkcode GraphemeWidthRules}, see
 * client/width_probe.ts) and sets the rules with
 * {@linkcode useGraphemeWidthRules}; until then string-width's rules apply.
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
import { stripVTControlCharacters } from "node:util";

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Splits text into grapheme clusters (what a person sees as one character). */
export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/** How a terminal draws the emoji sequences that terminals disagree on. */
export interface GraphemeWidthRules {
  /** A ZWJ sequence (👨‍👩‍👧) is drawn as its first emoji alone (true) or as all of them (false). */
  zwjJoins: boolean;
  /** VS16 (U+FE0F) makes a narrow symbol such as ❤ two cells wide. */
  variationWidens: boolean;
  /** A skin tone (U+1F3FB–U+1F3FF) joins its emoji (true) or takes two cells of its own (false). */
  modifierJoins: boolean;
}

/** string-width's rules: every emoji sequence is one two-cell character. */
const CLUSTER_RULES: GraphemeWidthRules = {
  zwjJoins: true,
  variationWidens: true,
  modifierJoins: true,
};

let rules = CLUSTER_RULES;

/** Sets the rules {@linkcode cellWidth} follows (the terminal's, as measured). */
export function useGraphemeWidthRules(next: GraphemeWidthRules): void {
  rules = { ...next };
}

/** Characters whose width depends on the rules. */
const RULED = /[\u200d\ufe0f\u{1f3fb}-\u{1f3ff}]/u;
const SKIN_TONES = /[\u{1f3fb}-\u{1f3ff}]/gu;

/** Number of terminal cells `text` takes (escape sequences count as nothing). */
export function cellWidth(text: string): number {
  if (rules === CLUSTER_RULES || !RULED.test(text)) return stringWidth(text);
  let width = 0;
  for (const cluster of graphemes(stripVTControlCharacters(text))) width += clusterWidth(cluster);
  return width;
}

/** One grapheme cluster's width under the current rules. */
function clusterWidth(cluster: string): number {
  if (!RULED.test(cluster)) return stringWidth(cluster);
  const parts = cluster.split("\u200d").filter((part) => part !== "");
  if (rules.zwjJoins) return partWidth(parts[0] ?? "");
  return parts.reduce((sum, part) => sum + partWidth(part), 0);
}

/** The width of one emoji of a sequence, with its selector and skin tone. */
function partWidth(part: string): number {
  let extra = 0;
  if (!rules.modifierJoins) {
    const withoutTone = part.replace(SKIN_TONES, "");
    extra = part.length - withoutTone.length; // each tone: two UTF-16 units, two cells
    part = withoutTone;
  }
  if (!rules.variationWidens) part = part.replaceAll("\ufe0f", "");
  return stringWidth(part) + extra;
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
 * start with `indent` spaces, and a line wrapped inside an indented
 * paragraph (after a `\n`) keeps the paragraph's own indentation too. A
 * single character wider than the line gets a line of its own.
 */
export function wrapSpans(spans: Span[], options: WrapOptions): Span[][] {
  const width = Math.max(1, options.width);
  const indent = Math.min(Math.max(0, options.indent ?? 0), width - 1);
  const lines: Cell[][] = [[]];
  let used = 0;
  let pendingSpaces: Cell[] = [];
  /** Leading blanks of the current paragraph (after a `\n`), kept on its wrapped lines. */
  let paragraphIndent = 0;
  let paragraphStart = false;
  /** Where a line starts: the hanging indent, plus the paragraph's own when wrapping inside it. */
  let lineStart = 0;

  const newLine = (wrapped: boolean) => {
    lineStart = wrapped ? Math.min(indent + paragraphIndent, width - 1) : indent;
    lines.push(lineStart > 0 ? [plainCell(" ".repeat(lineStart), lineStart)] : []);
    used = lineStart;
    pendingSpaces = [];
  };
  const current = () => lines[lines.length - 1];

  for (const word of words(spans)) {
    if (word[0].newline) {
      newLine(false);
      paragraphIndent = 0;
      paragraphStart = true;
      continue;
    }
    if (word[0].space) {
      if (paragraphStart) paragraphIndent += word.length;
      pendingSpaces.push(...word);
      continue;
    }
    paragraphStart = false;
    const wordWidth = word.reduce((sum, cell) => sum + cell.width, 0);
    const spacesWidth = pendingSpaces.reduce((sum, cell) => sum + cell.width, 0);
    const atLineStart = used === lineStart;
    if (used + spacesWidth + wordWidth <= width) {
      current().push(...pendingSpaces, ...word);
      used += spacesWidth + wordWidth;
      pendingSpaces = [];
      continue;
    }
    const nextLineStart = Math.min(indent + paragraphIndent, width - 1);
    if (wordWidth <= width - nextLineStart && !atLineStart) {
      newLine(true);
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
      if (used + cell.width > width && used !== lineStart) newLine(true);
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

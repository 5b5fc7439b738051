/**
 * Finds out how the terminal draws the emoji sequences terminals disagree on
 * (see {@linkcode GraphemeWidthRules}): one sample of each is printed out of
 * sight and the terminal is asked where the cursor ended up (`CSI 6n`).
 * Terminals that do not answer keep string-width's rules. Pure: the request
 * text out, the answers in.
 *
 * @example
 * ```ts
 * const probe = new WidthProbe();
 * terminal.write(probe.request());
 * // The terminal answers "\x1b[2;3R", "\x1b[3;2R", "\x1b[4;5R" (tmux 3.3a):
 * probe.answer(2, 3); probe.answer(3, 2); probe.answer(4, 5);
 * // { zwjJoins: true, variationWidens: false, modifierJoins: false }
 * ```
 *
 * @module
 */

import type { GraphemeWidthRules } from "../text/wrap.ts";

/** One sample per rule, and the width it has when the rule holds. */
const SAMPLES: { rule: keyof GraphemeWidthRules; text: string; widthIfTrue: number }[] = [
  { rule: "zwjJoins", text: "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}", widthIfTrue: 2 }, // 👨‍👩‍👧
  { rule: "variationWidens", text: "\u2764\ufe0f", widthIfTrue: 2 }, // ❤️
  { rule: "modifierJoins", text: "\u{1f44d}\u{1f3fd}", widthIfTrue: 2 }, // 👍🏽
];

/** The first row the samples are printed on (row 1 answers would look like F-key sequences). */
const FIRST_ROW = 2;

/** Asks the terminal for its widths and reads its answers. */
export class WidthProbe {
  #widths = new Map<number, number>();

  /**
   * What to write: each sample at the start of its own row, followed by a
   * cursor position request; then the screen is cleared again.
   */
  request(): string {
    return SAMPLES.map((sample, index) => `\x1b[${FIRST_ROW + index};1H${sample.text}\x1b[6n`)
      .join("") + "\x1b[H\x1b[2J";
  }

  /**
   * Takes one cursor position report; returns the rules once every sample
   * has been answered, `null` before (and for reports that are not ours).
   */
  answer(row: number, column: number): GraphemeWidthRules | null {
    const index = row - FIRST_ROW;
    if (index < 0 || index >= SAMPLES.length) return null;
    this.#widths.set(index, column - 1);
    if (this.#widths.size < SAMPLES.length) return null;
    const rules = {} as GraphemeWidthRules;
    SAMPLES.forEach((sample, i) => rules[sample.rule] = this.#widths.get(i) === sample.widthIfTrue);
    return rules;
  }
}

/**
 * Widths of emoji sequences by the terminal's rules (measured with the width
 * probe), and wrapping that keeps a paragraph's indentation.
 */

import { assertEquals } from "./support/assert.ts";
import {
  cellWidth,
  type GraphemeWidthRules,
  joinSpans,
  useGraphemeWidthRules,
  wrapSpans,
} from "../src/text/wrap.ts";
import { WidthProbe } from "../src/client/width_probe.ts";
import { KeyDecoder } from "../src/client/key_decoder.ts";

const FAMILY = "👨‍👩‍👧";
const HEART = "❤️";
const THUMB = "👍🏽";

/** Runs `body` with `rules` in force, then puts string-width's rules back. */
function withRules(rules: GraphemeWidthRules, body: () => void): void {
  useGraphemeWidthRules(rules);
  try {
    body();
  } finally {
    useGraphemeWidthRules({ zwjJoins: true, variationWidens: true, modifierJoins: true });
  }
}

Deno.test("the width probe reads tmux 3.3's answers as its rules, and emoji are measured by them", () => {
  const probe = new WidthProbe();
  const request = probe.request();
  // Each sample on its own row from row 2, each followed by a cursor position request.
  assertEquals(request.split("\x1b[6n").length - 1, 3);
  // What tmux 3.3a answers (checked in tmux: the family is 2 cells, ❤️ 1, 👍🏽 4).
  const answers = new KeyDecoder().push("\x1b[2;3R\x1b[3;2R\x1b[4;5R");
  const rules = answers.map((key) =>
    key.name === "cursor-report" ? probe.answer(key.row, key.column) : undefined
  ).at(-1);
  assertEquals(rules, { zwjJoins: true, variationWidens: false, modifierJoins: false });
  withRules(rules!, () => {
    assertEquals(cellWidth(FAMILY), 2);
    assertEquals(cellWidth(HEART), 1);
    assertEquals(cellWidth(THUMB), 4);
    assertEquals(cellWidth(`a${HEART}b${THUMB}c 世界`), 1 + 1 + 1 + 4 + 1 + 1 + 4);
    assertEquals(cellWidth(`\x1b[1m${THUMB}\x1b[0m`), 4, "escape sequences count as nothing");
    // Wrapping follows: 👍🏽 does not fit in the 3 cells left after "ab ".
    const lines = wrapSpans([{ text: `ab ${THUMB}` }], { width: 5 }).map(joinSpans);
    assertEquals(lines, ["ab", THUMB]);
  });
  // A terminal that draws every part of a sequence (xterm, VTE) and widens nothing.
  withRules({ zwjJoins: false, variationWidens: false, modifierJoins: false }, () => {
    assertEquals(cellWidth(FAMILY), 6);
  });
  // Without answers, string-width's rules: every sequence is two cells.
  assertEquals([cellWidth(FAMILY), cellWidth(HEART), cellWidth(THUMB)], [2, 2, 2]);
});

Deno.test("row 1 reports are F3 with modifiers, not cursor positions", () => {
  assertEquals(new KeyDecoder().push("\x1b[1;5R\x1b[12;40R"), [
    { name: "cursor-report", row: 12, column: 40 },
  ]);
});

Deno.test("a wrapped line of an indented paragraph keeps the paragraph's indentation", () => {
  const text = "Keys:\n  Enter sends; Tab completes names and commands; Up/Down recall";
  const lines = wrapSpans([{ text: "-- " }, { text }], { width: 40, indent: 3 }).map(joinSpans);
  assertEquals(lines, [
    "-- Keys:",
    "     Enter sends; Tab completes names",
    "     and commands; Up/Down recall",
  ]);
});

/** The line editor and the input line's layout: keys in, buffer and cursor out. */

import { assertEquals } from "./support/assert.ts";
import type { Key } from "../src/client/key_decoder.ts";
import { type EditorAction, LineEditor } from "../src/client/line_editor.ts";
import { layoutInput } from "../src/client/input_view.ts";
import { completeWord } from "../src/client/completion.ts";

const text = (value: string): Key => ({ name: "text", text: value });
const key = (name: Exclude<Key["name"], "text" | "paste">): Key => ({ name } as Key);

/** Applies keys; returns the editor, with the cursor shown as `|` in `shown`, and the last action. */
function edit(editor: LineEditor, ...keys: Key[]): { shown: string; last: EditorAction } {
  let last: EditorAction = { type: "none" };
  for (const k of keys) last = editor.handle(k);
  const shown = editor.text.slice(0, editor.cursor) + "|" + editor.text.slice(editor.cursor);
  return { shown, last };
}

Deno.test("typing, moving and inserting in the middle", () => {
  const editor = new LineEditor();
  assertEquals(edit(editor, text("helo"), key("left"), text("l")).shown, "hell|o");
  assertEquals(edit(editor, key("home")).shown, "|hello");
  assertEquals(edit(editor, key("right"), key("right")).shown, "he|llo");
  assertEquals(edit(editor, key("end")).shown, "hello|");
  assertEquals(
    edit(editor, key("left"), key("left"), key("left"), key("left"), key("left"), key("left"))
      .shown,
    "|hello",
  );
});

Deno.test("backspace and delete remove one character; at the edges they do nothing", () => {
  const editor = new LineEditor();
  edit(editor, text("abc"));
  assertEquals(edit(editor, key("backspace")).shown, "ab|");
  assertEquals(edit(editor, key("home"), key("delete")).shown, "|b");
  assertEquals(edit(editor, key("backspace")).last, { type: "none" });
  assertEquals(edit(editor, key("end"), key("delete")).last, { type: "none" });
});

Deno.test("Ctrl-W deletes the word before the cursor, Ctrl-U everything before it, Ctrl-K after it", () => {
  const editor = new LineEditor();
  assertEquals(edit(editor, text("one two  three"), key("delete-word-left")).shown, "one two  |");
  assertEquals(edit(editor, key("delete-word-left")).shown, "one |");
  edit(editor, text("two three"));
  assertEquals(edit(editor, key("word-left"), key("kill-line-start")).shown, "|three");
  assertEquals(edit(editor, key("right"), key("kill-line-end")).shown, "t|");
});

Deno.test("word moves skip to word boundaries", () => {
  const editor = new LineEditor();
  edit(editor, text("say hello world"));
  assertEquals(edit(editor, key("word-left")).shown, "say hello |world");
  assertEquals(edit(editor, key("word-left")).shown, "say |hello world");
  assertEquals(edit(editor, key("word-right")).shown, "say hello| world");
  assertEquals(edit(editor, key("delete-word-right")).shown, "say hello|");
});

Deno.test("the cursor steps over whole graphemes: emoji sequences, flags, combining accents", () => {
  const family = "👩‍👩‍👧";
  const accented = "e\u0301";
  const editor = new LineEditor();
  edit(editor, text(`a${family}${accented}🇮🇹b`));
  assertEquals(edit(editor, key("left"), key("left")).shown, `a${family}${accented}|🇮🇹b`);
  assertEquals(edit(editor, key("backspace")).shown, `a${family}|🇮🇹b`);
  assertEquals(edit(editor, key("backspace")).shown, "a|🇮🇹b");
  assertEquals(edit(editor, key("delete")).shown, "a|b");
});

Deno.test("a combining mark typed after a letter joins it", () => {
  const editor = new LineEditor();
  edit(editor, text("e"), text("\u0301"));
  assertEquals(edit(editor, key("left")).shown, "|e\u0301");
});

Deno.test("Enter submits and clears; blank lines are not submitted", () => {
  const editor = new LineEditor();
  assertEquals(edit(editor, text("   "), key("enter")).last, { type: "none" });
  editor.setText("");
  assertEquals(edit(editor, text("hi there"), key("enter")).last, {
    type: "submit",
    text: "hi there",
  });
  assertEquals(editor.text, "");
});

Deno.test("Ctrl-D leaves only on an empty line; otherwise it deletes; Ctrl-C always interrupts", () => {
  const editor = new LineEditor();
  assertEquals(edit(editor, key("eof")).last, { type: "eof" });
  assertEquals(edit(editor, text("ab"), key("home"), key("eof")).shown, "|b");
  assertEquals(edit(editor, key("interrupt")).last, { type: "interrupt" });
});

Deno.test("Up and Down recall earlier lines and come back to the unfinished one", () => {
  const editor = new LineEditor();
  edit(editor, text("first"), key("enter"), text("second"), key("enter"), text("draft"));
  assertEquals(edit(editor, key("up")).shown, "second|");
  assertEquals(edit(editor, key("up")).shown, "first|");
  assertEquals(edit(editor, key("up")).last, { type: "none" });
  assertEquals(edit(editor, key("down")).shown, "second|");
  assertEquals(edit(editor, key("down")).shown, "draft|");
  assertEquals(edit(editor, key("down")).last, { type: "none" });
  edit(editor, key("enter"), text("draft"), key("enter"));
  assertEquals(editor.history, ["first", "second", "draft"], "repeats are kept once");
});

Deno.test("a paste keeps its line breaks and turns tabs into spaces", () => {
  const editor = new LineEditor();
  edit(editor, { name: "paste", text: "a\r\n\tb" });
  assertEquals(editor.text, "a\n  b");
  assertEquals(edit(editor, key("newline"), text("c")).shown, "a\n  b\nc|");
});

Deno.test("a paste cannot bring escape sequences or bidi controls into the input line", () => {
  const editor = new LineEditor();
  edit(editor, { name: "paste", text: "a\x1b[31mred\x1b[0m \u202eevil\x07" });
  assertEquals(editor.text, "ared evil");
});

Deno.test("Tab completes names and cycles through several matches", () => {
  const members = ["alice", "Albert", "bob"];
  const editor = new LineEditor({
    complete: (before, word) =>
      completeWord(before, word, { members, me: "bob", commands: ["/help", "/who"] }),
  });
  assertEquals(edit(editor, text("al"), key("tab")).shown, "alice: |");
  assertEquals(edit(editor, key("tab")).shown, "Albert: |");
  assertEquals(edit(editor, key("tab")).shown, "alice: |");
  assertEquals(edit(editor, text("hi @b"), key("tab")).shown, "alice: hi @bob |");
  editor.setText("");
  assertEquals(edit(editor, text("/w"), key("tab")).shown, "/who |");
  editor.setText("");
  assertEquals(
    edit(editor, text("/msg B"), key("tab")).shown,
    "/msg bob |",
    'case-insensitive; not "bob: "',
  );
  editor.setText("");
  assertEquals(edit(editor, text("zed"), key("tab")).last, { type: "none" });
});

Deno.test("completion offers your own name last", () => {
  assertEquals(
    completeWord("", "a", { members: ["ann", "al", "amy"], me: "al", commands: [] }),
    ["ann: ", "amy: ", "al: "],
  );
});

Deno.test("the input line scrolls sideways to keep the cursor visible, wide characters counted", () => {
  const plain = (s: string) => s;
  assertEquals(layoutInput("hello", 5, 10, 0, plain), { text: "hello", cursorColumn: 5, start: 0 });
  assertEquals(layoutInput("hello world", 11, 8, 0, plain), {
    text: "o world",
    cursorColumn: 7,
    start: 4,
  });
  // Cursor back at the start: the view follows it, then shows as much as fits.
  assertEquals(layoutInput("hello world", 0, 8, 4, plain), {
    text: "hello wo",
    cursorColumn: 0,
    start: 0,
  });
  // 世界 are two cells each: the cursor column counts cells, not characters.
  assertEquals(layoutInput("ab世界", 4, 10, 0, plain), {
    text: "ab世界",
    cursorColumn: 6,
    start: 0,
  });
  const narrow = layoutInput("世界世界世界", 6, 6, 0, plain);
  assertEquals(narrow.cursorColumn <= 5, true);
  assertEquals(narrow.text, "世界");
  // A line break in the buffer shows as a marker one cell wide.
  assertEquals(layoutInput("a\nb", 3, 10, 0, (s) => `[${s}]`).text, "a[⏎]b");
});

Deno.test("what is typed while remember is off (a password) is never recalled", () => {
  const editor = new LineEditor();
  edit(editor, text("hello"), key("enter"));
  editor.remember = false;
  assertEquals(edit(editor, text("s3cret"), key("enter")).last, { type: "submit", text: "s3cret" });
  editor.remember = true;
  assertEquals(editor.history, ["hello"]);
});

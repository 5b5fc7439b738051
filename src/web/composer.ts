/**
 * The message box: Enter sends, Shift+Enter starts a new line, a pasted
 * block of lines stays one message, Up and Down recall earlier input, Tab
 * completes member names, rooms and commands (Tab moves focus on as usual when
 * there is nothing to complete, so keyboard users are never trapped).
 *
 * @module
 */

import { completeWord, type CompletionSource } from "../client/completion.ts";

/** What the composer needs from the page. */
export interface ComposerOptions {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  /** Called with the text when the person sends it; returns false to keep it in the box. */
  submit(text: string): boolean;
  /** Names and commands to complete. */
  completion(): CompletionSource;
}

/** Most recent inputs kept for Up. */
const RECALL_LIMIT = 100;

/** Wires the message box; returns a function that focuses it. */
export function setUpComposer(options: ComposerOptions): () => void {
  const { form, input } = options;
  const recalled: string[] = [];
  let recallIndex = 0;
  let draft = "";
  let cycle: { start: number; end: number; choices: string[]; index: number } | undefined;

  const fit = () => {
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`; // The CSS max-height caps it.
  };
  const setText = (text: string) => {
    input.value = text;
    input.setSelectionRange(text.length, text.length);
    fit();
  };
  const send = () => {
    const text = input.value;
    if (text.trim() === "") return;
    if (!options.submit(text)) return;
    if (recalled.at(-1) !== text) recalled.push(text);
    if (recalled.length > RECALL_LIMIT) recalled.shift();
    recallIndex = recalled.length;
    draft = "";
    setText("");
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
    input.focus();
  });
  input.addEventListener("input", () => {
    cycle = undefined;
    fit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key !== "Tab") cycle = undefined;
    // Alt with a key switches rooms (the page's keys), never recalls or sends.
    if (event.altKey) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    } else if (
      event.key === "ArrowUp" && !input.value.slice(0, input.selectionStart).includes("\n")
    ) {
      if (recallIndex === 0) return;
      event.preventDefault();
      if (recallIndex === recalled.length) draft = input.value;
      recallIndex -= 1;
      setText(recalled[recallIndex]);
    } else if (
      event.key === "ArrowDown" && recallIndex < recalled.length &&
      !input.value.slice(input.selectionEnd).includes("\n")
    ) {
      event.preventDefault();
      recallIndex += 1;
      setText(recallIndex === recalled.length ? draft : recalled[recallIndex]);
    } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey) {
      if (complete()) event.preventDefault();
    }
  });

  /** Completes (or cycles through completions of) the word before the cursor. */
  function complete(): boolean {
    if (cycle === undefined) {
      const end = input.selectionStart;
      if (end !== input.selectionEnd) return false;
      const before = input.value.slice(0, end);
      const start = before.search(/\S*$/);
      const word = before.slice(start);
      if (word === "") return false;
      const choices = completeWord(before.slice(0, start), word, options.completion());
      if (choices.length === 0) return false;
      cycle = { start, end, choices, index: -1 };
    }
    cycle.index = (cycle.index + 1) % cycle.choices.length;
    const choice = cycle.choices[cycle.index];
    input.value = input.value.slice(0, cycle.start) + choice + input.value.slice(cycle.end);
    cycle.end = cycle.start + choice.length;
    input.setSelectionRange(cycle.end, cycle.end);
    fit();
    return true;
  }

  return () => input.focus();
}

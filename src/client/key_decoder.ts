/**
 * Turns what a terminal in raw mode sends into keys: printable text, control
 * keys, the escape sequences of arrows and friends (xterm, VT220, Windows
 * Terminal and the Windows console with virtual-terminal input), and
 * bracketed pastes. Pure: text in, keys out. An escape sequence split across
 * reads is held until the rest arrives; a lone Escape is released by
 * {@linkcode KeyDecoder.flush} after a short pause.
 *
 * @example
 * ```ts
 * const decoder = new KeyDecoder();
 * decoder.push("hi\x1b[D\r");
 * // [{ name: "text", text: "hi" }, { name: "left" }, { name: "enter" }]
 * ```
 *
 * @module
 */

/** Keys without text. */
export type KeyName =
  | "enter"
  | "newline"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "up"
  | "down"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "delete-word-left"
  | "delete-word-right"
  | "kill-line-start"
  | "kill-line-end"
  | "tab"
  | "interrupt"
  | "eof"
  | "redraw"
  | "page-up"
  | "page-down"
  | "escape"
  | "suspend"
  | "retry"
  /** Ctrl-N and Ctrl-P: the next and the previous chat window. */
  | "next-window"
  | "previous-window"
  /** The mouse wheel, where the terminal reports it (mouse reporting on). */
  | "wheel-up"
  | "wheel-down"
  /** The window gained or lost focus (focus reporting, `CSI ?1004h`). */
  | "focus-in"
  | "focus-out";

/** One key press, a run of typed text, or a whole paste. */
export type Key =
  | { name: KeyName }
  | { name: "text"; text: string }
  | { name: "paste"; text: string }
  /** Alt-1 … Alt-9 (`ESC` and the digit), Alt-0 for the tenth: show that chat window. */
  | { name: "window"; number: number }
  /** The terminal's answer to a cursor position request (`CSI 6n`), 1-based. */
  | { name: "cursor-report"; row: number; column: number };

const ESC = "\x1b";
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

const CONTROL_KEYS: Record<string, KeyName> = {
  "\x01": "home", // Ctrl-A
  "\x02": "left", // Ctrl-B
  "\x03": "interrupt", // Ctrl-C
  "\x04": "eof", // Ctrl-D
  "\x05": "end", // Ctrl-E
  "\x06": "right", // Ctrl-F
  "\x08": "backspace", // Ctrl-H, and Backspace on some Windows terminals
  "\x09": "tab",
  "\x0a": "enter",
  "\x0b": "kill-line-end", // Ctrl-K
  "\x0c": "redraw", // Ctrl-L
  "\x0d": "enter",
  "\x0e": "next-window", // Ctrl-N
  "\x10": "previous-window", // Ctrl-P
  "\x12": "retry", // Ctrl-R
  "\x15": "kill-line-start", // Ctrl-U
  "\x17": "delete-word-left", // Ctrl-W
  "\x1a": "suspend", // Ctrl-Z
  "\x7f": "backspace",
};

/** Final bytes of `ESC [ … X` and `ESC O X` sequences. */
const FINAL_KEYS: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};

/** Final bytes of `ESC [ X` sequences that are not keys of their own kind. */
const REPORT_KEYS: Record<string, KeyName> = { I: "focus-in", O: "focus-out" };

/** Mouse buttons 64 and 65 are the wheel turned up and down. */
const WHEEL_KEYS: Record<number, KeyName> = { 64: "wheel-up", 65: "wheel-down" };

/** Parameters of `ESC [ n ~` sequences. */
const TILDE_KEYS: Record<string, KeyName> = {
  "1": "home",
  "7": "home",
  "4": "end",
  "8": "end",
  "3": "delete",
  "5": "page-up",
  "6": "page-down",
};

/** `ESC` followed by a character: Alt (Meta) combinations. */
const ALT_KEYS: Record<string, KeyName> = {
  b: "word-left",
  f: "word-right",
  d: "delete-word-right",
  "\x7f": "delete-word-left",
  "\x08": "delete-word-left",
  "\r": "newline",
};

/** Decodes raw terminal input into {@linkcode Key}s. */
export class KeyDecoder {
  #pending = "";
  #paste: string | null = null;
  #lastWasCarriageReturn = false;

  /** True while an incomplete escape sequence waits for more input. */
  get waiting(): boolean {
    return this.#pending !== "";
  }

  /** Feeds decoded text from the terminal; returns the keys it completes. */
  push(input: string): Key[] {
    const keys: Key[] = [];
    let data = this.#pending + input;
    this.#pending = "";
    while (data.length > 0) {
      if (this.#paste !== null) {
        const end = data.indexOf(PASTE_END);
        if (end === -1) {
          // Keep a possible partial end marker for the next chunk.
          const keep = partialSuffix(data, PASTE_END);
          this.#paste += data.slice(0, data.length - keep);
          this.#pending = data.slice(data.length - keep);
          return keys;
        }
        keys.push({ name: "paste", text: this.#paste + data.slice(0, end) });
        this.#paste = null;
        data = data.slice(end + PASTE_END.length);
        continue;
      }
      const first = data[0];
      if (first === ESC) {
        const parsed = parseEscape(data);
        if (parsed === "incomplete") {
          this.#pending = data;
          return keys;
        }
        data = data.slice(parsed.length);
        this.#lastWasCarriageReturn = false;
        if (parsed.key === "paste-start") this.#paste = "";
        else if (parsed.key) keys.push({ name: parsed.key });
        else if (parsed.report) keys.push(parsed.report);
        continue;
      }
      const control = CONTROL_KEYS[first];
      if (control) {
        // A terminal that sends CR LF for Enter still means one Enter.
        const skip = first === "\n" && this.#lastWasCarriageReturn;
        this.#lastWasCarriageReturn = first === "\r";
        if (!skip) keys.push({ name: control });
        data = data.slice(1);
        continue;
      }
      this.#lastWasCarriageReturn = false;
      const run = printableRun(data);
      if (run.length === 0) {
        data = data.slice(1); // another control character: ignored
        continue;
      }
      const last = keys[keys.length - 1];
      if (last?.name === "text") last.text += run;
      else keys.push({ name: "text", text: run });
      data = data.slice(run.length);
    }
    return keys;
  }

  /**
   * Called after a pause in the input: an Escape still waiting is a real
   * Escape key press, not the start of a sequence.
   */
  flush(): Key[] {
    if (this.#paste !== null) return [];
    const pending = this.#pending;
    this.#pending = "";
    if (pending === "") return [];
    if (pending === ESC) return [{ name: "escape" }];
    // An unfinished sequence followed by silence: drop it, keep what follows.
    return this.push(pending.slice(1));
  }
}

type Parsed = { length: number; key?: KeyName | "paste-start"; report?: Key };

/** `ESC` and a digit: Alt-1 … Alt-9 show windows 1 to 9, Alt-0 the tenth. */
function altDigit(second: string): Parsed | undefined {
  if (!/^[0-9]$/.test(second)) return undefined;
  return { length: 2, report: { name: "window", number: second === "0" ? 10 : Number(second) } };
}

function parseEscape(data: string): Parsed | "incomplete" {
  if (data.length === 1) return "incomplete";
  const second = data[1];
  if (second === "[") return parseCsi(data);
  if (second === "O") {
    if (data.length < 3) return "incomplete";
    return { length: 3, key: FINAL_KEYS[data[2]] };
  }
  if (second === ESC) return { length: 1, key: "escape" };
  return altDigit(second) ?? { length: 2, key: ALT_KEYS[second] };
}

function parseCsi(data: string): Parsed | "incomplete" {
  if (data.startsWith(PASTE_START)) return { length: PASTE_START.length, key: "paste-start" };
  if (data.startsWith("\x1b[M")) {
    // A legacy mouse report: three raw bytes follow (button + 32, column + 32, row + 32).
    if (data.length < 6) return "incomplete";
    return { length: 6, key: WHEEL_KEYS[data.charCodeAt(3) - 32] };
  }
  let end = 2;
  while (end < data.length && /[0-9;:<=>?]/.test(data[end])) end++;
  if (end >= data.length) {
    // A CSI sequence is short; a very long unfinished one is garbage, not "incomplete".
    return data.length > 32 ? { length: data.length } : "incomplete";
  }
  const params = data.slice(2, end);
  const final = data[end];
  const length = end + 1;
  const [first, modifier] = params.split(";");
  if (final === "~") return { length, key: TILDE_KEYS[first] };
  if (params.startsWith("<")) {
    // An SGR mouse report, `ESC [ < button ; column ; row M`: only the wheel matters here.
    return { length, key: final === "M" ? WHEEL_KEYS[Number(first.slice(1))] : undefined };
  }
  if (params === "" && REPORT_KEYS[final]) return { length, key: REPORT_KEYS[final] };
  if (final === "R" && first !== "1" && /^\d+;\d+$/.test(params)) {
    // A cursor position report (`ESC [ 1 ; n R` is F3 with modifiers, so row 1 is never one).
    return {
      length,
      report: { name: "cursor-report", row: Number(first), column: Number(modifier) },
    };
  }
  const key = FINAL_KEYS[final];
  if (!key) return { length };
  // Ctrl (5) or Alt (3) with left/right moves by word.
  const held = Number(modifier ?? 1) - 1;
  if ((held & 0b110) !== 0 && (key === "left" || key === "right")) {
    return { length, key: key === "left" ? "word-left" : "word-right" };
  }
  return { length, key };
}

function printableRun(data: string): string {
  // deno-lint-ignore no-control-regex -- control characters end a run of text
  const match = data.match(/^[^\x00-\x1f\x7f-\x9f]+/);
  return match ? match[0] : "";
}

/** Length of the longest suffix of `data` that is a prefix of `marker`. */
function partialSuffix(data: string, marker: string): number {
  for (let length = Math.min(marker.length - 1, data.length); length > 0; length--) {
    if (marker.startsWith(data.slice(data.length - length))) return length;
  }
  return 0;
}

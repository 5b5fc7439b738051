/**
 * The real terminal: raw mode, key input, output, size changes, signals, and
 * putting everything back. Restoring is idempotent and hooked to every way
 * out — normal exit, Ctrl-C, SIGTERM/SIGHUP, an uncaught error — so the
 * shell is never left in raw mode with a hidden cursor.
 *
 * The chat runs on the terminal's alternate screen (as less, vim, irssi and
 * weechat do): status bars drawn before a resize or `/clear` never end up in
 * the terminal's scrollback, and leaving puts back what was there before.
 * Focus reporting and mouse-wheel reporting are turned on where the
 * terminal supports them (others ignore the request).
 *
 * Ctrl-Z (on Unix) gives the terminal back to the shell and stops the
 * program as the terminal driver would ({@linkcode Terminal.suspend}); `fg`
 * continues it, and the modes are set again (the shell changed them).
 *
 * Windows has no SIGWINCH, SIGTERM or SIGHUP: the size is polled there and
 * only the signals Windows has (SIGINT, SIGBREAK) are listened to. Raw mode
 * on Windows turns on virtual-terminal input, so keys arrive as the same
 * escape sequences as elsewhere.
 *
 * @module
 */

import { type Key, KeyDecoder } from "./key_decoder.ts";
import { WidthProbe } from "./width_probe.ts";
import { notificationKind, notificationSequence } from "./notification.ts";
import { useGraphemeWidthRules } from "../text/wrap.ts";

const utf8 = new TextEncoder();

/** Terminal size in cells. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/**
 * Modes of the chat: the window title saved and put back (22/23 t), the
 * alternate screen (1049), bracketed paste (2004), focus reports (1004),
 * mouse buttons — for the wheel — in SGR form (1000, 1006).
 */
const MODES_ON = "\x1b[22;0t\x1b[?1049h\x1b[?2004h\x1b[?1004h\x1b[?1000h\x1b[?1006h";
const MODES_OFF = "\x1b[?1006l\x1b[?1000l\x1b[?1004l\x1b[?2004l\x1b[?1049l\x1b[23;0t";
const SHOW_CURSOR = "\x1b[?25h";
const RESET_ATTRIBUTES = "\x1b[0m";
/** After an Escape byte, how long to wait for the rest of a sequence. */
const ESCAPE_WAIT_MS = 40;
const RESIZE_POLL_MS = 250;

const isWindows = Deno.build.os === "windows";

/** Signals that ask the program to stop, where the platform has them. */
const STOP_SIGNALS: readonly Deno.Signal[] = isWindows
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/** Calls `listener` on the platform's stop signals; returns a function that stops listening. */
export function onStopSignal(listener: () => void): () => void {
  const added: Deno.Signal[] = [];
  for (const signal of STOP_SIGNALS) {
    try {
      Deno.addSignalListener(signal, listener);
      added.push(signal);
    } catch {
      // Not available here (some platforms, or no permission): nothing to undo.
    }
  }
  return () => {
    for (const signal of added) Deno.removeSignalListener(signal, listener);
  };
}

/** What the full-screen chat needs of a terminal; {@linkcode Terminal} is the real one. */
export type ChatTerminal = Pick<
  Terminal,
  | "size"
  | "write"
  | "onResize"
  | "suspend"
  | "readKeys"
  | "restore"
  | "setTitle"
  | "notify"
>;

/** The terminal on stdin/stdout in raw mode. */
export class Terminal {
  #restored = false;
  #resizeListeners: Array<(size: TerminalSize) => void> = [];
  #size: TerminalSize;
  #stopWatchingSize: (() => void) | null = null;
  /** Reads the size again and tells the listeners when it changed. */
  #checkSize: (() => void) | null = null;
  readonly #restoreOnExit = () => this.restore();
  /** Measures the terminal's emoji widths at the start; its answers come with the keys. */
  readonly #probe = new WidthProbe();

  private constructor() {
    this.#size = readSize();
  }

  /** True when both stdin and stdout are terminals, so the full-screen client can run. */
  static available(): boolean {
    return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  }

  /**
   * Puts the terminal in raw mode on the alternate screen with bracketed
   * paste, focus and wheel reports, and arranges for it to be restored.
   */
  static open(): Terminal {
    const terminal = new Terminal();
    globalThis.addEventListener("unload", terminal.#restoreOnExit);
    globalThis.addEventListener("error", terminal.#restoreOnExit);
    globalThis.addEventListener("unhandledrejection", terminal.#restoreOnExit);
    terminal.#enter();
    terminal.write(terminal.#probe.request());
    return terminal;
  }

  #enter(): void {
    Deno.stdin.setRaw(true);
    this.write(MODES_ON);
  }

  /**
   * Ctrl-Z: puts the terminal back as the shell expects it and stops the
   * program (SIGTSTP, as the terminal driver sends it outside raw mode).
   * Returns once the program continues (`fg`), with raw mode and the
   * alternate screen back; the caller draws everything again. Where there is
   * no job control (Windows, a shell without it) it returns at once.
   */
  suspend(): void {
    if (isWindows || this.#restored) return;
    this.write(RESET_ATTRIBUTES + MODES_OFF + SHOW_CURSOR);
    try {
      Deno.stdin.setRaw(false);
      Deno.kill(Deno.pid, "SIGTSTP");
    } catch {
      // Not stoppable here: carry on as if continued at once.
    }
    try {
      this.#enter();
    } catch {
      return; // stdin is gone; the read loop ends the chat
    }
    this.#checkSize?.();
  }

  /** The current size. */
  get size(): TerminalSize {
    return this.#size;
  }

  /** Writes text at once (synchronously, so output is never interleaved or reordered). */
  write(text: string): void {
    const bytes = utf8.encode(text);
    try {
      for (let written = 0; written < bytes.length;) {
        written += Deno.stdout.writeSync(bytes.subarray(written));
      }
    } catch {
      // The terminal went away (closed window): nothing left to show anything on.
    }
  }

  /** Calls `listener` with the new size whenever the window is resized. */
  onResize(listener: (size: TerminalSize) => void): void {
    this.#resizeListeners.push(listener);
    this.#stopWatchingSize ??= this.#watchSize();
  }

  /**
   * Reads keys until stdin ends or {@linkcode restore} is called, handing
   * each batch to `onKeys`. The answers to the width probe are taken out:
   * once all are in, the widths follow the terminal's rules and the resize
   * listeners lay everything out again.
   */
  async readKeys(onKeys: (keys: Key[]) => void): Promise<void> {
    const decoder = new KeyDecoder();
    const utf8 = new TextDecoder();
    const buffer = new Uint8Array(4096);
    let escapeTimer: ReturnType<typeof setTimeout> | undefined;
    while (!this.#restored) {
      let count: number | null;
      try {
        count = await Deno.stdin.read(buffer);
      } catch {
        return;
      }
      if (count === null || this.#restored) return;
      clearTimeout(escapeTimer);
      const keys = this.#takeReports(
        decoder.push(utf8.decode(buffer.subarray(0, count), { stream: true })),
      );
      if (keys.length > 0) onKeys(keys);
      if (decoder.waiting) {
        escapeTimer = setTimeout(() => {
          const late = this.#takeReports(decoder.flush());
          if (late.length > 0 && !this.#restored) onKeys(late);
        }, ESCAPE_WAIT_MS);
      }
    }
  }

  /** Removes cursor reports from `keys`, handing them to the width probe. */
  #takeReports(keys: Key[]): Key[] {
    return keys.filter((key) => {
      if (key.name !== "cursor-report") return true;
      const rules = this.#probe.answer(key.row, key.column);
      if (rules) {
        useGraphemeWidthRules(rules);
        for (const listener of this.#resizeListeners) listener(this.#size);
      }
      return false;
    });
  }

  /** Shows a desktop notification with the sequence this terminal understands (by its `TERM`). */
  notify(title: string, body: string): void {
    this.write(notificationSequence(notificationKind(readTerm()), title, body));
  }

  /** Writes the window's title (OSC 2); terminals without titles ignore it. */
  setTitle(title: string): void {
    this.write(`\x1b]2;${title}\x07`);
  }

  /**
   * Leaves raw mode and the alternate screen, turns the reports off, shows
   * the cursor. Safe to call more than once.
   */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    this.#stopWatchingSize?.();
    globalThis.removeEventListener("unload", this.#restoreOnExit);
    globalThis.removeEventListener("error", this.#restoreOnExit);
    globalThis.removeEventListener("unhandledrejection", this.#restoreOnExit);
    this.write(RESET_ATTRIBUTES + MODES_OFF + SHOW_CURSOR);
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // stdin is gone; there is no mode left to restore.
    }
  }

  #watchSize(): () => void {
    const check = () => {
      const size = readSize();
      if (size.columns === this.#size.columns && size.rows === this.#size.rows) return;
      this.#size = size;
      for (const listener of this.#resizeListeners) listener(size);
    };
    this.#checkSize = check;
    if (!isWindows) {
      try {
        Deno.addSignalListener("SIGWINCH", check);
        return () => Deno.removeSignalListener("SIGWINCH", check);
      } catch {
        // Fall through to polling.
      }
    }
    const timer = setInterval(check, RESIZE_POLL_MS);
    return () => clearInterval(timer);
  }
}

function readTerm(): string | undefined {
  try {
    return Deno.env.get("TERM");
  } catch {
    return undefined; // not allowed to read it: the most common sequence
  }
}

function readSize(): TerminalSize {
  try {
    const { columns, rows } = Deno.consoleSize();
    if (columns > 0 && rows > 0) return { columns, rows };
  } catch {
    // Not a console after all.
  }
  return { columns: 80, rows: 24 };
}

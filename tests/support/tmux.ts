/**
 * Real terminals for end-to-end tests: tmux sessions of a fixed size on a
 * private tmux server (its own socket, so nothing else is touched), read
 * with `capture-pane` and typed into with `send-keys`. Waiting is polling
 * with a deadline; a failed wait shows the screen as it was.
 *
 * @module
 */

import { TEST_ENV } from "./chat_process.ts";

/** True when tmux can be run here. */
export function tmuxAvailable(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** A private tmux server; {@linkcode TmuxServer.kill} ends it and every session in it. */
export class TmuxServer {
  readonly socket = `chat-e2e-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;

  /** Runs a tmux command on this server; throws with tmux's message when it fails. */
  async tmux(...args: string[]): Promise<string> {
    const { success, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    if (!success) throw new Error(`tmux ${args[0]} failed: ${text.decode(stderr)}`);
    return text.decode(stdout);
  }

  /** Starts a detached session of `columns` × `rows` running `command` in a shell. */
  async open(
    name: string,
    command: string,
    size: { columns: number; rows: number },
    env: Record<string, string> = {},
  ): Promise<TmuxPane> {
    const envArgs = Object.entries({ ...TEST_ENV, NO_COLOR: "", ...env }).flatMap((
      [key, value],
    ) => ["-e", `${key}=${value}`]);
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      String(size.columns),
      "-y",
      String(size.rows),
      ...envArgs,
      command,
    );
    // Keep the pane (and its last screen) when the command ends.
    await this.tmux("set-option", "-t", name, "remain-on-exit", "on");
    return new TmuxPane(this, name);
  }

  /** Ends the server and everything running in it, and removes its socket file. */
  async kill(): Promise<void> {
    const socketPath = (await this.tmux("display-message", "-p", "#{socket_path}").catch(() => ""))
      .trim();
    await this.tmux("kill-server").catch(() => {});
    if (socketPath) await Deno.remove(socketPath).catch(() => {});
  }
}

/** One session's pane. */
export class TmuxPane {
  constructor(readonly server: TmuxServer, readonly name: string) {}

  /** The screen as text, one string per row, trailing blanks trimmed. */
  async screen(): Promise<string[]> {
    return rows(await this.server.tmux("capture-pane", "-p", "-t", this.name));
  }

  /**
   * Everything the pane printed that is still on screen or in its scrollback,
   * one string per row, trailing blanks trimmed; with `escapes`, rows keep
   * their colour and attribute sequences (as tmux writes them).
   */
  async transcript(options: { escapes?: boolean } = {}): Promise<string[]> {
    const flags = options.escapes ? ["-e"] : [];
    return rows(await this.server.tmux("capture-pane", "-p", ...flags, "-S", "-", "-t", this.name));
  }

  /** Types literal text. */
  async type(text: string): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.name, "-l", text);
  }

  /**
   * Sends bytes as a terminal would (a mouse report, a focus report), which
   * tmux passes on to the program unchanged.
   */
  async sendBytes(bytes: string): Promise<void> {
    const hex = Array.from(new TextEncoder().encode(bytes), (b) => b.toString(16).padStart(2, "0"));
    await this.server.tmux("send-keys", "-t", this.name, "-H", ...hex);
  }

  /** Presses keys by tmux name: Enter, Left, C-c, Tab, … */
  async press(...keys: string[]): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.name, ...keys);
  }

  /** A tmux format value for this pane, e.g. `#{cursor_x}`. */
  async format(format: string): Promise<string> {
    return (await this.server.tmux("display-message", "-p", "-t", this.name, format)).trim();
  }

  /** Cursor position (0-based column and row). */
  async cursor(): Promise<{ x: number; y: number }> {
    const [x, y] = (await this.format("#{cursor_x},#{cursor_y}")).split(",").map(Number);
    return { x, y };
  }

  /** Polls until the cursor is at column `x` (0-based); returns its position. */
  async waitForCursor(x: number, timeoutMs = 5000): Promise<{ x: number; y: number }> {
    const deadline = Date.now() + timeoutMs;
    let position = await this.cursor();
    while (position.x !== x && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      position = await this.cursor();
    }
    if (position.x !== x) {
      throw new Error(`${this.name}: the cursor stayed at column ${position.x}, not ${x}`);
    }
    return position;
  }

  /** Resizes the window. */
  async resize(columns: number, rows: number): Promise<void> {
    await this.server.tmux(
      "resize-window",
      "-t",
      this.name,
      "-x",
      String(columns),
      "-y",
      String(rows),
    );
  }

  /**
   * Polls the screen until `accept` holds (a string or pattern found on it,
   * or a predicate on its rows); returns the rows. Throws with the screen
   * after `timeoutMs`.
   */
  async waitFor(
    accept: string | RegExp | ((rows: string[]) => boolean),
    timeoutMs = 10_000,
  ): Promise<string[]> {
    const test = typeof accept === "function"
      ? accept
      : (rows: string[]) =>
        typeof accept === "string"
          ? rows.join("\n").includes(accept)
          : accept.test(rows.join("\n"));
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.screen();
      if (test(rows)) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `${this.name}: waited ${timeoutMs} ms for ${String(accept)}; the screen was:\n` +
        rows.map((row) => `  |${row}`).join("\n"),
    );
  }

  /** The last non-empty row (the input line). */
  async inputLine(): Promise<string> {
    const rows = await this.screen();
    return rows.filter((row) => row !== "").at(-1) ?? "";
  }
}

/** capture-pane output as rows, trailing blanks trimmed. */
function rows(captured: string): string[] {
  return captured.replace(/\n$/, "").split("\n").map((line) => line.trimEnd());
}

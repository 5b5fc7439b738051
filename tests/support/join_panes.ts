/**
 * `chat join` in tmux panes against a real `chat serve` subprocess, for the
 * terminal client's end-to-end tests: start both, read the panes, clean up.
 *
 * @module
 */

import { chatCommand, type ServeProcess, startServe } from "./chat_process.ts";
import type { TmuxPane } from "./tmux.ts";
import { TmuxServer } from "./tmux.ts";

/** Shell-quotes one argument. */
export function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The pane's command: `chat join ARGS`, then — once it has exited — the
 * terminal's line discipline flags and the exit code, so a test can see
 * that the terminal was restored. The shell then stays (until the tmux
 * server is killed) so the pane's state can still be inspected.
 */
export function joinCommand(args: string[]): string {
  const chat = chatCommand(["join", ...args]).map(quote).join(" ");
  return `${chat}; code=$?; printf '\\n[tty:'; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo "exit $code]"; sleep 600`;
}

/**
 * Runs `body` with a `chat serve` subprocess and a private tmux server,
 * cleaning both up. `restart` stops the server and starts it again on the
 * same port and history file; `restart({ kill: true })` kills it first
 * (`kill -9`: no goodbye, nothing flushed); `args` are the new server's options.
 */
export async function withRoom(
  body: (room: {
    port: number;
    tmux: TmuxServer;
    restart(options?: { kill?: boolean; args?: string[] }): Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  const tmux = new TmuxServer();
  const env = { CHAT_DATA_DIR: await Deno.makeTempDir({ prefix: "chat-e2e-server-" }) };
  let server: ServeProcess = await startServe([], { env });
  const port = server.port;
  try {
    await body({
      port,
      tmux,
      async restart(options = {}) {
        if (options.kill) {
          server.child.kill("SIGKILL");
          await server.status;
        } else {
          await server.stop();
        }
        server = await startServe(options.args ?? [], { port, env });
      },
    });
  } finally {
    await tmux.kill();
    await server.stop();
    await Deno.remove(env.CHAT_DATA_DIR, { recursive: true });
  }
}

/** Opens a tmux pane of `size` running `chat join --name NAME 127.0.0.1:PORT`. */
export function join(
  tmux: TmuxServer,
  name: string,
  port: number,
  size = { columns: 80, rows: 20 },
): Promise<TmuxPane> {
  return tmux.open(name, joinCommand(["--name", name, `127.0.0.1:${port}`]), size, {
    NO_COLOR: "",
  });
}

/**
 * Reports the window's focus as the terminal does (`ESC [ I` / `ESC [ O`) and
 * waits until the chat has taken it: a character typed after it shows up and
 * is deleted again, and keys are handled in order. (Without this, a message
 * arriving at once may be handled first.) The input line must be empty.
 */
export async function focus(pane: TmuxPane, focused: boolean): Promise<void> {
  await pane.sendBytes(focused ? "\x1b[I" : "\x1b[O");
  await pane.type("~");
  await pane.waitFor((rows) => rows.at(-1) === "› ~");
  await pane.press("BSpace");
  await pane.waitFor((rows) => rows.at(-1) === "›");
}

/** How many times `text` appears on the rows. */
export function count(rows: string[], text: string): number {
  return rows.join("\n").split(text).length - 1;
}

/** The index of the first row matching `pattern` (at or after `from`); throws with the rows if none. */
export function rowIndex(rows: string[], pattern: RegExp, from = 0): number {
  const index = rows.findIndex((row, i) => i >= from && pattern.test(row));
  if (index < 0) throw new Error(`no row matches ${pattern}:\n${rows.join("\n")}`);
  return index;
}

/**
 * The permissions the compiled `chat` binary is given — the one place they
 * are declared. `scripts/compile.ts` bakes exactly these flags into every
 * binary, `deno task serve` / `deno task join` run with them (as deno.json's
 * permission set `chat`, which tests/permissions_test.ts keeps equal), and the tests
 * start the server and the client with them, so a missing permission fails a
 * test here rather than on a friend's computer.
 *
 * Why each one (README, "Permissions of the binary", says it for users):
 * - net, unscoped: the server listens on the port and address the user picks,
 *   the client connects to whatever host the user names.
 * - read and write, unscoped: the only files touched are in the config and
 *   data directories (src/cli/dirs.ts), but those differ per user, per
 *   platform and per CHAT_CONFIG_DIR/CHAT_DATA_DIR, and Deno 2.9 resolves
 *   permission paths when the binary is built: it expands neither `~` nor
 *   `$HOME` (in flags or in deno.json permission sets), and a relative path is
 *   relative to the build's working directory. No path list works for every
 *   user, so the binary cannot be narrower here; tests/permissions_test.ts
 *   checks from Deno's audit log that the program only touches those two
 *   directories.
 * - env, the listed variables only; a read of any other variable gives
 *   `undefined` (`--ignore-env`) instead of throwing, because libraries probe
 *   variables of their own (picocolors reads `CI` when it is imported, and
 *   @inquirer/figures reads `WT_SESSION`, `TERM_PROGRAM`, … on Windows): with
 *   a plain allow-list those reads throw and the program dies at start-up.
 * - sys, `networkInterfaces` and `hostname` only: `chat serve` prints the
 *   addresses friends can join at, and announces the room on the local
 *   network (multicast DNS joins the group on each interface) under this
 *   computer's name.
 * - no prompts: a missing permission is an error, never a question put to
 *   someone who has never heard of Deno.
 *
 * @module
 */

import { DIRECTORY_ENV_VARS } from "./dirs.ts";

/** Variables that change what a person sees: colour and the terminal's abilities. */
const TERMINAL_ENV_VARS = ["NO_COLOR", "FORCE_COLOR", "TERM"] as const;

/** Variables that carry a secret so it stays out of the shell history and `ps`. */
const SECRET_ENV_VARS = ["CHAT_PASSWORD", "CHAT_REDIS_URL"] as const;

/** `CHAT_NODE_TTL_MS`: how soon a dead node is noticed, shortened by the cluster tests only. */
const CLUSTER_ENV_VARS = ["CHAT_NODE_TTL_MS"] as const;

/** Every environment variable the binary may read. */
export const ALLOWED_ENV_VARS: readonly string[] = [
  ...DIRECTORY_ENV_VARS,
  ...TERMINAL_ENV_VARS,
  ...SECRET_ENV_VARS,
  ...CLUSTER_ENV_VARS,
];

/**
 * Variables our npm dependencies read that we deliberately leave unset for
 * them (`--ignore-env` answers `undefined`). Listed so that an unexpected read
 * — above all one of our own variables missing from {@link ALLOWED_ENV_VARS},
 * which would otherwise be silently ignored — fails the permissions test.
 */
export const IGNORED_LIBRARY_ENV_VARS: Readonly<Record<string, string>> = {
  DEBUG: "ioredis's debug output (chat serve --redis only); --debug is ours",
  CI:
    "picocolors and @inquirer/figures: turns colour/Unicode on in CI logs; we decide that ourselves",
  WT_SESSION: "@inquirer/figures on Windows: Unicode symbols in Windows Terminal (ASCII otherwise)",
  TERMINUS_SUBLIME: "@inquirer/figures on Windows: Unicode symbols in an editor's terminal",
  ConEmuTask: "@inquirer/figures on Windows: Unicode symbols in ConEmu",
  TERM_PROGRAM: "@inquirer/figures on Windows: Unicode symbols in VS Code's terminal",
  TERMINAL_EMULATOR: "@inquirer/figures on Windows: Unicode symbols in JetBrains' terminal",
  CLI_WIDTH: "cli-width: a width override; the terminal's real width is used instead",
  INQUIRER_KEYBINDINGS: "@inquirer/core: vim/emacs keys in prompts",
  EDITOR: "@inquirer/external-editor: only for the editor prompt, which chat does not use",
  VISUAL: "@inquirer/external-editor: only for the editor prompt, which chat does not use",
  WS_NO_BUFFER_UTIL: "ws: skips an optional native add-on the binary does not carry anyway",
  WS_NO_UTF_8_VALIDATE: "ws: skips an optional native add-on the binary does not carry anyway",
};

/** Operating-system information the binary may ask for (`--allow-sys`). */
export const ALLOWED_SYS_APIS: readonly string[] = ["networkInterfaces", "hostname"];

/**
 * The permission flags of the binary, in the form `deno compile` and
 * `deno run` take them.
 *
 * @example
 * ```ts
 * const command = new Deno.Command(Deno.execPath(), {
 *   args: ["run", ...binaryPermissionFlags(), "main.ts", "serve"],
 * });
 * ```
 */
export function binaryPermissionFlags(): string[] {
  return [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    `--allow-env=${ALLOWED_ENV_VARS.join(",")}`,
    "--ignore-env",
    `--allow-sys=${ALLOWED_SYS_APIS.join(",")}`,
    "--no-prompt",
  ];
}

/**
 * V8 settings of the binary (docs/PERFORMANCE.md).
 * - `--optimize-for-size` makes V8 keep its heap close to what is live and
 *   hand memory back sooner: an idle room of 10,000 members costs the server
 *   9.5 KiB per connection with it against 15 KiB without, for about 15% less
 *   peak fan-out throughput.
 * - `--no-maglev` leaves optimizing to TurboFan alone. When an attack makes
 *   many functions hot at once, Maglev compiles about a hundred of them side by
 *   side on V8's worker threads; their memory (11 MB) stays in those threads'
 *   malloc arenas for good, and the server would not shrink back after the
 *   attack. TurboFan compiles a few at a time (2 MB), at the same throughput.
 */
const BINARY_V8_FLAGS: readonly string[] = ["--optimize-for-size", "--no-maglev"];

/**
 * Everything `deno compile` bakes into the binary and `deno run` needs to run
 * the source the same way: the permission flags and the V8 settings.
 */
export function binaryRunFlags(): string[] {
  return [...binaryPermissionFlags(), `--v8-flags=${BINARY_V8_FLAGS.join(",")}`];
}

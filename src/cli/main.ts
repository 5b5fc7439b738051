/**
 * The command-line entry: picks the subcommand, handles --help and --version,
 * and turns every error into a message and an exit code.
 *
 * @module
 */

import { versionLine } from "../version.ts";
import { EXIT_OK, reportError, UsageError } from "./errors.ts";
import { MAIN_HELP } from "./help.ts";
import { runServe } from "./serve_command.ts";
import { runJoin } from "./join_command.ts";
import { runFind } from "./find_command.ts";

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  serve: runServe,
  join: runJoin,
  find: runFind,
};

/** Runs `chat` with the given arguments and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const debug = args.includes("--debug");
  try {
    const [first, ...rest] = args;
    if (first === undefined) {
      throw new UsageError('Missing command: use "chat serve" or "chat join".');
    }
    if (first === "-h" || first === "--help" || first === "help") {
      console.log(MAIN_HELP);
      return EXIT_OK;
    }
    if (first === "-V" || first === "--version" || first === "version") {
      console.log(versionLine());
      return EXIT_OK;
    }
    const subcommand = SUBCOMMANDS[first];
    if (!subcommand) {
      const what = first.startsWith("-") ? "option" : "command";
      throw new UsageError(
        `Unknown ${what} "${first}"; the commands are "serve", "join" and "find".`,
      );
    }
    return await subcommand(rest);
  } catch (error) {
    return reportError(error, debug);
  }
}

/**
 * Errors meant for a person, and how they map to exit codes: 2 for a usage
 * mistake, 1 for anything that went wrong at run time.
 *
 * @module
 */

/** Exit status for success. */
export const EXIT_OK = 0;
/** Exit status for a run-time failure. */
export const EXIT_FAILURE = 1;
/** Exit status for a command-line mistake. */
export const EXIT_USAGE = 2;

/** A command-line mistake: unknown flag, bad value, missing argument. Exits with 2. */
export class UsageError extends Error {
  /** @param message one line saying what is wrong; a hint to use --help is added when printed */
  constructor(message: string, readonly command = "chat") {
    super(message);
    this.name = "UsageError";
  }
}

/** A run-time failure explained for a person (port in use, server unreachable). Exits with 1. */
export class UserError extends Error {
  /** @param message one or two sentences: what happened and what to do */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}

/**
 * Prints an error the way a person should see it and returns the exit code.
 * Stack traces only with `debug`.
 */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UsageError) {
    console.error(`${error.message}\nRun "${error.command} --help" for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof UserError) {
    console.error(error.message);
    if (debug && error.cause) console.error(error.cause);
    return EXIT_FAILURE;
  }
  if (debug) console.error(error);
  else {
    const detail = error instanceof Error ? error.message : String(error);
    console.error(
      `Something went wrong: ${detail}\nRun again with --debug for details, and please report it.`,
    );
  }
  return EXIT_FAILURE;
}

/**
 * Command-line parsing on top of `node:util` parseArgs (strict), turning its
 * errors into one-line {@linkcode UsageError}s and checking numeric values.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

/** Option definitions as `node:util` parseArgs takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Parsed flags and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses `args` strictly; unknown flags and missing values become usage errors for `command`. */
export function parseCommandLine(args: string[], options: OptionSpec, command: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: attachNegativeValues(args, options),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error), command);
  }
}

/**
 * parseArgs (strict) refuses a value that starts with "-" after a string
 * option ("--history-limit -5"), taking it for a forgotten value; only the
 * "--history-limit=-5" form gets through. No option starts with a digit, so a
 * negative number after a string option is its value: it is attached here,
 * and the option's own check then says what range it takes.
 */
function attachNegativeValues(args: string[], options: OptionSpec): string[] {
  const takesValue = new Set<string>();
  for (const [name, { type, short }] of Object.entries(options)) {
    if (type !== "string") continue;
    takesValue.add(`--${name}`);
    if (short) takesValue.add(`-${short}`);
  }
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return [...result, ...args.slice(i)];
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      result.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      result.push(arg);
    }
  }
  return result;
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const option = message.match(/(--[\w-]+)/)?.[1] ?? message.match(/'(-\w)'/)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option ${option ?? ""}.`.replace(" .", ".");
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return option ? `Option ${option} needs a value.` : message.split(".")[0] + ".";
    default:
      return message.split("\n")[0];
  }
}

/** Reads an integer flag within bounds; throws a usage error naming the flag otherwise. */
export function integerOption(
  value: unknown,
  flag: string,
  command: string,
  bounds: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < bounds.min || number > bounds.max) {
    throw new UsageError(
      `${flag} must be a whole number from ${bounds.min} to ${bounds.max}, not "${text}".`,
      command,
    );
  }
  return number;
}

/** Rejects positionals a command does not take. */
export function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}".`, command);
  }
}

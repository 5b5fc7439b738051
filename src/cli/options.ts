/**
 * Option tables: each command-line option declared once, with its help text,
 * from which both the parser's options and the help rows are made — so an
 * option cannot be accepted without being documented, or documented without
 * being accepted.
 *
 * @example
 * ```ts
 * const table: OptionTable = {
 *   port: { type: "string", short: "p", value: "PORT", help: "TCP port" },
 * };
 * parseCommandLine(["-p", "6000"], parserOptions(table), "chat serve");
 * optionRows(table); // ["  -p, --port PORT            TCP port"]
 * ```
 *
 * @module
 */

import { versionLine } from "../version.ts";
import type { OptionSpec, ParsedArgs } from "./args.ts";

/** One option: how it is parsed and how `--help` shows it. */
export interface OptionEntry {
  type: "string" | "boolean";
  /** One-letter alias, e.g. `p` for `-p`. */
  short?: string;
  /** What the value is called in the help, e.g. `PORT`, `[TEXT]`; only for string options. */
  value?: string;
  /** What it does; `\n` starts a continuation line, aligned under the first. */
  help: string;
}

/** Options by their long name (without dashes). */
export type OptionTable = Record<string, OptionEntry>;

/** A titled group of options in a command's help. */
export interface OptionSection {
  /** The heading, e.g. "Options" or "Limits". */
  title: string;
  options: OptionTable;
}

/** Column where the help text of an option starts. */
const HELP_COLUMN = 29;

/** The options as `node:util` parseArgs takes them. */
export function parserOptions(...tables: OptionTable[]): OptionSpec {
  const spec: OptionSpec = {};
  for (const table of tables) {
    for (const [name, { type, short }] of Object.entries(table)) {
      spec[name] = short ? { type, short } : { type };
    }
  }
  return spec;
}

/** The help rows of a table, one option after another, text aligned in one column. */
export function optionRows(table: OptionTable): string[] {
  return Object.entries(table).flatMap(([name, { short, value, help }]) => {
    const flag = `${short ? `  -${short}, ` : "      "}--${name}${value ? ` ${value}` : ""}`;
    const [first, ...more] = help.split("\n");
    const lead = flag.length < HELP_COLUMN
      ? [`${flag.padEnd(HELP_COLUMN)}${first}`]
      : [flag, `${" ".repeat(HELP_COLUMN)}${first}`];
    return [...lead, ...more.map((line) => `${" ".repeat(HELP_COLUMN)}${line}`)];
  });
}

/** The sections of a command's help, each a heading and its rows, separated by blank lines. */
export function optionSections(sections: OptionSection[]): string {
  return sections.map(({ title, options }) => [`${title}:`, ...optionRows(options)].join("\n"))
    .join("\n\n");
}

/** The options every command has: technical details, help, version. */
export const STANDARD_OPTIONS: OptionTable = {
  debug: { type: "boolean", help: "show technical details of errors" },
  help: { type: "boolean", short: "h", help: "show this help" },
  version: { type: "boolean", short: "V", help: "show the version and build target" },
};

/**
 * Prints the help or the version when the parsed arguments ask for it (help
 * first, as `chat --help` does); true means the command has nothing else to do.
 */
export function printedHelpOrVersion(values: ParsedArgs["values"], help: string): boolean {
  if (values.help) console.log(help);
  else if (values.version) console.log(versionLine());
  else return false;
  return true;
}

/**
 * Questions asked before the chat screen opens, with real prompts
 * (`@inquirer/prompts`): the name, validated locally with the rules the
 * server applies so most mistakes are caught before anything is sent, and
 * the room password, masked.
 *
 * @module
 */

import { input, password } from "@inquirer/prompts";
import { checkName } from "../protocol/names.ts";

/**
 * Asks for a name. `problem`, when given, says why another one is needed
 * (the server refused the last one). Resolves with the cleaned name, or
 * `null` when the person pressed Ctrl-C.
 */
export async function askName(problem?: string): Promise<string | null> {
  if (problem) console.log(problem);
  const answer = await cancellable(input({
    message: problem ? "Another name:" : "Your name:",
    validate: (value: string) => {
      const checked = checkName(value);
      return "code" in checked ? checked.message : true;
    },
  }));
  if (answer === null) return null;
  const checked = checkName(answer);
  return "code" in checked ? null : checked.name;
}

/**
 * Asks for the room password, showing `*` for each character typed.
 * `problem` says why (none given yet, or the last one was wrong). Resolves
 * with the password, or `null` on Ctrl-C.
 */
export async function askPassword(problem: string): Promise<string | null> {
  console.log(problem);
  return await cancellable(password({
    message: "Room password:",
    mask: "*",
    validate: (value: string) => value !== "" || "Type the password, or press Ctrl-C to give up.",
  }));
}

/** The prompt's answer, or `null` when it was cancelled with Ctrl-C. */
async function cancellable(prompt: Promise<string>): Promise<string | null> {
  try {
    return await prompt;
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") return null;
    throw error;
  }
}

/**
 * Questions asked before the chat screen opens, with real prompts
 * (`@inquirer/prompts`): the name, validated locally with the rules the
 * server applies so most mistakes are caught before anything is sent, and
 * the room password, masked.
 *
 * @module
 */

import { confirm, input, password } from "@inquirer/prompts";
import { checkName } from "../protocol/names.ts";

/**
 * Asks for a name. `problem`, when given, says why another one is needed
 * (the server refused the last one). Resolves with the cleaned name, or
 * `null` when the person pressed Ctrl-C.
 */
export async function askName(problem?: string): Promise<string | null> {
  if (problem) console.log(problem);
  let message = problem ? "Another name:" : "Your name:";
  while (true) {
    // A fresh prompt for each try: a refused name must not stay in the field to be typed after.
    const answer = await cancellable(input({ message }));
    if (answer === null) return null;
    const checked = checkName(answer);
    if (!("code" in checked)) return checked.name;
    console.log(checked.message);
    message = "Another name:";
  }
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

/**
 * Asks a yes/no question, "no" unless answered (`y/N`). Resolves with the
 * answer; Ctrl-C is "no".
 */
export async function askYesNo(question: string): Promise<boolean> {
  return await cancellable(confirm({ message: question, default: false })) ?? false;
}

/** The prompt's answer, or `null` when it was cancelled with Ctrl-C. */
async function cancellable<T>(prompt: Promise<T>): Promise<T | null> {
  try {
    return await prompt;
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") return null;
    throw error;
  }
}

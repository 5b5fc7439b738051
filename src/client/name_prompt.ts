/**
 * Asks for a name with a real prompt (`@inquirer/prompts`): editable,
 * validated locally with the same rules the server applies, so most
 * mistakes are caught before anything is sent. Loaded only when needed, so
 * `chat serve` and `chat join --name …` never load the prompt library.
 *
 * @module
 */

import { checkName } from "../protocol/names.ts";

/**
 * Prompts for a name. `problem`, when given, says why another one is needed
 * (the server refused the last one). Resolves with the cleaned name, or
 * `null` when the person pressed Ctrl-C.
 */
export async function askName(problem?: string): Promise<string | null> {
  const { input } = await import("@inquirer/prompts");
  if (problem) console.log(problem);
  try {
    const answer = await input({
      message: problem ? "Another name:" : "Your name:",
      validate: (value: string) => {
        const checked = checkName(value);
        return "code" in checked ? checked.message : true;
      },
    });
    const checked = checkName(answer);
    return "code" in checked ? null : checked.name;
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") return null;
    throw error;
  }
}

/**
 * What makes a valid member name, shared by the server (which decides) and the
 * client (which checks before asking). A name is 1–24 characters with no
 * whitespace, control or invisible characters, does not start with `/` or `@`,
 * and is not a reserved word. Names are compared case-insensitively.
 *
 * @example
 * ```ts
 * checkName("alice");  // { name: "alice" }
 * checkName("server"); // { code: "name_reserved", message: "…" }
 * ```
 *
 * @module
 */

import type { Refusal } from "./errors.ts";
import { MAX_NAME_CHARS } from "./limits.ts";

/** Words nobody may take, because they would let someone pose as the system. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "admin",
  "administrator",
  "all",
  "anonymous",
  "chat",
  "everyone",
  "here",
  "me",
  "mod",
  "moderator",
  "nobody",
  "op",
  "operator",
  "root",
  "server",
  "system",
  "you",
]);

// Controls, format characters (zero-width, bidi), surrogates, private use,
// unassigned, every kind of space, and letters that render as nothing.
const FORBIDDEN_CHARACTER =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\u115f\u1160\u3164\uffa0\u2800\u180e\u034f]/u;

/** The key two names are compared by: equal keys mean the same name. */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

/**
 * Checks a requested name. Returns the name to use (NFC-normalised, trimmed)
 * or a refusal saying what is wrong and what to do instead.
 */
export function checkName(requested: string): { name: string } | Refusal {
  const name = requested.normalize("NFC").trim();
  const length = [...name].length;
  if (length === 0) {
    return { code: "name_invalid", message: "Your name can't be empty. Type a name to join." };
  }
  if (length > MAX_NAME_CHARS) {
    return {
      code: "name_invalid",
      message: `That name is ${length} characters long; the limit is ${MAX_NAME_CHARS}.`,
    };
  }
  if (FORBIDDEN_CHARACTER.test(name)) {
    return {
      code: "name_invalid",
      message:
        "Names can't contain spaces, control or invisible characters. Try letters, digits, - or _.",
    };
  }
  if (name.startsWith("/") || name.startsWith("@")) {
    return { code: "name_invalid", message: "Names can't start with / or @. Pick another." };
  }
  if (RESERVED_NAMES.has(nameKey(name))) {
    return { code: "name_reserved", message: `"${name}" is reserved. Pick another name.` };
  }
  return { name };
}

/**
 * Whether a message mentions someone: their name as a word, with or without
 * `@`, in any case. One rule for the terminal client (which also highlights
 * each mention) and the browser page.
 *
 * @example
 * ```ts
 * mentions("hi @Alice!", "alice");          // true
 * mentions("malice aforethought", "alice"); // false
 * ```
 *
 * @module
 */

let cached: { name: string; pattern: RegExp } | undefined;

/**
 * A global, case-insensitive pattern for mentions of `name`, ready to use
 * from the start of a string (cached for the last name asked, which is
 * almost always the reader's own).
 */
export function mentionPattern(name: string): RegExp {
  if (cached?.name !== name) {
    const escaped = name.normalize("NFC").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])@?${escaped}(?![\\p{L}\\p{N}_])`, "giu");
    cached = { name, pattern };
  }
  cached.pattern.lastIndex = 0;
  return cached.pattern;
}

/** True when `text` mentions `name` as a word (`alice`, `@alice`, `Alice:`), ignoring case. */
export function mentions(text: string, name: string): boolean {
  return name !== "" && mentionPattern(name).test(text.normalize("NFC"));
}

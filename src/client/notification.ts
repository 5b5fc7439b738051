/**
 * Desktop notifications through the terminal's own escape sequences, which
 * need no permission and work over ssh: OSC 9 (iTerm2, WezTerm, Windows
 * Terminal, Ghostty, ConEmu), OSC 777 (foot, urxvt, VTE with the notify
 * patch) and OSC 99 (kitty). Which one a terminal understands is told by its
 * `TERM`; the others ignore an OSC sequence they do not know. Pure.
 *
 * @example
 * ```ts
 * notificationSequence(notificationKind("xterm-kitty"), "bob", "lunch?");
 * // "\x1b]99;;bob: lunch?\x1b\\"
 * ```
 *
 * @module
 */

/** Which escape sequence carries a notification. */
export type NotificationKind = "osc9" | "osc777" | "osc99";

/** The sequence the terminal named by `term` (its `TERM`) understands. */
export function notificationKind(term: string | undefined): NotificationKind {
  if (term === "xterm-kitty") return "osc99";
  if (term && /^(foot|rxvt-unicode)/.test(term)) return "osc777";
  return "osc9";
}

/**
 * A notification with `title` and `body` as the escape sequence of `kind`.
 * Both must be sanitised text (no control characters); they are kept short.
 */
export function notificationSequence(kind: NotificationKind, title: string, body: string): string {
  const shortTitle = shorten(title, 60);
  const shortBody = shorten(body, 200);
  switch (kind) {
    case "osc777":
      return `\x1b]777;notify;${shortTitle.replaceAll(";", ",")};${shortBody}\x1b\\`;
    case "osc99":
      return `\x1b]99;;${shortTitle}: ${shortBody}\x1b\\`;
    case "osc9":
      // Not starting with a digit: ConEmu reads "OSC 9 ; digit" as one of its own commands.
      return `\x1b]9;${shortTitle}: ${shortBody}\x07`;
  }
}

/** At most `length` characters (code points) of one-line text, with "…" when cut. */
function shorten(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ");
  const chars = Array.from(flat);
  return chars.length <= length ? flat : chars.slice(0, length - 1).join("") + "…";
}

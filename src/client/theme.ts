/**
 * How the terminal client draws things: one style function per kind of text.
 * Colours come from `node:util` `styleText` (built in, and unlike picocolors
 * it reads no environment variables when imported). With colour off
 * (`NO_COLOR`, `--no-color`) bold, dim, italic and inverse remain, as the
 * NO_COLOR convention allows; a plain theme draws nothing at all.
 *
 * @example
 * ```ts
 * const theme = createTheme({ color: true, decorate: true });
 * theme.name("alice", false)("alice"); // "alice" in alice's colour
 * ```
 *
 * @module
 */

import { styleText } from "node:util";
import { nameKey } from "../protocol/names.ts";
import { NAME_PALETTE_SIZE, nameColorIndex } from "../text/name_colour.ts";

/** Turns plain text into its styled form. */
export type Style = (text: string) => string;

/** One `styleText` format: a colour or a modifier such as "bold". */
type Format = Exclude<Parameters<typeof styleText>[0], unknown[]>;

/** The styles of every kind of text the client prints. */
export interface Theme {
  /** `HH:MM` before each line. */
  timestamp: Style;
  /** A member's name: a stable colour per name; bold for your own. */
  name(name: string, own: boolean): Style;
  /** `/me` actions. */
  emote: Style;
  /** Your name where someone else's message mentions it. */
  mention: Style;
  /** The `[bob -> you]` marker of a private message. */
  private: Style;
  /** Joins, leaves, renames and local notes. */
  system: Style;
  /** History from before you joined, and the markers around it (over each part's own style). */
  earlier: Style;
  /** The marker above the messages you missed while away. */
  marker: Style;
  /** Announcements from the server's operator. */
  notice: Style;
  /** Answers meant for you alone: /help, /who, the welcome. */
  info: Style;
  /** Refusals and failures. */
  error: Style;
  /** The status bar. */
  statusBar: Style;
  /** The status bar while something is wrong (reconnecting). */
  statusAlert: Style;
  /** A window in the status bar's activity list whose unread messages mention you or are private. */
  activityAlert: Style;
  /** The prompt before the input line. */
  prompt: Style;
  /** Markers in the input line (a line break in a pasted or multi-line message). */
  inputMarker: Style;
}

/**
 * Colours a name can get, one per slot of the shared palette. Red (errors)
 * and yellow (notices, mentions) are left out.
 */
const NAME_PALETTE: Format[] = [
  "green",
  "cyan",
  "magenta",
  "blueBright",
  "greenBright",
  "cyanBright",
  "magentaBright",
  "blue",
];

/** What a theme may use: colour, and decoration (bold, dim, inverse, italic). */
export interface ThemeOptions {
  color: boolean;
  decorate: boolean;
}

/** Builds the theme for the given capabilities. */
export function createTheme(options: ThemeOptions): Theme {
  const plain: Style = (text) => text;
  const style = (decoration: Format[], color: Format[] = []): Style => {
    const formats = [...(options.decorate ? decoration : []), ...(options.color ? color : [])];
    if (formats.length === 0) return plain;
    return (text) => styleText(formats, text, { validateStream: false });
  };
  const nameStyles = new Map<string, Style>();
  return {
    timestamp: style(["dim"]),
    name(name, own) {
      const key = `${own ? "+" : "-"}${nameKey(name)}`;
      let found = nameStyles.get(key);
      if (!found) {
        const color = NAME_PALETTE[nameColorIndex(name, NAME_PALETTE_SIZE)];
        found = style(own ? ["bold"] : [], [color]);
        nameStyles.set(key, found);
      }
      return found;
    },
    emote: style(["italic"]),
    mention: style(["bold", "inverse"], ["yellow"]),
    private: style(["bold"], ["magenta"]),
    system: style(["dim"]),
    earlier: style(["dim"]),
    marker: style(["bold"], ["cyan"]),
    notice: style(["bold"], ["yellow"]),
    info: style([], ["cyan"]),
    error: style(["bold"], ["red"]),
    statusBar: style(["inverse"]),
    statusAlert: style(["inverse", "bold"], ["yellow"]),
    activityAlert: style(["bold", "underline"], ["yellow"]),
    prompt: style(["bold"]),
    inputMarker: style(["dim"]),
  };
}

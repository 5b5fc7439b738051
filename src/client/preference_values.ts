/**
 * The full-screen client's preferences as values: what they are, their
 * defaults, how a stored entry is read, and what commands may do with them.
 * Pure (no file access), so the command registry that the browser page shares
 * can name them; src/client/preferences.ts keeps them in a file.
 *
 * @module
 */

/** Which events make a desktop notification. */
export type NotifyLevel = "all" | "mentions" | "off";

/** One server's preferences. */
export interface Preferences {
  /** Desktop notifications: every message, mentions and private messages only, or none. */
  notify: NotifyLevel;
  /** The bell for mentions and private messages. */
  bell: boolean;
  /** Joins and leaves hidden (`/filter joins on`) instead of folded into one line. */
  hideJoins: boolean;
  /** Names whose messages are not shown, as typed. */
  ignored: string[];
}

/** The preferences of a server never configured. */
export const DEFAULT_PREFERENCES: Readonly<Preferences> = {
  notify: "mentions",
  bell: true,
  hideJoins: false,
  ignored: [],
};

const MAX_IGNORED = 200;

/** One server's preferences as the commands use them; `ServerPreferences` keeps them in a file. */
export interface PreferenceStore {
  /** The preferences in force. */
  readonly current: Readonly<Preferences>;
  /** True when `name` is ignored (any capitalisation). */
  ignores(name: string): boolean;
  /** Changes some preferences and saves them; false when they could not be saved. */
  update(change: Partial<Preferences>): boolean;
}

/** A stored entry as preferences: fields that are missing or malformed get their default. */
export function parsePreferences(stored: unknown): Preferences {
  const entry = (typeof stored === "object" && stored !== null ? stored : {}) as Record<
    string,
    unknown
  >;
  const notify = ["all", "mentions", "off"].includes(entry.notify as string)
    ? entry.notify as NotifyLevel
    : DEFAULT_PREFERENCES.notify;
  const ignored = Array.isArray(entry.ignored)
    ? entry.ignored.filter((name): name is string => typeof name === "string").slice(
      0,
      MAX_IGNORED,
    )
    : [];
  return {
    notify,
    bell: typeof entry.bell === "boolean" ? entry.bell : DEFAULT_PREFERENCES.bell,
    hideJoins: typeof entry.hideJoins === "boolean"
      ? entry.hideJoins
      : DEFAULT_PREFERENCES.hideJoins,
    ignored,
  };
}

/**
 * What the page remembers between visits, in the browser's storage: the
 * name, the resume token of the last welcome, the room it came from and the
 * id of the last record shown, so that reopening the page resumes the
 * session and shows "N new messages since you left". Pure apart from the
 * `Storage` passed in.
 *
 * @example
 * ```ts
 * saveSession(localStorage, { name: "alice", token: "5f0c…", room: "9b1e…", lastId: 42 });
 * loadSession(localStorage)?.lastId; // 42
 * ```
 *
 * @module
 */

/** The storage key; one session per origin (the page's server). */
export const SESSION_KEY = "chat.session";

/** A remembered session. */
export interface SavedSession {
  name: string;
  /** The welcome's `session`, presented as `resume`. */
  token?: string;
  /** The welcome's `room`; `lastId` only means something in it. */
  room?: string;
  /** Id of the last record shown. */
  lastId?: number;
}

/** Reads the remembered session; `undefined` when there is none or it is unreadable. */
export function loadSession(storage: Pick<Storage, "getItem">): SavedSession | undefined {
  try {
    const value = JSON.parse(storage.getItem(SESSION_KEY) ?? "null");
    if (typeof value !== "object" || value === null || typeof value.name !== "string") {
      return undefined;
    }
    return {
      name: value.name,
      token: typeof value.token === "string" ? value.token : undefined,
      room: typeof value.room === "string" ? value.room : undefined,
      lastId: Number.isSafeInteger(value.lastId) ? value.lastId : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Remembers `session`; storage that is full or switched off is ignored (the page still works). */
export function saveSession(storage: Pick<Storage, "setItem">, session: SavedSession): void {
  try {
    storage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Private browsing or a full quota: only the next visit's catch-up is lost.
  }
}

/** Forgets the session (after "Leave the room"). */
export function forgetSession(storage: Pick<Storage, "removeItem">): void {
  try {
    storage.removeItem(SESSION_KEY);
  } catch {
    // Nothing to forget when storage is switched off.
  }
}

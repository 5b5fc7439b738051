/**
 * What the page remembers between visits, in the browser's storage: the
 * name, the resume token of the last welcome, the server's history (`log`)
 * and, for every room the member is in, the id of the last record shown
 * there, so that reopening the page resumes the session and each room shows
 * "N new messages since you left". Pure apart from the `Storage` passed in.
 *
 * @example
 * ```ts
 * saveSession(localStorage, {
 *   name: "alice", token: "5f0c…", log: "9b1e…", rooms: [{ room: "#general", lastId: 42 }],
 * });
 * loadSession(localStorage)?.rooms[0].lastId; // 42
 * ```
 *
 * @module
 */

/** The storage key; one session per origin (the page's server). */
export const SESSION_KEY = "chat.session";

/** A room the member was in, and the last record of it shown. */
export interface SavedRoom {
  /** The room's name (`#general`). */
  room: string;
  /** Id of the last record shown; it only means something in `log`. */
  lastId?: number;
  /** The key of a private room, to enter it again after a reload. */
  key?: string;
}

/** A remembered session. */
export interface SavedSession {
  name: string;
  /** The welcome's `session`, presented as `resume`. */
  token?: string;
  /** The welcome's `log`: the history the rooms' ids belong to. */
  log?: string;
  /** The rooms the member is in, the one shown first. */
  rooms: SavedRoom[];
  /** The people of the private conversations in the room list. */
  privates?: string[];
}

/** Reads the remembered session; `undefined` when there is none or it is unreadable. */
export function loadSession(storage: Pick<Storage, "getItem">): SavedSession | undefined {
  try {
    const value = JSON.parse(storage.getItem(SESSION_KEY) ?? "null");
    if (typeof value !== "object" || value === null || typeof value.name !== "string") {
      return undefined;
    }
    const session: SavedSession = {
      name: value.name,
      token: typeof value.token === "string" ? value.token : undefined,
      log: typeof value.log === "string" ? value.log : undefined,
      rooms: Array.isArray(value.rooms) ? value.rooms.flatMap(savedRoom) : [],
    };
    if (Array.isArray(value.privates)) {
      session.privates = value.privates.filter((name: unknown) => typeof name === "string");
    }
    // A page of the one-room release saved "LOG ROOM" and one lastId.
    if (!Array.isArray(value.rooms) && typeof value.room === "string") {
      const [log, room] = value.room.split(" ");
      if (room !== undefined) {
        session.log = log;
        session.rooms = savedRoom({ room, lastId: value.lastId });
      }
    }
    return session;
  } catch {
    return undefined;
  }
}

function savedRoom(value: unknown): SavedRoom[] {
  if (typeof value !== "object" || value === null) return [];
  const { room, lastId, key } = value as { room?: unknown; lastId?: unknown; key?: unknown };
  if (typeof room !== "string") return [];
  const saved: SavedRoom = {
    room,
    lastId: Number.isSafeInteger(lastId) ? lastId as number : undefined,
  };
  if (typeof key === "string") saved.key = key;
  return [saved];
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

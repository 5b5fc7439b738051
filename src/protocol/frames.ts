/**
 * The frames of the structured protocol, as TypeScript types, and which
 * records count as conversation. docs/PROTOCOL.md describes each frame with
 * an example; this file is the source of truth.
 *
 * @module
 */

import type { LeaveKind } from "./leave.ts";

// ---------------------------------------------------------------- client → server

/** First frame of a structured client: who it is and what it has seen. */
export interface HelloFrame {
  type: "hello";
  /** Protocol version the client speaks. */
  version: number;
  /** Requested name. */
  name: string;
  /** Room password, when the server has one. */
  password?: string;
  /** Token from an earlier `welcome`, to take over a session that has not timed out yet. */
  resume?: string;
  /** The room to enter first (`#general` style); the server's default room when absent. */
  room?: string;
  /** Id of the last record of `room` the client saw; the server sends what came after. */
  since?: number;
  /** The `log` of the welcome that `since` refers to; `since` is ignored for another log. */
  log?: string;
  /**
   * True for clients that can be in several rooms at once: `/join` then adds a
   * room instead of moving the client from its current one.
   */
  multiRoom?: boolean;
  /**
   * Multi-room clients coming back: the other rooms to enter, each with the
   * last id seen there (a catch-up each, as a `joined` frame after the welcome).
   */
  rooms?: Array<{ room: string; since?: number }>;
  /**
   * `false`: when `resume` proves the name but a connection still holds it
   * (another window), refuse with `name_open` instead of taking it over.
   * Absent or `true`: take it over (what a reconnect needs).
   */
  takeOver?: boolean;
}

/** A chat line from the user. Text starting with `/` is a command; `//` sends a literal `/`. */
export interface SendFrame {
  type: "send";
  text: string;
  /** The room it is said in; the client's current room when absent. */
  room?: string;
}

/** Enters a room (creating it when it does not exist yet); answered by `joined`. */
export interface JoinFrame {
  type: "join";
  room: string;
  /** The last record of this room the client saw, for a catch-up. */
  since?: number;
  /** The key of a private room; creating a room with a key makes it private. */
  key?: string;
}

/** Leaves a room; answered by `parted`. */
export interface PartFrame {
  type: "part";
  room: string;
}

/** Liveness check; the peer answers with `pong` carrying the same data. */
export interface PingFrame {
  type: "ping";
  data?: string;
}

/** Answer to `ping`. */
export interface PongFrame {
  type: "pong";
  data?: string;
}

/** Polite goodbye. */
export interface QuitFrame {
  type: "quit";
  reason?: string;
}

/**
 * Asks for a page of history visible to the asker: with `before`, the newest
 * records older than that id (scrolling up); with `after`, the oldest records
 * newer than that id (the rest of a catch-up). Exactly one of the two is given.
 * Answered by a `page`.
 */
export interface HistoryFrame {
  type: "history";
  /** The room whose history is wanted; the client's current room when absent. */
  room?: string;
  /** True: the client's private messages (to and from it, with anyone) instead of a room's. */
  private?: boolean;
  before?: number;
  after?: number;
  /** Most records wanted; the server may send fewer (it caps the count and the bytes of a page). */
  limit?: number;
}

/**
 * Asks for a one-time upload address for a file (docs/PROTOCOL.md, "Files"):
 * shared in `room` (the current room when absent), or privately with `to`.
 * Answered by `upload_slot`, or an `error` carrying the same `ref`.
 */
export interface UploadFrame {
  type: "upload";
  /** The file's name as the sender has it; the server cleans it. */
  name: string;
  /** Its exact size in bytes: the upload must have exactly this many. */
  size: number;
  room?: string;
  /** A member's name: the file is shared privately with them. */
  to?: string;
  /** Any short text, echoed in the answer so the client can match it. */
  ref?: string;
}

/** Any frame a client may send. */
export type ClientFrame =
  | HelloFrame
  | SendFrame
  | PingFrame
  | PongFrame
  | QuitFrame
  | HistoryFrame
  | JoinFrame
  | PartFrame
  | UploadFrame;

// ---------------------------------------------------------------- room records

/** Fields every room record has: a server-assigned increasing id and a timestamp. */
interface RecordBase {
  /** Increasing, never reused; orders and de-duplicates records. */
  id: number;
  /** Milliseconds since the Unix epoch, server clock. */
  ts: number;
  /**
   * The room the record belongs to (`#general`); ids are per room. Absent on
   * private messages, which are between people, not rooms.
   */
  room?: string;
}

/** A message to the whole room. */
export interface ChatRecord extends RecordBase {
  type: "message";
  from: string;
  text: string;
  /** True for `/me` actions. */
  emote?: boolean;
}

/** A private message; only sender and recipient receive it. */
export interface PrivateRecord extends RecordBase {
  type: "private";
  from: string;
  to: string;
  text: string;
}

/** Someone joined. */
export interface JoinRecord extends RecordBase {
  type: "join";
  name: string;
  /** Members in the room after the join. */
  count: number;
}

/** Someone left, politely or not. */
export interface LeaveRecord extends RecordBase {
  type: "leave";
  name: string;
  /** Members in the room after the departure. */
  count: number;
  /**
   * Who gave the reason: the member (`quit`) or the server (the others). Absent
   * in records stored before kinds existed.
   */
  kind?: LeaveKind;
  /** Why, when it was not a plain `/quit`: "connection lost", "timed out", … */
  reason?: string;
}

/**
 * Joins and leaves of a big room, gathered over a moment into one record so
 * that announcing them does not cost every member a frame per arrival.
 */
export interface PresenceRecord extends RecordBase {
  type: "presence";
  /** Who came in, in order. */
  joined: string[];
  /** Who left, in order. */
  left: string[];
  /** Members in the room afterwards. */
  count: number;
}

/** Someone changed name. */
export interface NickRecord extends RecordBase {
  type: "nick";
  from: string;
  to: string;
}

/** An announcement from the server or its operator to the whole room. */
export interface NoticeRecord extends RecordBase {
  type: "notice";
  text: string;
  /** Who announced it: `"operator"` for the room's operator (`/say`, the console); absent for the server. */
  by?: "operator";
}

/**
 * A file someone shared: in a room, or privately (`to`). `url` is the
 * server-relative download address (`/f/TOKEN/NAME`); its token is the only
 * way to the file, so only those who can read this record can fetch it.
 */
export interface FileRecord extends RecordBase {
  type: "file";
  from: string;
  /** Set for a file shared privately: only sender and recipient see the record. */
  to?: string;
  /** The file's name, cleaned for display and for saving (file_names.ts). */
  name: string;
  /** Size in bytes. */
  size: number;
  /** `image/png`, `image/jpeg`, `image/gif`, `image/webp` (detected from the bytes), else `application/octet-stream`. */
  mime: string;
  url: string;
  /** True once the file was deleted to make room for newer ones (`--max-files-gb`). */
  expired?: boolean;
}

/** Everything the room relays and remembers. */
export type RoomRecord =
  | ChatRecord
  | PrivateRecord
  | JoinRecord
  | LeaveRecord
  | NickRecord
  | NoticeRecord
  | PresenceRecord
  | FileRecord;

/**
 * True for conversation: messages (and `/me` actions), private messages and
 * notices — what "earlier messages" and "N new messages" count — as opposed
 * to joins, leaves and renames.
 */
export function isConversation(record: RoomRecord): boolean {
  return record.type === "message" || record.type === "private" || record.type === "notice" ||
    record.type === "file";
}

// ---------------------------------------------------------------- server → client

/** The state of one room as a client entering it sees it: in the welcome and in `joined`. */
export interface RoomState {
  /** The room's name as created (`#general`); compare case-insensitively. */
  room: string;
  /** The room's topic, when one is set. */
  topic?: string;
  /**
   * Everyone in the room, the client included — in a big room (over 100)
   * only the client: `/who` lists them, `count` says how many.
   */
  members: string[];
  /** How many are in the room (present when `members` is not the whole list). */
  count?: number;
  /**
   * Records the client has not seen: the recent history on a fresh join, or
   * everything after `since` when the hello carried one.
   */
  history: RoomRecord[];
  /** True when `history` is a catch-up after `since`, false for plain recent history. */
  catchUp: boolean;
  /** True when records between `since` and `history` were no longer available. */
  gap?: boolean;
  /**
   * Catch-up only: true when `history` is the first page of a longer
   * catch-up; ask for the rest with `history` frames `after` its last id.
   */
  more?: boolean;
  /**
   * Catch-up only: the id of the newest record when you joined. The catch-up
   * is the records up to it; live records after it follow on the connection.
   */
  lastId?: number;
}

/** Answer to a successful `hello`: who the client is, and the state of its first room. */
export interface WelcomeFrame extends RoomState {
  type: "welcome";
  version: number;
  /** The name the client now has (cleaned, as others see it). */
  name: string;
  /** Token to present as `resume` when reconnecting. */
  session: string;
  /**
   * Identity of the server's history. Ids are only comparable within one log:
   * when it changes (a server that keeps no history restarted), start afresh.
   */
  log: string;
  /** Message of the day, if the operator set one. */
  motd?: string;
  /**
   * Limits the client should respect: message and line size, and the rate
   * (lines a second on average, after a burst) above which lines are refused.
   */
  limits: {
    maxMessageChars: number;
    maxLineBytes: number;
    ratePerSecond?: number;
    rateBurst?: number;
  };
}

/** The client is now in a room (after `/join` or a `join` frame): that room's state. */
export interface JoinedFrame extends RoomState {
  type: "joined";
}

/** The client left a room (`/part`, a `part` frame, moved by `/join`, or kicked from it). */
export interface PartedFrame {
  type: "parted";
  room: string;
  /** Why, when it was not the client's own doing. */
  reason?: string;
}

/** Answer to `/who`. */
export interface MembersFrame {
  type: "members";
  /** The room listed. */
  room?: string;
  members: string[];
  /** Members marked away with `/away`, by name, with their text. */
  away?: Record<string, string>;
}

/** Text for this client only: `/help` output, confirmations. */
export interface InfoFrame {
  type: "info";
  text: string;
}

/** Something the client sent was refused. The connection stays open. */
export interface ErrorFrame {
  type: "error";
  /** Machine-readable, stable; see docs/PROTOCOL.md. */
  code: string;
  /** One or two sentences for a person. */
  message: string;
  /** With `unsupported_version`: the protocol version the server speaks. */
  version?: number;
  /** The `ref` of the `upload` frame refused. */
  ref?: string;
  /** The room a `join` (or a hello's `room`/`rooms`) could not enter: the client is not in it. */
  room?: string;
}

/** Answer to `upload`: where to send the file's bytes (HTTP `PUT` on the chat port), once. */
export interface UploadSlotFrame {
  type: "upload_slot";
  /** The `ref` of the `upload` frame. */
  ref?: string;
  /** Server-relative address (`/u/TOKEN`); valid once, until `expires`. */
  url: string;
  /** Milliseconds since the epoch after which the address is refused. */
  expires: number;
}

/** Answer to a `history` request: one page of records, oldest first, echoing `before` or `after`. */
export interface PageFrame {
  type: "page";
  /** The room the records are from. */
  room?: string;
  /** True for a page of the client's private messages (no `room`). */
  private?: boolean;
  records: RoomRecord[];
  before?: number;
  after?: number;
  /** True when more records exist beyond this page in the direction asked. */
  more: boolean;
}

/** The server is closing this connection, and why. Last frame on the connection. */
export interface ByeFrame {
  type: "bye";
  code: string;
  message: string;
}

/** Any frame a server may send. */
export type ServerFrame =
  | RoomRecord
  | WelcomeFrame
  | JoinedFrame
  | PartedFrame
  | MembersFrame
  | InfoFrame
  | ErrorFrame
  | ByeFrame
  | PageFrame
  | PingFrame
  | PongFrame
  | UploadSlotFrame;

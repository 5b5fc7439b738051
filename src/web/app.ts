/**
 * The browser page: joins the server over a WebSocket at `/ws` on the page's
 * own origin (one structured-protocol JSON frame per WebSocket message) as a
 * multi-room client, shows every room the member is in and their private
 * conversations in a room list, each with its own messages, and keeps the
 * connection alive — reconnecting with backoff and resuming every room from
 * the last record shown there, so nothing appears twice and nothing is missing.
 *
 * @module
 */

import { isPrivateRecord } from "../protocol/private_record.ts";
import { commandWords, replyTargetAfter, type RoomCommands, runInput } from "../client/commands.ts";
import {
  EARLIER_MARKER,
  END_OF_EARLIER_MARKER,
  GAP_WARNING,
  newMessagesPhrase,
  ROOM_CHANGED,
  welcomeHistory,
} from "../client/welcome_history.ts";
import { PROTOCOL_VERSION } from "../protocol/constants.ts";
import type {
  ClientFrame,
  HelloFrame,
  RoomRecord,
  RoomState,
  ServerFrame,
  WelcomeFrame,
} from "../protocol/frames.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import { Attention } from "./attention.ts";
import { setUpSettings } from "./settings_panel.ts";
import { PageSocket } from "./page_socket.ts";
import { setUpComposer } from "./composer.ts";
import { acceptDroppedFiles, acceptPastedFiles } from "./drop_zone.ts";
import { Uploader, type UploadTarget } from "./file_upload.ts";
import { stayAtEndWhilePicturesLoad } from "./file_record_view.ts";
import {
  element,
  markerRow,
  motdCard,
  nameClass,
  type NoteKind,
  noteRow,
  recordRow,
} from "./record_view.ts";
import {
  conversationOf,
  privateEntry,
  roomEntry,
  roomKeyOf,
  RoomList,
  roomsInInfo,
  topicFromNotice,
} from "./room_list.ts";
import { drawRoomList, entryName, roomsAnswer } from "./room_list_view.ts";
import { nearBottom, RoomPane } from "./room_pane.ts";
import { helpText, pageInput } from "./page_input.ts";
import { forgetSession, loadSession, type SavedRoom, saveSession } from "./saved_session.ts";
import { presentCount } from "../text/plain_format.ts";

/** Older records asked for per `history before` request (scrolling back). */
const PAGE_SIZE = 50;
/** Records asked for per `history after` request (the rest of a catch-up; the server caps it). */
const CATCH_UP_PAGE_SIZE = 500;
/** Your latest private messages asked for when the page loads, to fill its conversations. */
const PRIVATE_PAGE_SIZE = 200;
/** How long a catch-up page may take before it is asked for again, and how often. */
const CATCH_UP_WAIT_MS = 4000;
const CATCH_UP_RETRIES = 2;
/** Bye codes after which reconnecting would be wrong (the person or the operator ended it). */
const FINAL_BYES = new Set(["quit", "kicked", "banned", "replaced", "too_many_attempts"]);

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
}

const view = {
  join: byId<HTMLElement>("join-view"),
  joinForm: byId<HTMLFormElement>("join-form"),
  joinName: byId<HTMLInputElement>("join-name"),
  passwordRow: byId<HTMLElement>("password-row"),
  joinPassword: byId<HTMLInputElement>("join-password"),
  joinError: byId<HTMLElement>("join-error"),
  joinButton: byId<HTMLButtonElement>("join-button"),
  room: byId<HTMLElement>("room-view"),
  status: byId<HTMLElement>("status"),
  rejoin: byId<HTMLButtonElement>("rejoin"),
  roomsToggle: byId<HTMLButtonElement>("rooms-toggle"),
  roomsToggleLabel: byId<HTMLElement>("rooms-toggle-label"),
  roomsToggleCount: byId<HTMLElement>("rooms-toggle-count"),
  roomList: byId<HTMLElement>("room-list"),
  roomJoinForm: byId<HTMLFormElement>("room-join-form"),
  roomJoinName: byId<HTMLInputElement>("room-join-name"),
  roomJoinKey: byId<HTMLInputElement>("room-join-key"),
  roomJoinError: byId<HTMLElement>("room-join-error"),
  roomTitle: byId<HTMLElement>("room-title"),
  roomTopic: byId<HTMLElement>("room-topic"),
  part: byId<HTMLButtonElement>("part-button"),
  membersToggle: byId<HTMLButtonElement>("members-toggle"),
  memberCount: byId<HTMLElement>("member-count"),
  settingsToggle: byId<HTMLButtonElement>("settings-toggle"),
  settings: byId<HTMLElement>("settings-panel"),
  soundToggle: byId<HTMLInputElement>("sound-toggle"),
  notifyButton: byId<HTMLButtonElement>("notify-button"),
  notifyState: byId<HTMLElement>("notify-state"),
  leave: byId<HTMLButtonElement>("leave-button"),
  scroller: byId<HTMLElement>("scroller"),
  older: byId<HTMLButtonElement>("older"),
  jump: byId<HTMLButtonElement>("jump"),
  memberList: byId<HTMLElement>("member-list"),
  composer: byId<HTMLFormElement>("composer"),
  attach: byId<HTMLButtonElement>("attach"),
  fileInput: byId<HTMLInputElement>("file-input"),
  uploads: byId<HTMLElement>("uploads"),
  input: byId<HTMLTextAreaElement>("input"),
  favicon: byId<HTMLLinkElement>("favicon"),
};

// ------------------------------------------------------------------ state

const saved = loadSession(localStorage);
/** The name asked for, then the name the server gave. */
let me = saved?.name ?? "";
let token = saved?.token;
/** The server's history the rooms' ids belong to (the welcome's `log`). */
let log = saved?.log;
let password: string | undefined;

/** A welcome arrived since the page loaded: the rooms are on screen. */
let shownRoom = false;

/** The server's message length limit, in characters (from the welcome). */
let maxMessageChars = Infinity;
let lastPrivateFrom: string | undefined;
let pagingWorks = true;
/** Notes that came while no conversation was on screen, for the next one shown. */
const unsaid: string[] = [];
/** The room of the welcome. */
let homeRoom: string | undefined;
/** The room a `join` was asked for (lower case), to show it once the server lets us in. */
let pendingJoin: { room: string; key?: string } | undefined;
/**
 * Keys of the private rooms joined with one, by room: a reconnect enters
 * them again with a `join` frame carrying the key (a hello cannot carry keys).
 */
const roomKeys = new Map<string, string>();
for (const { room, key } of saved?.rooms ?? []) if (key) roomKeys.set(roomKeyOf(room), key);

const rooms = new RoomList();
/** Rooms heard of in `/rooms` answers, offered by Tab after those in the list. */
const roomsHeardOf = new Set<string>();
const panes = new Map<string, RoomPane>();
/** Rooms to enter on the first hello, with the last id seen in each (from the last visit). */
let roomsToEnter: SavedRoom[] = saved?.rooms ?? [];
for (const name of saved?.privates ?? []) openPrivate(name);
/** Private message ids shown (their ids are a sequence of their own, apart from the rooms'). */
const shownPrivate = new Set<number>();

const attention = new Attention(view.favicon);

// ------------------------------------------------------------------ connection

const connection = new PageSocket({
  hello,
  frame: handle,
  connecting: () => setStatus("Connecting…"),
  lost(wasJoined) {
    lostConnection();
    if (wasJoined && !connection.stopped) note("note", "Connection lost. Reconnecting…");
  },
  waiting(text) {
    setStatus(text);
    if (!shownRoom) showJoinError(text.replace("Not connected.", "Could not reach the room."));
  },
});

function send(frame: ClientFrame): void {
  connection.send(frame);
}

/** The rooms to be in: those on screen, else those of the last visit; the shown one first. */
function roomsWanted(): SavedRoom[] {
  const inList = rooms.entries.filter((entry) => entry.kind === "room");
  if (inList.length === 0) return roomsToEnter;
  const current = rooms.current;
  const ordered = [
    ...inList.filter((entry) => entry.key === current),
    ...inList.filter((entry) => entry.key !== current),
  ];
  return ordered.map((entry) => {
    const key = roomKeys.get(entry.key);
    return { room: entry.label, lastId: panes.get(entry.key)?.lastId, ...(key ? { key } : {}) };
  });
}

/** The room shown when the page was left, shown again once entered (a keyed one comes later). */
let restoreCurrent = saved?.rooms[0] && roomKeyOf(saved.rooms[0].room);

/** Private rooms with their keys, entered with `join` frames once the welcome came. */
let keyedRooms: SavedRoom[] = [];

function hello(): HelloFrame {
  const frame: HelloFrame = { type: "hello", version: PROTOCOL_VERSION, name: me, multiRoom: true };
  if (password) frame.password = password;
  if (token) frame.resume = token;
  // Back to every room, each caught up from the last record shown there.
  const wanted = roomsWanted();
  keyedRooms = wanted.filter((room) => room.key !== undefined);
  const [first, ...others] = wanted.filter((room) => room.key === undefined);
  if (first) {
    frame.room = first.room;
    if (first.lastId !== undefined && log !== undefined) {
      frame.since = first.lastId;
      frame.log = log;
    }
  }
  if (others.length > 0) {
    frame.rooms = others.map(({ room, lastId }) =>
      lastId === undefined ? { room } : { room, since: lastId }
    );
  }
  return frame;
}

/** What a connection's end undoes: unfinished catch-ups are asked for again, whole, next hello. */
function lostConnection(): void {
  for (const pane of panes.values()) {
    clearTimeout(pane.catchUpWatchdog);
    pane.catchUp = undefined;
    pane.heldLive.length = 0;
    pane.olderPending = false;
  }
  uploader.connectionLost();
}

document.addEventListener("visibilitychange", lookedAt);
globalThis.addEventListener("focus", lookedAt);

// ------------------------------------------------------------------ frames

function handle(frame: ServerFrame): void {
  switch (frame.type) {
    case "welcome":
      return welcomed(frame);
    case "joined":
      return entered(frame);
    case "parted":
      return parted(frame.room, frame.reason);
    case "message":
    case "private":
    case "join":
    case "leave":
    case "nick":
    case "notice":
    case "presence":
    case "file":
      return live(frame);
    case "members": {
      const pane = frame.room ? panes.get(roomKeyOf(frame.room)) : undefined;
      const text = `${presentCount(frame.members.length)}: ${frame.members.join(", ")}`;
      return note("info", text, pane);
    }
    case "info":
      return informed(frame.text);
    case "error":
      if (uploader.refused(frame)) return;
      if (frame.room !== undefined) notLetIn(frame.room);
      return refused(frame.code, frame.message);
    case "bye":
      return goodbye(frame.code, frame.message);
    case "ping":
      return send({ type: "pong", ...(frame.data === undefined ? {} : { data: frame.data }) });
    case "pong":
      return;
    case "page":
      return paged(frame);
    case "upload_slot":
      uploader.slot(frame);
      return;
  }
}

/** The welcome of a hello: who we are, then the state of the first room. */
function welcomed(frame: WelcomeFrame): void {
  connection.welcomed();
  me = frame.name;
  token = frame.session;
  if (log !== undefined && log !== frame.log) {
    // Another history: ids from before mean nothing now.
    const showed = [...panes.values()].some((pane) => pane.shownIds.size > 0);
    for (const pane of panes.values()) pane.forgetIds();
    roomsToEnter = roomsToEnter.map(({ room }) => ({ room }));
    if (showed) note("note", ROOM_CHANGED);
  }
  log = frame.log;
  homeRoom = frame.room;
  maxMessageChars = frame.limits.maxMessageChars ?? Infinity;
  const firstTime = !shownRoom;
  showRoom();
  setStatus(`Connected as ${me}`);
  entered(frame);
  for (const { room, lastId, key } of keyedRooms.splice(0)) {
    const since = lastId === undefined ? {} : { since: lastId };
    send({ type: "join", room, key, ...since });
  }
  if (firstTime && rooms.entries.some((entry) => entry.kind === "private")) {
    // A reload: the conversations of the last visit come back with their recent messages.
    send({
      type: "history",
      private: true,
      before: Number.MAX_SAFE_INTEGER,
      limit: PRIVATE_PAGE_SIZE,
    });
  }
  if (firstTime) {
    const welcome = noteRow(
      "welcome",
      `Welcome, ${me}! ${presentCount(frame.members.length)}: ${frame.members.join(", ")}.`,
    );
    const pane = panes.get(roomKeyOf(frame.room));
    pane?.history.prepend(welcome);
    if (frame.motd) pane?.intro.append(motdCard(frame.motd));
    focusInput();
  }
}

/**
 * The state of a room we are now in (the welcome's first room, a `joined`
 * after a join or a reconnect): its entry, its members and topic, then its
 * records — a long catch-up completed with pages first, so "N new messages"
 * counts all of it.
 */
function entered(state: RoomState): void {
  // Private messages have ids of their own log: they go to their conversations.
  for (const record of state.history.filter(isPrivateRecord)) live(record);
  const history = state.history.filter((record) => !isPrivateRecord(record));
  const key = roomKeyOf(state.room);
  rooms.add(roomEntry(state.room, state.topic));
  const pane = paneFor(key, state.room);
  pane.members = [...state.members];
  const asked = pendingJoin?.room === key;
  if (asked) {
    if (pendingJoin?.key) roomKeys.set(key, pendingJoin.key);
    pendingJoin = undefined;
    view.roomJoinName.value = "";
    view.roomJoinKey.value = "";
    view.roomJoinError.textContent = "";
  }
  // The first room of a visit is shown, a room the reader asked for, the one shown last time.
  const restored = key === restoreCurrent;
  if (restored) restoreCurrent = undefined;
  // Also whenever nothing is on screen (the only room was closed and we were moved here).
  if (asked || restored || !currentPane()?.messages.isConnected) switchTo(key);
  else if (rooms.current === key) showHead();
  for (const text of unsaid.splice(0)) note("info", text);
  drawList();

  pane.catchUp = { state, records: [...history], firstTime: !pane.entered };
  pane.catchUpCursor = history.at(-1)?.id ?? pane.lastId ?? 0;
  if (state.more === true && catchUpContinues(pane)) askCatchUpPage(pane);
  else showCatchUp(pane);
  persist();
}

/** The pane of a conversation, made when first needed. */
function paneFor(key: string, label: string): RoomPane {
  let pane = panes.get(key);
  if (!pane) {
    pane = new RoomPane(label);
    panes.set(key, pane);
  }
  return pane;
}

/**
 * Asks for the next page of a room's catch-up. A page that does not come
 * within a few seconds is asked for again; after that the catch-up is shown
 * as far as it got (live records still follow, and nothing is shown twice),
 * so the view never waits for ever.
 */
function askCatchUpPage(pane: RoomPane, tries = 0): void {
  const room = pane.catchUp?.state.room;
  clearTimeout(pane.catchUpWatchdog);
  send({ type: "history", room, after: pane.catchUpCursor, limit: CATCH_UP_PAGE_SIZE });
  pane.catchUpWatchdog = setTimeout(() => {
    if (!pane.catchUp) return;
    if (tries < CATCH_UP_RETRIES) askCatchUpPage(pane, tries + 1);
    else showCatchUp(pane);
  }, CATCH_UP_WAIT_MS);
}

/** True while the catch-up has not reached the room's `lastId`. */
function catchUpContinues(pane: RoomPane): boolean {
  const end = pane.catchUp?.state.lastId;
  return end === undefined || pane.catchUpCursor < end;
}

/** Shows a room's records (and their further pages), then the live records held meanwhile. */
function showCatchUp(pane: RoomPane): void {
  clearTimeout(pane.catchUpWatchdog);
  if (!pane.catchUp) return;
  const { state, records, firstTime } = pane.catchUp;
  pane.catchUp = undefined;
  pane.entered = true;
  // Pages may repeat a record (a live one the server also put in a page): keep the first.
  const seen = new Set(pane.shownIds);
  const fresh = records.filter((record) => {
    if (seen.has(record.id)) return false;
    seen.add(record.id);
    return true;
  });
  const history = welcomeHistory({ ...state, name: me } as WelcomeFrame, fresh);
  const rows: HTMLElement[] = [];
  if (history.kind === "earlier" && history.records.length > 0) {
    rows.push(markerRow(EARLIER_MARKER, "earlier"));
    for (const record of history.records) rows.push(shown(record, "earlier"));
    rows.push(markerRow(END_OF_EARLIER_MARKER, "earlier"));
  } else if (history.kind === "catch-up" && (firstTime || history.records.length > 0)) {
    const marker = markerRow(newMessagesPhrase(history.newMessages), "since-left");
    // A room not on screen opens at what was missed there.
    if (rooms.current !== roomKeyOf(state.room) && history.records.length > 0) {
      pane.firstUnread ??= marker;
    }
    rows.push(marker);
    if (history.gap) rows.push(noteRow("note", GAP_WARNING));
    for (const record of history.records) rows.push(shown(record));
  }
  for (const record of fresh) remember(pane, record);
  const key = roomKeyOf(state.room);
  const here = rooms.current === key;
  // What was missed counts as unread where the reader is not looking.
  if (history.kind === "catch-up") {
    for (const record of history.records) rooms.arrived(key, record, me, looking());
  }
  const stick = here && nearBottom(view.scroller);
  (firstTime ? pane.history : pane.messages).append(...rows);
  if (here && (firstTime || stick)) pane.scrollToBottom(view.scroller);
  if (firstTime) {
    const lastId = pane.lastId;
    pane.oldestId = fresh[0]?.id ?? (lastId === undefined ? undefined : lastId + 1);
    pane.olderMore = pane.oldestId !== undefined;
  }
  if (here) showPaneControls();
  drawList();
  persist();
  for (const record of pane.heldLive.splice(0)) live(record);
}

/** A row for a record. */
function shown(record: RoomRecord, className = ""): HTMLElement {
  const row = recordRow(record, me);
  if (className) row.classList.add(className);
  return row;
}

/** Marks a record as shown in `pane`, and notes who to `/reply` to. */
function remember(pane: RoomPane, record: RoomRecord): void {
  pane.remember(record);
  lastPrivateFrom = replyTargetAfter(record, me) ?? lastPrivateFrom;
}

/** Makes (or finds) the private conversation with `name`. */
function openPrivate(name: string): RoomPane {
  const entry = rooms.add(privateEntry(name));
  return paneFor(entry.key, name);
}

/** Shows a private message in its conversation, once. */
function privateArrived(record: RoomRecord): void {
  if (shownPrivate.has(record.id)) return;
  shownPrivate.add(record.id);
  const entry = conversationOf(record, me);
  if (!entry) return;
  const pane = openPrivate(entry.label);
  lastPrivateFrom = replyTargetAfter(record, me) ?? lastPrivateFrom;
  const row = shown(record);
  counted(entry.key, pane, record, row, Infinity);
  persist();
}

/** A record arriving on the connection: into its room's pane (or its private conversation). */
function live(record: RoomRecord): void {
  if (isPrivateRecord(record)) return privateArrived(record);
  // A server that names no room (protocol 1) has one: the welcome's.
  const room = record.room ?? homeRoom;
  if (room === undefined) return;
  const key = roomKeyOf(room);
  const pane = panes.get(key);
  if (!pane) return;
  if (pane.catchUp) {
    pane.heldLive.push(record);
    return;
  }
  if (pane.shownIds.has(record.id)) return;
  remember(pane, record);
  applyToMembers(pane, record);
  const topic = topicFromNotice(record);
  if (topic !== undefined) {
    rooms.add(roomEntry(room, topic || undefined));
    if (rooms.current === key) showHead();
  }
  counted(key, pane, record, shown(record), record.id);
  persist();
}

/** Adds a record's row to its pane, counting it as unread when the reader is not looking. */
function counted(key: string, pane: RoomPane, record: RoomRecord, row: HTMLElement, id: number) {
  if (id === Infinity) delete row.dataset.id; // stays below the rows that came before it
  const unseen = rooms.arrived(key, record, me, looking());
  const here = rooms.current === key;
  pane.addRows([[id, row]], here ? view.scroller : undefined, unseen && !here);
  if (here) showJump(pane);
  attention.arrived(record, me);
  drawList();
}

function paged(page: {
  room?: string;
  private?: boolean;
  records: RoomRecord[];
  before?: number;
  after?: number;
  more: boolean;
}) {
  if (page.private) return privatePage(page.records);
  const key = page.room === undefined ? rooms.current : roomKeyOf(page.room);
  const pane = key === undefined ? undefined : panes.get(key);
  if (!pane) return;
  const fresh = page.records.filter((record) => !pane.shownIds.has(record.id));
  if (page.before !== undefined) {
    pane.olderPending = false;
    pane.olderMore = page.more;
    const here = rooms.current === key;
    // Measured after the button above may have gone, so the view stays put.
    if (here) showPaneControls();
    const height = view.scroller.scrollHeight;
    const rows = fresh.map((record) => shown(record));
    for (const record of fresh) remember(pane, record);
    pane.history.prepend(...rows);
    if (here) view.scroller.scrollTop += view.scroller.scrollHeight - height;
  } else if (page.after !== undefined && pane.catchUp) {
    pane.catchUp.records.push(...page.records);
    pane.catchUpCursor = page.records.at(-1)?.id ?? pane.catchUpCursor;
    clearTimeout(pane.catchUpWatchdog);
    if (page.more && catchUpContinues(pane)) askCatchUpPage(pane);
    else showCatchUp(pane);
  }
}

/**
 * A page of your private messages (asked for when the page loads): each open conversation
 * gets its own above what it shows, once; closed conversations stay closed.
 */
function privatePage(records: RoomRecord[]): void {
  const rowsOf = new Map<string, HTMLElement[]>();
  let replyTo: string | undefined;
  for (const record of records) {
    const entry = conversationOf(record, me);
    if (shownPrivate.has(record.id) || !entry || rooms.get(entry.key)?.kind !== "private") continue;
    shownPrivate.add(record.id);
    replyTo = replyTargetAfter(record, me) ?? replyTo;
    rowsOf.set(entry.key, [...rowsOf.get(entry.key) ?? [], shown(record)]);
  }
  lastPrivateFrom ??= replyTo;
  for (const [key, rows] of rowsOf) {
    const pane = panes.get(key);
    pane?.history.prepend(...rows);
    if (pane && rooms.current === key) pane.scrollToBottom(view.scroller);
  }
}

/** We left a room (`/part`, kicked, closed): its entry and rows go; the reason is told. */
function parted(room: string, reason?: string): void {
  dropRoom(roomKeyOf(room));
  const text = reason ? `You left ${room}: ${reason}.` : `You left ${room}.`;
  // Left without a room on screen (the server moves us to its default next): said there.
  if (currentPane()?.messages.isConnected) note("info", text);
  else unsaid.push(text);
}

/**
 * The server would not let us (back) into `room` (a key changed, the room closed, a cap):
 * it is no longer one to come back to. The error saying why is shown next.
 */
function notLetIn(room: string): void {
  const key = roomKeyOf(room);
  roomsToEnter = roomsToEnter.filter((saved) => roomKeyOf(saved.room) !== key);
  if (rooms.get(key)?.kind === "room") dropRoom(key);
}

/** A room's entry, rows and key go; the next room is shown if it was. */
function dropRoom(key: string): void {
  const wasShown = rooms.current === key;
  if (wasShown) panes.get(key)?.hideFrom(view.scroller);
  panes.delete(key);
  roomKeys.delete(key);
  const next = rooms.remove(key);
  if (wasShown && next) showPane(next);
  drawList();
  persist();
}

/** An `info`: a `/rooms` answer becomes a list to click; anything else a line. */
function informed(text: string): void {
  const listed = roomsInInfo(text);
  if (!listed) return note("info", text);
  for (const { room } of listed) roomsHeardOf.add(room);
  const pane = currentPane();
  if (!pane) return;
  pane.addRows([[Infinity, roomsAnswer(listed, (room) => joinRoom(room))]], view.scroller);
}

function refused(code: string, message: string): void {
  const pane = currentPane();
  if (pane?.olderPending && (code === "unknown_type" || code === "bad_field")) {
    // A server without history paging: stop offering older messages.
    pane.olderPending = false;
    pagingWorks = false;
    showPaneControls();
    return;
  }
  if (connection.joined) {
    if (pendingJoin !== undefined && JOIN_REFUSALS.has(code)) {
      pendingJoin = undefined;
      view.roomJoinError.textContent = message;
    }
    return note("error", message);
  }
  // The name or password was refused: wait for the person rather than retrying the same hello.
  connection.stop();
  if (code === "wrong_password" || code === "too_many_attempts") {
    view.passwordRow.hidden = false;
    password = undefined;
  }
  showJoinView();
  showJoinError(message);
  if (code === "wrong_password" || code === "too_many_attempts") view.joinPassword.focus();
  else view.joinName.focus();
}

/** Refusals of a `join`, shown by the join form too. */
const JOIN_REFUSALS = new Set([
  "room_invalid",
  "key_needed",
  "wrong_key",
  "no_such_room",
  "too_many_rooms",
  "bad_field",
]);

function goodbye(code: string, message: string): void {
  note("note", message);
  if (!FINAL_BYES.has(code)) return; // The socket closes next; reconnecting follows.
  connection.stop();
  setStatus("Disconnected");
  view.rejoin.hidden = false;
  if (!shownRoom) {
    showJoinView();
    showJoinError(message);
  }
}

// ------------------------------------------------------------------ rooms

/** Joins `room` (with its key), or shows it when we are in it already. */
function joinRoom(room: string, key?: string): void {
  const wanted = roomKeyOf(room.trim());
  if (rooms.get(wanted)) {
    view.roomJoinName.value = "";
    view.roomJoinKey.value = "";
    return switchTo(wanted);
  }
  if (!connection.joined) {
    view.roomJoinError.textContent = "Not connected right now; try again in a moment.";
    return;
  }
  pendingJoin = { room: wanted, key };
  view.roomJoinError.textContent = "";
  send({ type: "join", room: room.trim(), ...(key ? { key } : {}) });
}

/** The reader chose a conversation (a click, a key). */
function chooseRoom(key: string): void {
  restoreCurrent = undefined;
  switchTo(key);
}

/** Shows the conversation `key`: its rows where the reader left them, its topic and members. */
function switchTo(key: string): void {
  const shownAlready = rooms.current === key && panes.get(key)?.messages.isConnected;
  if (!rooms.select(key)) return;
  if (!shownAlready) showPane(key);
  drawList();
  lookedAt();
  showRooms(false);
}

/** Puts `key`'s pane on screen (the list already says it is current). */
function showPane(key: string): void {
  const pane = panes.get(key);
  if (!pane) return;
  for (const other of panes.values()) {
    if (other !== pane && other.messages.isConnected) other.hideFrom(view.scroller);
  }
  pane.showIn(view.scroller, view.older);
  showHead();
  showPaneControls();
}

/** The shown conversation's pane. */
function currentPane(): RoomPane | undefined {
  return rooms.current === undefined ? undefined : panes.get(rooms.current);
}

/** The title, topic and members of the shown conversation. */
function showHead(): void {
  const entry = rooms.currentEntry;
  if (!entry) return;
  const pane = panes.get(entry.key);
  view.roomTitle.textContent = entry.kind === "private" ? `${entry.label} (private)` : entry.label;
  view.roomTopic.textContent = entry.topic ?? "";
  view.roomTopic.hidden = !entry.topic;
  view.part.textContent = entry.kind === "private" ? "Close" : "Leave";
  view.part.setAttribute(
    "aria-label",
    entry.kind === "private"
      ? `Close the conversation with ${entry.label}`
      : `Leave ${entry.label}`,
  );
  view.scroller.setAttribute("aria-label", `Conversation in ${entry.label}`);
  setMembers(entry.kind === "private" ? [entry.label, me] : pane?.members ?? []);
}

/** Redraws the room list, the phone's switcher and the title's unread count. */
function drawList(): void {
  drawRoomList(view.roomList, rooms.entries, rooms.current, chooseRoom);
  const current = rooms.currentEntry;
  const elsewhere = rooms.totalUnread - (current?.unread ?? 0);
  view.roomsToggleLabel.textContent = current?.label ?? "Rooms";
  view.roomsToggleCount.textContent = elsewhere > 99 ? "99+" : String(elsewhere);
  view.roomsToggleCount.hidden = elsewhere === 0;
  view.roomsToggle.setAttribute(
    "aria-label",
    `Rooms: ${current ? entryName(current) : "none"}${
      elsewhere > 0 ? `; ${elsewhere} unread in other rooms` : ""
    }`,
  );
  attention.showUnread(rooms.totalUnread);
}

/** True when the reader can see the page (not a background tab). */
function looking(): boolean {
  return !document.hidden;
}

/** The reader looks at the page: the shown conversation is read. */
function lookedAt(): void {
  if (!looking()) return;
  rooms.lookedAt();
  drawList();
}

/** Leaves the shown room (or closes the shown private conversation). */
/** `/switch`, `/query` and `/close` in the page (its `/join` and `/part` are page_input.ts's). */
const pageRooms: RoomCommands = {
  join: (room, key) => joinRoom(room, key),
  part: (room) => room ? send({ type: "part", room }) : partCurrent(),
  switchTo(target) {
    const key = rooms.find(target);
    if (key === undefined) {
      return note(
        "error",
        `Nothing called "${target}" in your list. /join #room or /query NAME opens one.`,
      );
    }
    chooseRoom(key);
  },
  query(name) {
    openPrivate(name);
    chooseRoom(privateEntry(name).key);
    persist();
  },
  close() {
    const entry = rooms.currentEntry;
    if (entry?.kind !== "private") return note("error", "This is a room: /part leaves it.");
    partCurrent();
  },
};

function partCurrent(): void {
  const entry = rooms.currentEntry;
  if (!entry) return;
  if (entry.kind === "private") {
    panes.get(entry.key)?.hideFrom(view.scroller);
    panes.delete(entry.key);
    const next = rooms.remove(entry.key);
    if (next) showPane(next);
    drawList();
    persist();
    return;
  }
  send({ type: "part", room: entry.label });
}

function showRooms(open: boolean): void {
  view.room.classList.toggle("rooms-open", open);
  view.roomsToggle.setAttribute("aria-expanded", String(open));
}

// ------------------------------------------------------------------ members

function setMembers(names: string[]): void {
  const members = [...names].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  view.memberList.replaceChildren(...members.map((name) => {
    const item = element("li");
    item.append(element("span", `who ${nameClass(name)}`, name));
    if (nameKey(name) === nameKey(me)) item.append(element("span", "you", " (you)"));
    return item;
  }));
  view.memberCount.textContent = String(members.length);
}

function applyToMembers(pane: RoomPane, record: RoomRecord): void {
  const without = (names: string[], name: string) =>
    names.filter((m) => nameKey(m) !== nameKey(name));
  let members = pane.members;
  if (record.type === "join") members = [...without(members, record.name), record.name];
  else if (record.type === "leave") members = without(members, record.name);
  else if (record.type === "presence") {
    for (const name of record.left) members = without(members, name);
    for (const name of record.joined) members = [...without(members, name), name];
  } else if (record.type === "nick") {
    if (nameKey(record.from) === nameKey(me)) me = record.to;
    members = [...without(members, record.from), record.to];
  } else return;
  pane.members = members;
  if (pane === currentPane()) showHead();
}

// ------------------------------------------------------------------ view

function setStatus(text: string): void {
  view.status.textContent = text;
  view.status.dataset.state = connection.joined ? "connected" : "waiting";
}

/** A line for the reader only, in `pane` (the shown conversation when not given). */
function note(kind: NoteKind, text: string, pane = currentPane()): void {
  if (!pane) return;
  const here = pane === currentPane();
  pane.addRows([[Infinity, noteRow(kind, text)]], here ? view.scroller : undefined);
  if (here) showJump(pane);
}

function showJoinView(): void {
  if (shownRoom) return;
  view.room.hidden = true;
  view.join.hidden = false;
  view.joinButton.disabled = false;
}

function showJoinError(text: string): void {
  view.joinError.textContent = text;
  view.joinButton.disabled = false;
}

function showRoom(): void {
  shownRoom = true;
  view.join.hidden = true;
  view.room.hidden = false;
  view.rejoin.hidden = true;
}

function showJump(pane: RoomPane): void {
  view.jump.hidden = pane.newBelow === 0;
  view.jump.textContent = `Jump to latest (${pane.newBelow} new)`;
}

/** The shown pane's "load earlier" and "jump to latest" buttons. */
function showPaneControls(): void {
  const pane = currentPane();
  if (!pane) return;
  view.older.hidden = !(pane.olderMore && pagingWorks && pane.oldestId !== undefined);
  view.older.textContent = pane.olderPending
    ? "Loading earlier messages…"
    : "Load earlier messages";
  showJump(pane);
}

function loadOlder(): void {
  const pane = currentPane();
  const entry = rooms.currentEntry;
  if (!pane || entry?.kind !== "room") return;
  if (!connection.joined || !pane.olderMore || pane.olderPending || !pagingWorks) return;
  if (pane.oldestId === undefined) return;
  pane.olderPending = true;
  showPaneControls();
  send({ type: "history", room: entry.label, before: pane.oldestId, limit: PAGE_SIZE });
}

function persist(): void {
  if (!me) return;
  const privates = rooms.entries.filter((entry) => entry.kind === "private");
  saveSession(localStorage, {
    name: me,
    token,
    log,
    rooms: roomsWanted(),
    privates: privates.map((entry) => entry.label),
  });
}

const focusInput = setUpComposer({
  form: view.composer,
  input: view.input,
  completion: () => ({
    members: currentPane()?.members ?? [],
    me,
    commands: commandWords(),
    rooms: [
      ...rooms.entries.filter((entry) => entry.kind === "room").map((entry) => entry.label),
      ...roomsHeardOf,
    ],
    windows: rooms.entries.map((entry) => entry.label),
  }),
  submit(text) {
    if (!connection.joined) {
      note(
        "error",
        "Not connected right now; your message is still in the box. Send it again soon.",
      );
      return false;
    }
    const length = [...text.trim()].length;
    if (length > maxMessageChars) {
      note(
        "error",
        `That message has ${length} characters; the limit is ${maxMessageChars}. Shorten it and send it again.`,
      );
      return false;
    }
    const entry = rooms.currentEntry;
    const privateTo = entry?.kind === "private" ? entry.label : undefined;
    const action = pageInput(text, privateTo);
    switch (action?.kind) {
      case "help":
        note("info", helpText());
        return true;
      case "error":
        note("error", action.text);
        return false;
      case "join":
        joinRoom(action.room, action.key);
        return true;
      case "part":
        if (action.room) send({ type: "part", room: action.room });
        else partCurrent();
        return true;
      case "send":
        send({ type: "send", text: action.text });
        return true;
    }
    runInput(text, {
      send: (line) =>
        send({ type: "send", text: line, ...(privateTo ? {} : { room: entry?.label }) }),
      info: (line) => note("info", line),
      error: (line) => note("error", line),
      quit: leave,
      clear: () => currentPane()?.clear(),
      lastPrivateFrom: () => lastPrivateFrom,
      rooms: pageRooms,
    });
    const pane = currentPane();
    if (pane) pane.scrollToBottom(view.scroller);
    return true;
  },
});

/** Where a file sent now goes: the conversation on screen, a room or a person. */
function currentConversation(): UploadTarget {
  const entry = rooms.currentEntry;
  if (entry?.kind === "private") return { to: entry.label };
  return { room: entry?.label };
}

const uploader = new Uploader({
  list: view.uploads,
  send(frame) {
    if (!connection.joined) return false;
    send({ ...frame });
    return true;
  },
  target: currentConversation,
  refocus: () => focusInput(),
});
view.attach.addEventListener("click", () => view.fileInput.click());
view.fileInput.addEventListener("change", () => {
  uploader.send([...(view.fileInput.files ?? [])]);
  view.fileInput.value = ""; // the same file can be chosen again
});
acceptDroppedFiles(byId("conversation"), (files) => uploader.send(files));
acceptPastedFiles(view.input, (files) => uploader.send(files));
stayAtEndWhilePicturesLoad(view.scroller, nearBottom);

/** Leaves the chat (the Leave button, `/quit [REASON]`); `reason`, if any, is shown to the others. */
function leave(reason?: string): void {
  send(reason === undefined ? { type: "quit" } : { type: "quit", reason });
  connection.stop(true);
  forgetSession(localStorage);
  token = undefined;
  setStatus("You left the chat.");
  view.rejoin.hidden = false;
}

function join(): void {
  const name = view.joinName.value.trim();
  const checked = checkName(name);
  if ("code" in checked) {
    showJoinError(checked.message);
    view.joinName.focus();
    return;
  }
  if (nameKey(checked.name) !== nameKey(me)) {
    token = undefined;
    roomsToEnter = [];
  }
  me = checked.name;
  password = view.joinPassword.value || undefined;
  view.joinError.textContent = "";
  view.joinButton.disabled = true;
  connection.stopped = false;
  if (connection.open && !connection.joined) send(hello());
  else connection.connect();
}

// ------------------------------------------------------------------ wiring

view.joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  join();
});
view.roomJoinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = view.roomJoinName.value.trim();
  if (room === "") {
    view.roomJoinError.textContent = "Type the name of a room, like #homework.";
    view.roomJoinName.focus();
    return;
  }
  joinRoom(room, view.roomJoinKey.value || undefined);
});
view.part.addEventListener("click", partCurrent);
view.scroller.addEventListener("scroll", () => {
  const pane = currentPane();
  if (pane && nearBottom(view.scroller) && pane.newBelow > 0) {
    pane.newBelow = 0;
    showJump(pane);
  }
  if (view.scroller.scrollTop < 200) loadOlder();
}, { passive: true });
view.older.addEventListener("click", loadOlder);
view.jump.addEventListener("click", () => {
  const pane = currentPane();
  if (pane) {
    pane.scrollToBottom(view.scroller);
    showJump(pane);
  }
  focusInput();
});
view.rejoin.addEventListener("click", () => {
  view.rejoin.hidden = true;
  connection.retryNow();
});
view.leave.addEventListener("click", () => leave());
function showMembers(open: boolean): void {
  view.room.classList.toggle("members-open", open);
  view.membersToggle.setAttribute("aria-expanded", String(open));
}
view.membersToggle.addEventListener("click", () => {
  showMembers(!view.room.classList.contains("members-open"));
});
view.roomsToggle.addEventListener("click", () => {
  const open = !view.room.classList.contains("rooms-open");
  showRooms(open);
  if (open) view.roomList.querySelector<HTMLElement>("[aria-current]")?.focus();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && view.room.classList.contains("members-open")) {
    showMembers(false);
    view.membersToggle.focus();
  } else if (event.key === "Escape" && view.room.classList.contains("rooms-open")) {
    showRooms(false);
    view.roomsToggle.focus();
  } else if (event.altKey && !event.ctrlKey && !event.metaKey && shownRoom) {
    // Alt+1…9 and Alt+Up/Down switch rooms, from anywhere on the page.
    const digit = /^Digit([1-9])$/.exec(event.code);
    const key = digit
      ? rooms.at(Number(digit[1]) - 1)
      : event.key === "ArrowUp"
      ? rooms.neighbour(-1)
      : event.key === "ArrowDown"
      ? rooms.neighbour(1)
      : undefined;
    if (key === undefined) return;
    event.preventDefault();
    chooseRoom(key);
  }
});
setUpSettings({
  toggle: view.settingsToggle,
  panel: view.settings,
  sound: view.soundToggle,
  notifyButton: view.notifyButton,
  notifyState: view.notifyState,
}, attention);

if (saved) {
  view.joinName.value = saved.name;
  connection.stopped = false;
  showRoom();
  shownRoom = false;
  connection.connect();
} else {
  view.room.hidden = true;
  view.joinName.focus();
}

/**
 * The browser page: joins the room over a WebSocket at `/ws` on the page's
 * own origin (one structured-protocol JSON frame per WebSocket message),
 * shows the conversation, and keeps the connection alive — reconnecting with
 * backoff and resuming from the last record shown, so nothing appears twice
 * and nothing is missing.
 *
 * @module
 */

import { commandWords, LOCAL_COMMANDS, replyTargetAfter, runInput } from "../client/commands.ts";
import {
  EARLIER_MARKER,
  END_OF_EARLIER_MARKER,
  GAP_WARNING,
  newMessagesPhrase,
  ROOM_CHANGED,
  welcomeHistory,
} from "../client/welcome_history.ts";
import { PROTOCOL_VERSION } from "../protocol/constants.ts";
import { parseServerFrame } from "../protocol/codec.ts";
import type {
  HelloFrame,
  HistoryFrame,
  RoomRecord,
  ServerFrame,
  WelcomeFrame,
} from "../protocol/frames.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import { commandTable, usageOf } from "../text/command_line.ts";
import { Attention, notificationsUnavailable } from "./attention.ts";
import { reconnectDelay } from "./backoff.ts";
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
import { forgetSession, loadSession, saveSession } from "./saved_session.ts";
import { presentCount } from "../text/plain_format.ts";

/** Older records asked for per `history before` request (scrolling back). */
const PAGE_SIZE = 50;
/** Records asked for per `history after` request (the rest of a catch-up; the server caps it). */
const CATCH_UP_PAGE_SIZE = 500;
/** How long a catch-up page may take before it is asked for again, and how often. */
const CATCH_UP_WAIT_MS = 4000;
const CATCH_UP_RETRIES = 2;
/** How close to the bottom (px) still counts as "at the latest message". */
const STICK_PX = 48;
/** How long a woken tab waits for an answer to its ping before it reconnects. */
const PROBE_MS = 5000;
/** How often the page pings a quiet server, so a dead connection is noticed. */
const KEEPALIVE_MS = 25_000;
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
  history: byId<HTMLElement>("history"),
  messages: byId<HTMLElement>("messages"),
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
let roomId = saved?.room;
/** Highest record id shown: the `since` of the next hello. */
let lastId = saved?.lastId;
let password: string | undefined;

let socket: WebSocket | undefined;
/** A welcome arrived on the current socket. */
let joined = false;
/** A welcome arrived since the page loaded: the room is on screen. */
let shownRoom = false;
/** The person left or the server ended the session for good: no reconnecting. */
let stopped = true;
let attempt = 0;
let reconnectTimer: number | undefined;
let keepaliveTimer: number | undefined;
let lastHeard = 0;

let members: string[] = [];
/** The server's message length limit, in characters (from the welcome). */
let maxMessageChars = Infinity;
let lastPrivateFrom: string | undefined;
const shownIds = new Set<number>();
/** Oldest record id on screen, for `history before`. */
let oldestId: number | undefined;
let olderMore = false;
let olderPending = false;
let pagingWorks = true;
/** A welcome whose records are being completed with `after` pages, until it is shown. */
let catchUp: { welcome: WelcomeFrame; records: RoomRecord[]; firstTime: boolean } | undefined;
/** Live records that arrived while a catch-up was still coming; shown after it. */
const heldLive: RoomRecord[] = [];
/** Last id of the welcome's catch-up and its `after` pages, for the next `after`. */
let catchUpCursor = 0;
/** Asks again for a catch-up page that did not come (see {@linkcode askCatchUpPage}). */
let catchUpWatchdog: ReturnType<typeof setTimeout> | undefined;
/** New records below the visible part while the reader is scrolled up. */
let newBelow = 0;

const attention = new Attention(view.favicon);

// ------------------------------------------------------------------ connection

function send(frame: HelloFrame | HistoryFrame | { type: string; [field: string]: unknown }) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function hello(): HelloFrame {
  const frame: HelloFrame = { type: "hello", version: PROTOCOL_VERSION, name: me };
  if (password) frame.password = password;
  if (token) frame.resume = token;
  // The place is the server's log and the room in it: go back to that room, caught up.
  const [log, room] = (roomId ?? "").split(" ");
  if (room !== undefined) frame.room = room;
  if (room !== undefined && lastId !== undefined) {
    frame.since = lastId;
    frame.log = log;
  }
  return frame;
}

function connect(): void {
  clearTimeout(reconnectTimer);
  reconnectTimer = undefined;
  if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
  socket = ws;
  joined = false;
  setStatus("Connecting…");
  ws.onopen = () => {
    lastHeard = Date.now();
    send(hello());
  };
  ws.onmessage = (event) => {
    if (ws !== socket || typeof event.data !== "string") return;
    lastHeard = Date.now();
    const frame = parseServerFrame(event.data);
    if (frame) handle(frame);
  };
  ws.onclose = () => {
    if (ws !== socket) return;
    socket = undefined;
    const wasJoined = joined;
    joined = false;
    clearInterval(keepaliveTimer);
    // An unfinished catch-up is asked for again, whole, by the next hello.
    catchUp = undefined;
    heldLive.length = 0;
    uploader.connectionLost();
    if (!stopped) {
      if (wasJoined) note("note", "Connection lost. Reconnecting…");
      scheduleReconnect();
    }
  };
}

function scheduleReconnect(): void {
  const delay = reconnectDelay(attempt++);
  const seconds = Math.max(1, Math.round(delay / 1000));
  const text = navigator.onLine === false
    ? "Offline. Reconnecting when the network is back…"
    : `Not connected. Trying again in ${seconds} s…`;
  setStatus(text);
  if (!shownRoom) showJoinError(text.replace("Not connected.", "Could not reach the room."));
  reconnectTimer = setTimeout(connect, delay);
}

/** Reconnects now when waiting for a retry; checks a possibly dead socket after sleep. */
function wakeUp(): void {
  if (stopped) return;
  if (reconnectTimer !== undefined) {
    attempt = 0;
    connect();
  } else if (socket?.readyState === WebSocket.OPEN) {
    const asked = Date.now();
    send({ type: "ping", data: String(asked) });
    setTimeout(() => {
      if (socket?.readyState === WebSocket.OPEN && lastHeard < asked) replaceDeadSocket();
    }, PROBE_MS);
  }
}

/** Gives up on a socket that stopped answering (a phone that slept, a dropped network). */
function replaceDeadSocket(): void {
  const dead = socket;
  socket = undefined;
  joined = false;
  catchUp = undefined;
  heldLive.length = 0;
  clearInterval(keepaliveTimer);
  dead?.close();
  note("note", "Connection lost. Reconnecting…");
  connect();
}

globalThis.addEventListener("online", wakeUp);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) wakeUp();
});

// ------------------------------------------------------------------ frames

function handle(frame: ServerFrame): void {
  switch (frame.type) {
    case "welcome":
      return welcomed(frame);
    case "joined":
      // Moved to another room with /join: its state replaces the room on screen.
      return lastWelcome && welcomed({ ...lastWelcome, ...frame, type: "welcome" });
    case "parted":
      return note("info", `You left ${frame.room}.`);
    case "message":
    case "private":
    case "join":
    case "leave":
    case "nick":
    case "notice":
    case "file":
      return live(frame);
    case "members":
      setMembers(frame.members);
      return note("info", `${presentCount(frame.members.length)}: ${frame.members.join(", ")}`);
    case "info":
      return note("info", frame.text);
    case "error":
      if (uploader.refused(frame)) return;
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

/** The latest welcome, the base of a room moved to with /join. */
let lastWelcome: WelcomeFrame | undefined;

function welcomed(frame: WelcomeFrame): void {
  // Private messages have ids of their own log: shown after the room's records, not among them.
  const welcome = { ...frame, history: frame.history.filter((r) => !isPrivateMessage(r)) };
  heldLive.push(...frame.history.filter(isPrivateMessage));
  lastWelcome = welcome;
  const place = `${welcome.log} ${welcome.room.toLowerCase()}`;
  const firstTime = !shownRoom;
  joined = true;
  attempt = 0;
  me = welcome.name;
  token = welcome.session;
  if (roomId !== undefined && roomId !== place) {
    const sameLog = roomId.split(" ")[0] === welcome.log;
    if (sameLog) note("note", `You are now in ${welcome.room}.`);
    else if (shownIds.size > 0) note("note", ROOM_CHANGED);
    shownIds.clear();
    lastId = undefined;
    oldestId = undefined;
  }
  roomId = place;
  maxMessageChars = welcome.limits.maxMessageChars ?? Infinity;
  setMembers(welcome.members);
  showRoom();
  setStatus(`Connected as ${me}`);
  clearInterval(keepaliveTimer);
  keepaliveTimer = setInterval(() => {
    const quiet = Date.now() - lastHeard;
    if (quiet > 2 * KEEPALIVE_MS + PROBE_MS) replaceDeadSocket();
    else if (quiet > KEEPALIVE_MS) send({ type: "ping", data: String(Date.now()) });
  }, KEEPALIVE_MS);

  // A long catch-up comes in pages; it is shown once whole, so "N new messages" counts all of it.
  catchUp = { welcome, records: [...welcome.history], firstTime };
  catchUpCursor = welcome.history.at(-1)?.id ?? lastId ?? 0;
  if (welcome.more === true && catchUpContinues()) {
    askCatchUpPage();
  } else {
    showCatchUp();
  }
  if (firstTime) focusInput();
}

/**
 * Asks for the next page of the catch-up. A page that does not come within
 * a few seconds is asked for again; after that the catch-up is shown as far
 * as it got (live records still follow, and nothing is shown twice), so the
 * view never waits for ever.
 */
function askCatchUpPage(tries = 0): void {
  clearTimeout(catchUpWatchdog);
  send({ type: "history", after: catchUpCursor, limit: CATCH_UP_PAGE_SIZE });
  catchUpWatchdog = setTimeout(() => {
    if (!catchUp) return;
    if (tries < CATCH_UP_RETRIES) askCatchUpPage(tries + 1);
    else showCatchUp();
  }, CATCH_UP_WAIT_MS);
}

/** True while the catch-up has not reached the welcome's `lastId`. */
function catchUpContinues(): boolean {
  const end = catchUp?.welcome.lastId;
  return end === undefined || catchUpCursor < end;
}

/** Shows the welcome's records (and its further pages), then the live records held meanwhile. */
function showCatchUp(): void {
  clearTimeout(catchUpWatchdog);
  if (!catchUp) return;
  const { welcome, records, firstTime } = catchUp;
  catchUp = undefined;
  // Pages may repeat a record (a live one the server also put in a page): keep the first.
  const seen = new Set(shownIds);
  const fresh = records.filter((record) => {
    if (seen.has(record.id)) return false;
    seen.add(record.id);
    return true;
  });
  const history = welcomeHistory(welcome, fresh);
  const target = firstTime ? view.history : view.messages;
  const rows: HTMLElement[] = [];
  if (firstTime && welcome.motd) view.history.before(motdCard(welcome.motd));
  if (firstTime) {
    rows.push(
      noteRow(
        "welcome",
        `Welcome, ${me}! ${presentCount(welcome.members.length)}: ${welcome.members.join(", ")}.`,
      ),
    );
  }
  if (history.kind === "earlier" && history.records.length > 0) {
    rows.push(markerRow(EARLIER_MARKER, "earlier"));
    for (const record of history.records) rows.push(shown(record, "earlier"));
    rows.push(markerRow(END_OF_EARLIER_MARKER, "earlier"));
  } else if (history.kind === "catch-up" && (firstTime || history.records.length > 0)) {
    rows.push(markerRow(newMessagesPhrase(history.newMessages), "since-left"));
    if (history.gap) rows.push(noteRow("note", GAP_WARNING));
    for (const record of history.records) rows.push(shown(record));
  }
  for (const record of fresh) remember(record);
  const stick = nearBottom();
  target.append(...rows);
  if (firstTime || stick) scrollToBottom();
  if (firstTime) {
    oldestId = fresh[0]?.id ?? (lastId === undefined ? undefined : lastId + 1);
    olderMore = oldestId !== undefined;
  }
  showOlderButton();
  persist();
  for (const record of heldLive.splice(0)) live(record);
}

/** A row for a record, and the bookkeeping that goes with showing it. */
function shown(record: RoomRecord, className = ""): HTMLElement {
  const row = recordRow(record, me);
  if (className) row.classList.add(className);
  return row;
}

/** Marks a record as shown: never twice, and resume after it next time. */
function remember(record: RoomRecord): void {
  shownIds.add(record.id);
  if (lastId === undefined || record.id > lastId) lastId = record.id;
  if (oldestId === undefined || record.id < oldestId) oldestId = record.id;
  lastPrivateFrom = replyTargetAfter(record, me) ?? lastPrivateFrom;
}

/** True for a private message or file: between people, not in the room's order of ids. */
function isPrivateMessage(record: RoomRecord): boolean {
  return (record.type === "private" || record.type === "file" && record.to !== undefined) &&
    record.room === undefined;
}

/** Private messages shown, by id (their ids are not the room's). */
const shownPrivate = new Set<number>();

/** Shows a private message at the end, once. */
function privateArrived(record: RoomRecord): void {
  if (shownPrivate.has(record.id)) return;
  shownPrivate.add(record.id);
  lastPrivateFrom = replyTargetAfter(record, me) ?? lastPrivateFrom;
  const row = shown(record);
  // Without an id the row stays below the room's records that came before it (addRows).
  delete row.dataset.id;
  addRows(view.messages, [[Infinity, row]]);
  attention.arrived(record, me);
}

function live(record: RoomRecord): void {
  if (catchUp) {
    heldLive.push(record);
    return;
  }
  if (isPrivateMessage(record)) return privateArrived(record);
  if (shownIds.has(record.id)) return;
  remember(record);
  applyToMembers(record);
  addRows(view.messages, [[record.id, shown(record)]]);
  attention.arrived(record, me);
  persist();
}

/** Inserts rows in id order (a catch-up page may come after newer live records). */
function addRows(container: HTMLElement, rows: Array<[number, HTMLElement]>): void {
  const stick = nearBottom();
  for (const [id, row] of rows) {
    let after: Element | null = container.lastElementChild;
    while (after && Number((after as HTMLElement).dataset.id ?? -Infinity) > id) {
      after = after.previousElementSibling;
    }
    if (after) after.after(row);
    else container.prepend(row);
  }
  if (stick) scrollToBottom();
  else {
    newBelow += rows.length;
    showJump();
  }
}

function paged(page: { records: RoomRecord[]; before?: number; after?: number; more: boolean }) {
  const fresh = page.records.filter((record) => !shownIds.has(record.id));
  if (page.before !== undefined) {
    olderPending = false;
    olderMore = page.more;
    // Measured after the button above may have gone, so the view stays put.
    showOlderButton();
    const height = view.scroller.scrollHeight;
    const rows = fresh.map((record) => shown(record));
    for (const record of fresh) remember(record);
    view.history.prepend(...rows);
    view.scroller.scrollTop += view.scroller.scrollHeight - height;
  } else if (page.after !== undefined && catchUp) {
    catchUp.records.push(...page.records);
    catchUpCursor = page.records.at(-1)?.id ?? catchUpCursor;
    clearTimeout(catchUpWatchdog);
    if (page.more && catchUpContinues()) {
      askCatchUpPage();
    } else {
      showCatchUp();
    }
  }
}

function refused(code: string, message: string): void {
  if (olderPending && (code === "unknown_type" || code === "bad_field")) {
    // A server without history paging: stop offering older messages.
    olderPending = false;
    pagingWorks = false;
    showOlderButton();
    return;
  }
  if (joined) return note("error", message);
  // The name or password was refused: wait for the person rather than retrying the same hello.
  stopped = true;
  if (code === "wrong_password" || code === "too_many_attempts") {
    view.passwordRow.hidden = false;
    password = undefined;
  }
  showJoinView();
  showJoinError(message);
  if (code === "wrong_password" || code === "too_many_attempts") view.joinPassword.focus();
  else view.joinName.focus();
}

function goodbye(code: string, message: string): void {
  note("note", message);
  if (!FINAL_BYES.has(code)) return; // The socket closes next; reconnecting follows.
  stopped = true;
  setStatus("Disconnected");
  view.rejoin.hidden = false;
  if (!shownRoom) {
    showJoinView();
    showJoinError(message);
  }
}

// ------------------------------------------------------------------ members

function setMembers(names: string[]): void {
  members = [...names].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
  view.memberList.replaceChildren(...members.map((name) => {
    const item = element("li");
    item.append(element("span", `who ${nameClass(name)}`, name));
    if (nameKey(name) === nameKey(me)) item.append(element("span", "you", " (you)"));
    return item;
  }));
  view.memberCount.textContent = String(members.length);
}

function applyToMembers(record: RoomRecord): void {
  const without = (name: string) => members.filter((m) => nameKey(m) !== nameKey(name));
  if (record.type === "join") setMembers([...without(record.name), record.name]);
  else if (record.type === "leave") setMembers(without(record.name));
  else if (record.type === "nick") {
    if (nameKey(record.from) === nameKey(me)) me = record.to;
    setMembers([...without(record.from), record.to]);
    persist();
  }
}

// ------------------------------------------------------------------ view

function setStatus(text: string): void {
  view.status.textContent = text;
  view.status.dataset.state = joined ? "connected" : "waiting";
}

function note(kind: NoteKind, text: string): void {
  addRows(view.messages, [[Infinity, noteRow(kind, text)]]);
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

function nearBottom(): boolean {
  const { scrollHeight, scrollTop, clientHeight } = view.scroller;
  return scrollHeight - scrollTop - clientHeight < STICK_PX;
}

function scrollToBottom(): void {
  view.scroller.scrollTop = view.scroller.scrollHeight;
  newBelow = 0;
  showJump();
}

function showJump(): void {
  view.jump.hidden = newBelow === 0;
  view.jump.textContent = `Jump to latest (${newBelow} new)`;
}

function showOlderButton(): void {
  view.older.hidden = !(olderMore && pagingWorks && oldestId !== undefined);
  view.older.textContent = olderPending ? "Loading earlier messages…" : "Load earlier messages";
}

function loadOlder(): void {
  if (!joined || !olderMore || olderPending || !pagingWorks || oldestId === undefined) return;
  olderPending = true;
  showOlderButton();
  send({ type: "history", before: oldestId, limit: PAGE_SIZE });
}

function persist(): void {
  if (me) saveSession(localStorage, { name: me, token, room: roomId, lastId });
}

const focusInput = setUpComposer({
  form: view.composer,
  input: view.input,
  completion: () => ({ members, me, commands: commandWords() }),
  submit(text) {
    if (!joined) {
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
    const word = text.trim().split(/\s/, 1)[0].toLowerCase();
    if (word === "/help" || word === "/?") {
      note("info", helpText());
      return true;
    }
    runInput(text, {
      send: (line) => send({ type: "send", text: line }),
      info: (line) => note("info", line),
      error: (line) => note("error", line),
      quit: leave,
      clear: () => {
        view.history.replaceChildren();
        view.messages.replaceChildren();
      },
      lastPrivateFrom: () => lastPrivateFrom,
    });
    scrollToBottom();
    return true;
  },
});

/** `/help` for the page: the client's command registry and the page's keys. */
function helpText(): string {
  const rows = LOCAL_COMMANDS.map((command) =>
    [usageOf(command), command.name === "quit" ? "leave the room" : command.summary] as const
  );
  return [
    "Commands:",
    ...commandTable(rows),
    "Keys:",
    "  Enter sends; Shift+Enter starts a new line",
    "  Up/Down recall earlier input; Tab completes names and commands",
    "A line starting with // sends a literal /.",
  ].join("\n");
}

/** Where a file sent now goes: the conversation on screen (today always the current room). */
function currentConversation(): UploadTarget {
  return { room: lastWelcome?.room };
}

const uploader = new Uploader({
  list: view.uploads,
  send(frame) {
    if (!joined) return false;
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
stayAtEndWhilePicturesLoad(view.scroller, STICK_PX);

function leave(): void {
  send({ type: "quit" });
  stopped = true;
  socket?.close();
  forgetSession(localStorage);
  token = undefined;
  setStatus("You left the room.");
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
    roomId = undefined;
    lastId = undefined;
  }
  me = checked.name;
  password = view.joinPassword.value || undefined;
  view.joinError.textContent = "";
  view.joinButton.disabled = true;
  stopped = false;
  if (socket?.readyState === WebSocket.OPEN && !joined) send(hello());
  else connect();
}

// ------------------------------------------------------------------ wiring

view.joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  join();
});
view.scroller.addEventListener("scroll", () => {
  if (nearBottom() && newBelow > 0) {
    newBelow = 0;
    showJump();
  }
  if (view.scroller.scrollTop < 200) loadOlder();
}, { passive: true });
view.older.addEventListener("click", loadOlder);
view.jump.addEventListener("click", () => {
  scrollToBottom();
  focusInput();
});
view.rejoin.addEventListener("click", () => {
  stopped = false;
  attempt = 0;
  view.rejoin.hidden = true;
  connect();
});
view.leave.addEventListener("click", leave);
function showMembers(open: boolean): void {
  view.room.classList.toggle("members-open", open);
  view.membersToggle.setAttribute("aria-expanded", String(open));
}
view.membersToggle.addEventListener("click", () => {
  showMembers(!view.room.classList.contains("members-open"));
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && view.room.classList.contains("members-open")) {
    showMembers(false);
    view.membersToggle.focus();
  }
});
view.settingsToggle.addEventListener("click", () => {
  view.settings.hidden = !view.settings.hidden;
  view.settingsToggle.setAttribute("aria-expanded", String(!view.settings.hidden));
});
view.soundToggle.checked = attention.sound;
view.soundToggle.addEventListener("change", () => attention.setSound(view.soundToggle.checked));
function showNotifyState(): void {
  view.notifyButton.textContent = attention.notify
    ? "Stop desktop notifications"
    : "Show desktop notifications";
}
view.notifyButton.addEventListener("click", async () => {
  if (attention.notify) {
    attention.setNotify(false);
    view.notifyState.textContent = "Desktop notifications are off.";
    return showNotifyState();
  }
  const why = notificationsUnavailable();
  if (why) {
    view.notifyState.textContent = why;
    return;
  }
  const answer = await Notification.requestPermission();
  attention.setNotify(answer === "granted");
  view.notifyState.textContent = answer === "granted"
    ? "Desktop notifications are on for mentions and private messages."
    : "Desktop notifications stay off.";
  showNotifyState();
});
showNotifyState();

if (saved) {
  view.joinName.value = saved.name;
  stopped = false;
  showRoom();
  shownRoom = false;
  connect();
} else {
  view.room.hidden = true;
  view.joinName.focus();
}

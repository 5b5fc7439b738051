/**
 * Encoding and decoding of protocol frames, used by both ends. Decoding never
 * trusts its input: every field is type-checked, unknown fields are ignored,
 * and a bad frame becomes a {@linkcode Refusal} (server side) or `null`
 * (client side) instead of an exception.
 *
 * @module
 */

import type { ClientFrame, ServerFrame } from "./frames.ts";
import type { Refusal } from "./errors.ts";

/** Encodes one frame as a JSON line, newline included. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame) + "\n";
}

/** What a field must hold; a trailing `?` makes it optional. */
type FieldKind =
  | "string"
  | "number"
  | "boolean"
  | "strings"
  | "records"
  | "object"
  | "string?"
  | "number?"
  | "boolean?"
  | "object?"
  | "array?";

type Shape = Record<string, FieldKind>;

const CLIENT_SHAPES: Record<ClientFrame["type"], Shape> = {
  hello: {
    version: "number",
    name: "string",
    password: "string?",
    resume: "string?",
    room: "string?",
    since: "number?",
    log: "string?",
    multiRoom: "boolean?",
    rooms: "array?",
    takeOver: "boolean?",
  },
  send: { text: "string", room: "string?" },
  join: { room: "string", since: "number?", key: "string?" },
  part: { room: "string" },
  ping: { data: "string?" },
  pong: { data: "string?" },
  quit: { reason: "string?" },
  history: { room: "string?", before: "number?", after: "number?", limit: "number?" },
  upload: { name: "string", size: "number", room: "string?", to: "string?", ref: "string?" },
};

const RECORD_SHAPES = {
  message: { id: "number", ts: "number", from: "string", text: "string", emote: "boolean?" },
  private: { id: "number", ts: "number", from: "string", to: "string", text: "string" },
  join: { id: "number", ts: "number", name: "string", count: "number" },
  leave: {
    id: "number",
    ts: "number",
    name: "string",
    count: "number",
    kind: "string?",
    reason: "string?",
  },
  nick: { id: "number", ts: "number", from: "string", to: "string" },
  notice: { id: "number", ts: "number", text: "string", by: "string?" },
  presence: { id: "number", ts: "number", joined: "strings", left: "strings", count: "number" },
  file: {
    id: "number",
    ts: "number",
    from: "string",
    to: "string?",
    name: "string",
    size: "number",
    mime: "string",
    url: "string",
    expired: "boolean?",
  },
} satisfies Record<string, Shape>;

const ROOM_STATE_SHAPE = {
  room: "string",
  topic: "string?",
  members: "strings",
  count: "number?",
  history: "records",
  catchUp: "boolean",
  gap: "boolean?",
  more: "boolean?",
  lastId: "number?",
} satisfies Shape;

const SERVER_SHAPES: Record<ServerFrame["type"], Shape> = {
  ...RECORD_SHAPES,
  welcome: {
    ...ROOM_STATE_SHAPE,
    version: "number",
    name: "string",
    session: "string",
    log: "string",
    motd: "string?",
    limits: "object",
  },
  joined: ROOM_STATE_SHAPE,
  parted: { room: "string", reason: "string?" },
  members: { room: "string?", members: "strings", away: "object?" },
  info: { text: "string" },
  error: { code: "string", message: "string", ref: "string?" },
  bye: { code: "string", message: "string" },
  page: {
    room: "string?",
    records: "records",
    before: "number?",
    after: "number?",
    more: "boolean",
  },
  ping: { data: "string?" },
  pong: { data: "string?" },
  upload_slot: { ref: "string?", url: "string", expires: "number" },
};

function isRecord(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && Object.hasOwn(RECORD_SHAPES, type) &&
    badField(
        value as Record<string, unknown>,
        RECORD_SHAPES[type as keyof typeof RECORD_SHAPES],
      ) ===
      undefined;
}

function fieldMatches(value: unknown, kind: FieldKind): boolean {
  const optional = kind.endsWith("?");
  if (value === undefined) return optional;
  switch (kind.replace("?", "")) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "records":
      return Array.isArray(value) && value.every(isRecord);
  }
  return false;
}

/** Returns the name of the first field that does not match its shape, if any. */
function badField(object: Record<string, unknown>, shape: Shape): string | undefined {
  for (const [field, kind] of Object.entries(shape)) {
    if (!fieldMatches(object[field], kind)) return field;
  }
  return undefined;
}

/** Parses a line as a JSON object with a string `type`, or returns a refusal. */
function parseObject(line: string): Record<string, unknown> | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      code: "bad_frame",
      message: "That frame is not valid JSON; send one JSON object per line.",
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { code: "bad_frame", message: 'A frame must be a JSON object with a "type" field.' };
  }
  if (typeof (value as { type?: unknown }).type !== "string") {
    return { code: "bad_frame", message: 'A frame must be a JSON object with a "type" field.' };
  }
  return value as Record<string, unknown>;
}

/** True for a parse result that is a refusal rather than a frame. */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && "code" in value && "message" in value &&
    !("type" in value);
}

/**
 * Decodes one line from a structured client. Returns the frame, or a refusal
 * saying exactly what was wrong. Unknown fields are ignored.
 */
export function parseClientFrame(line: string): ClientFrame | Refusal {
  const object = parseObject(line);
  if (isRefusal(object)) return object;
  const type = object.type as string;
  if (!Object.hasOwn(CLIENT_SHAPES, type)) {
    return {
      code: "unknown_type",
      message: `Unknown frame type "${
        type.slice(0, 40)
      }"; see docs/PROTOCOL.md for the frame types.`,
    };
  }
  const field = badField(object, CLIENT_SHAPES[type as ClientFrame["type"]]);
  if (field !== undefined) {
    return {
      code: "bad_field",
      message: `Field "${field}" of a "${type}" frame is missing or has the wrong type.`,
    };
  }
  return object as unknown as ClientFrame;
}

/**
 * True when a line looks like the start of the structured protocol: a JSON
 * object with a string `type`. Used to tell structured clients from plain ones.
 */
export function looksStructured(line: string): boolean {
  if (!line.startsWith("{")) return false;
  return !isRefusal(parseObject(line));
}

/**
 * Decodes one line from a server. Returns `null` for anything malformed or of
 * an unknown type (a newer server may send frames this client does not know).
 */
export function parseServerFrame(line: string): ServerFrame | null {
  const object = parseObject(line);
  if (isRefusal(object)) return null;
  const type = object.type as string;
  if (!Object.hasOwn(SERVER_SHAPES, type)) return null;
  if (badField(object, SERVER_SHAPES[type as ServerFrame["type"]]) !== undefined) return null;
  return object as unknown as ServerFrame;
}

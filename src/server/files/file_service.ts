/**
 * File sharing on the chat port (docs/PROTOCOL.md, "Files"): a member asks
 * over its chat connection for an upload slot ({@linkcode FileService.slot}),
 * gets a one-time address `/u/TOKEN`, and sends the bytes there with an HTTP
 * `PUT` (or `POST`); once they are stored the service posts the file record
 * where the slot said (a room, or privately), and the record's link
 * `/f/TOKEN/NAME` downloads it ({@linkcode FileService.serve}). Bytes are
 * streamed both ways, never held whole in memory.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Refusal } from "../../protocol/errors.ts";
import type { FileRecord, UploadSlotFrame } from "../../protocol/frames.ts";
import { formatSize } from "../../text/file_size.ts";
import { safeFileName } from "../../text/file_names.ts";
import { INLINE_TYPES } from "./file_kind.ts";
import {
  type FileShare,
  type FileStore,
  newToken,
  type StoredFile,
  UploadError,
} from "./file_store.ts";

/** The fields of a file record the service fills in; the poster adds who and where. */
export type SharedFile = Pick<FileRecord, "name" | "size" | "mime" | "url">;

/** What a member asks for: a slot to upload one file, and where its record goes. */
export interface SlotRequest {
  /** Who asks (their holder id): the upload rate is per member. */
  holder: string;
  /** The file's name as sent (cleaned here). */
  name: string;
  size: number;
  ref?: string;
  /** The key of the room the record goes to (the private log's key for a private file). */
  room: string;
  /**
   * Posts the record once the file is stored; a refusal (the member left the
   * room meanwhile) is the uploader's answer instead.
   */
  post(file: SharedFile): Refusal | undefined;
}

/** Settings of a {@linkcode FileService}. */
export interface FileServiceOptions {
  store: FileStore;
  /** Largest file accepted (`--max-file-mb`). */
  maxFileBytes: number;
  /** Uploads one member may start per minute. */
  uploadsPerMinute: number;
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** How long an upload slot stays valid. */
  slotMs?: number;
  /** An upload that sends nothing for this long is cut off (a slowloris upload). */
  uploadIdleMs?: number;
}

/** Largest file by default (`--max-file-mb`): 25 MB. */
export const DEFAULT_MAX_FILE_MB = 25;
/** Storage for files by default (`--max-files-gb`): 2 GB. */
export const DEFAULT_MAX_FILES_GB = 2;
/** Uploads a member may start per minute by default (`--uploads-per-minute`). */
export const DEFAULT_UPLOADS_PER_MINUTE = 10;
/** How long an upload address is valid by default. */
export const SLOT_MS = 10 * 60_000;
/** How long an upload may send nothing before it is cut off, by default. */
export const UPLOAD_IDLE_MS = 60_000;

/** Where uploads go and downloads come from, on the chat port. */
export const UPLOAD_PATH = "/u/";
export const DOWNLOAD_PATH = "/f/";

/**
 * Headers of every file download: nothing in it may run as part of a page
 * (`sandbox` gives it an opaque origin, `default-src 'none'` blocks scripts,
 * `nosniff` stops guessing a type), nor be embedded by other sites.
 */
export const DOWNLOAD_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
  "cache-control": "private, max-age=86400",
};

interface Slot extends SlotRequest {
  name: string;
  expires: number;
}

/** Upload slots, the upload rate, and the HTTP side of files. */
export class FileService {
  readonly #options: FileServiceOptions;
  readonly #now: () => number;
  readonly #slots = new Map<string, Slot>();
  /** When each member started its recent uploads (holder → times), for the rate. */
  readonly #recent = new Map<string, number[]>();
  /**
   * Told of the shares whose files were deleted to make room for a new one:
   * records already delivered keep their links, so the rooms are told.
   */
  onExpired?: (shares: FileShare[]) => void;

  /** A service over `options.store`. */
  constructor(options: FileServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The store behind the service. */
  get store(): FileStore {
    return this.#options.store;
  }

  /** Gives a one-time upload address for a file, or says why not. */
  slot(request: SlotRequest): UploadSlotFrame | Refusal {
    const name = safeFileName(request.name);
    const { maxFileBytes, uploadsPerMinute } = this.#options;
    if (!Number.isSafeInteger(request.size) || request.size < 0) {
      return { code: "bad_arguments", message: "A file's size must be a whole number of bytes." };
    }
    if (request.size > maxFileBytes) {
      return {
        code: "file_too_large",
        message: `${name} is ${formatSize(request.size)}; this server takes files up to ${
          formatSize(maxFileBytes)
        }. Send a smaller file, or share it another way.`,
      };
    }
    const now = this.#now();
    const times = (this.#recent.get(request.holder) ?? []).filter((at) => now - at < 60_000);
    if (times.length >= uploadsPerMinute) {
      return {
        code: "upload_rate",
        message: `You can send ${uploadsPerMinute} file${
          uploadsPerMinute === 1 ? "" : "s"
        } a minute here; wait a little and send it again.`,
      };
    }
    times.push(now);
    this.#recent.set(request.holder, times);
    this.#dropExpiredSlots(now);
    const token = newToken();
    const expires = now + (this.#options.slotMs ?? SLOT_MS);
    this.#slots.set(token, { ...request, name, expires });
    return {
      type: "upload_slot",
      ...(request.ref === undefined ? {} : { ref: request.ref }),
      url: UPLOAD_PATH + token,
      expires,
    };
  }

  /** True for the addresses this service answers (`/u/…`, `/f/…`). */
  handles(url: string | undefined): boolean {
    return url !== undefined && (url.startsWith(UPLOAD_PATH) || url.startsWith(DOWNLOAD_PATH));
  }

  /** Answers an upload or a download; never throws. */
  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      if (path.startsWith(UPLOAD_PATH)) {
        await this.#upload(path.slice(UPLOAD_PATH.length), request, response);
      } else await this.#download(path.slice(DOWNLOAD_PATH.length), request, response);
    } catch {
      if (!response.headersSent) {
        reply(response, 500, "server_error", "The server failed; try again.");
      } else response.destroy();
    }
  }

  /** Forgets everything of a room whose history was deleted. */
  forgetRoom(room: string): void {
    for (const [token, slot] of this.#slots) if (slot.room === room) this.#slots.delete(token);
    this.#options.store.forgetRoom(room);
  }

  async #upload(token: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "PUT" && request.method !== "POST") {
      return reply(response, 405, "method", "Send the file with PUT (or POST).");
    }
    const slot = this.#slots.get(token);
    this.#slots.delete(token); // one try per address, whatever happens
    if (!slot || slot.expires < this.#now()) {
      return reply(
        response,
        404,
        "no_slot",
        "This upload address is unknown, used or expired; ask for a new one (send the file again).",
      );
    }
    const declared = request.headers["content-length"];
    if (declared !== undefined && Number(declared) !== slot.size) {
      return reply(
        response,
        Number(declared) > slot.size ? 413 : 400,
        "wrong_size",
        `The upload has ${declared} bytes but ${slot.size} were announced; send the file again.`,
      );
    }
    let stored: StoredFile;
    // A body that stops arriving is cut off, so an upload can't hold a connection forever.
    const idleMs = this.#options.uploadIdleMs ?? UPLOAD_IDLE_MS;
    let idle = setTimeout(() => request.destroy(), idleMs);
    const body = (async function* () {
      for await (const chunk of request) {
        clearTimeout(idle);
        idle = setTimeout(() => request.destroy(), idleMs);
        yield chunk as Uint8Array;
      }
    })();
    try {
      stored = await this.#options.store.receive(body, slot.size);
    } catch (error) {
      if (error instanceof UploadError) {
        return reply(
          response,
          error.problem === "too_big" ? 413 : 400,
          error.problem,
          error.message,
        );
      }
      response.destroy(); // the connection broke: nobody to answer
      return;
    } finally {
      clearTimeout(idle);
    }
    const url = `${DOWNLOAD_PATH}${newToken()}/${encodeURIComponent(slot.name)}`;
    const file: SharedFile = { name: slot.name, size: stored.size, mime: stored.mime, url };
    const refused = slot.post(file);
    if (refused) {
      this.#options.store.discard(stored.hash);
      return reply(response, 409, refused.code, refused.message);
    }
    const expired = this.#options.store.addShare({
      ...stored,
      token: tokenOf(url)!,
      name: slot.name,
      room: slot.room,
      at: this.#now(),
    });
    if (expired.length > 0) this.onExpired?.(expired);
    response.writeHead(201, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      connection: "close",
    });
    response.end(JSON.stringify(file));
  }

  async #download(
    rest: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return replyToDownload(request, response, 405, "method", "Files are fetched with GET.");
    }
    const share = this.#options.store.share(rest.split("/")[0]);
    if (!share) {
      return replyToDownload(
        request,
        response,
        404,
        "no_file",
        "There is no file at this address: the link is wrong, or the file was deleted with its room.",
      );
    }
    if (share.expired) {
      return replyToDownload(
        request,
        response,
        410,
        "expired",
        `${share.name} was deleted to make room for newer files; ask whoever shared it to send it again.`,
      );
    }
    // Only the four raster types detected at upload are ever shown inline.
    const image = INLINE_TYPES.has(share.mime) ? share.mime : undefined;
    response.writeHead(200, {
      ...DOWNLOAD_HEADERS,
      "content-type": image ?? "application/octet-stream",
      "content-length": String(share.size),
      "content-disposition": contentDisposition(image ? "inline" : "attachment", share.name),
      connection: "close",
    });
    if (request.method === "HEAD") return void response.end();
    await sendFile(this.#options.store.path(share.hash), response);
  }

  #dropExpiredSlots(now: number): void {
    for (const [token, slot] of this.#slots) if (slot.expires < now) this.#slots.delete(token);
  }
}

/**
 * Streams a file into a response, a chunk at a time as the peer takes them
 * (not `node:fs` streams: loading `node:fs` in the server measurably slows
 * its WebSocket writes on Deno 2.9, enough to fail tests/web_transport_test.ts).
 */
async function sendFile(path: string, response: ServerResponse): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    for await (const chunk of file.readable) {
      if (response.destroyed) break; // the peer left; leaving the loop closes the file
      if (!response.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off("drain", done).off("close", done);
            resolve();
          };
          response.on("drain", done).on("close", done);
        });
      }
    }
    response.end();
  } catch {
    response.destroy();
  }
}

/** The share token in a file link (`/f/TOKEN/NAME`), or undefined for anything else. */
export function tokenOf(url: string): string | undefined {
  if (!url.startsWith(DOWNLOAD_PATH)) return undefined;
  return url.slice(DOWNLOAD_PATH.length).split("/")[0] || undefined;
}

/** `attachment; filename="photo.jpg"; filename*=UTF-8''photo.jpg` (RFC 6266), safe for any name. */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** An error answer: JSON `{"code", "message"}` for programs, the sentence readable with curl. */
/** The headers of every answer that is not a file. */
const ANSWER_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  connection: "close",
};

function reply(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    ...ANSWER_HEADERS,
  });
  response.end(JSON.stringify({ code, message }) + "\n");
}

/**
 * Answers a download that cannot be served: a person who opened the link in
 * a browser reads the sentence itself; programs (`chat join`'s `/save`, the
 * page) get it as JSON like every other answer.
 */
function replyToDownload(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  if (!request.headers.accept?.includes("text/html")) return reply(response, status, code, message);
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...ANSWER_HEADERS });
  response.end(message + "\n");
}

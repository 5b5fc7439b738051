/**
 * `chat join`'s side of file sharing (docs/PROTOCOL.md, "Files"): `/send
 * PATH [NAME]` asks the server for an upload address over the chat
 * connection and streams the file there over HTTP; `/save N [DIR]` streams
 * the N-th shared file into the Downloads folder (or DIR), never over an
 * existing file (`name (1).ext`). Both report progress to a
 * {@linkcode TransferView}; the terminal client shows it as a bar in its
 * status line, plain mode as lines. It also numbers the file records shown
 * and gives their links ({@linkcode FileLinks}) to the renderer.
 *
 * @module
 */

import { basename, join } from "node:path";
import type { FileRecord, UploadFrame, UploadSlotFrame } from "../protocol/frames.ts";
import { formatSize } from "../text/file_size.ts";
import { freeFileName, safeFileName } from "../text/file_names.ts";
import type { FileLinks } from "./render.ts";

/** The part of the chat connection transfers use. */
export interface TransferConnection {
  requestUpload(request: Omit<UploadFrame, "type" | "ref">): Promise<UploadSlotFrame>;
  /** `http://host:port` of the server. */
  readonly webBase: string;
  /** The HTTP client for a TLS room (trusting its certificate), undefined without TLS. */
  httpClient(): Promise<Deno.HttpClient | undefined>;
}

/** One transfer's progress. */
export interface TransferProgress {
  direction: "up" | "down";
  name: string;
  done: number;
  total: number;
}

/** Where transfers report. */
export interface TransferView {
  /** Bytes moved so far (at most ten times a second, and once at the start and the end). */
  progress(progress: TransferProgress): void;
  /** The transfer ended (`progress` is not called for it again). */
  ended(progress: TransferProgress): void;
  /** A sentence for the user: the file was sent or saved. */
  info(text: string): void;
  /** A sentence for the user: it failed, and what to do. */
  error(text: string): void;
}

/** Settings of {@linkcode FileTransfers}. */
export interface FileTransfersOptions {
  connection: TransferConnection;
  view: TransferView;
  /** Where `/save` puts files without a DIR (the platform's Downloads folder). */
  downloads: () => string;
  /** Make links clickable (OSC 8) in the renderer: a terminal that shows them. */
  hyperlinks?: boolean;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

const PROGRESS_EVERY_MS = 100;

/** `/send` and `/save`, and the numbers and links of the files shown. */
export class FileTransfers implements FileLinks {
  readonly #options: FileTransfersOptions;
  readonly #now: () => number;
  /** The files shown, by link: their number for `/save N`. */
  readonly #numbers = new Map<string, number>();
  readonly #files: FileRecord[] = [];
  readonly #running = new Set<Promise<boolean>>();
  /** Transfers that failed so far (plain mode's exit code). */
  failures = 0;

  /** Transfers over `options.connection`, reported to `options.view`. */
  constructor(options: FileTransfersOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The number `/save` takes for a file record (given when first seen). */
  number(record: FileRecord): number {
    let number = this.#numbers.get(record.url);
    if (number === undefined) {
      this.#files.push(record);
      this.#numbers.set(record.url, number = this.#files.length);
    }
    return number;
  }

  href(record: FileRecord): string | undefined {
    return this.#options.hyperlinks ? this.#options.connection.webBase + record.url : undefined;
  }

  /** The record's line with its `/save` number, for plain mode. */
  saveHint(record: FileRecord): string {
    return record.expired ? "" : ` (/save ${this.number(record)})`;
  }

  /** Resolves once no transfer is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** `/send PATH [NAME]`: shares a file in `target.room` (else the current room), or privately with NAME (else `target.to`). */
  send(args: string, target: { room?: string; to?: string } = {}): Promise<boolean> {
    return this.#track(this.#send(args, target));
  }

  /** `/save N [DIR]`: downloads the N-th file shown. */
  save(args: string): Promise<boolean> {
    return this.#track(this.#save(args));
  }

  #track(transfer: Promise<boolean>): Promise<boolean> {
    const tracked = transfer.then((ok) => {
      if (!ok) this.failures++;
      return ok;
    });
    this.#running.add(tracked);
    tracked.finally(() => this.#running.delete(tracked));
    return tracked;
  }

  async #send(args: string, target: { room?: string; to?: string }): Promise<boolean> {
    const { view, connection } = this.#options;
    const parsed = await parseSendArgs(args);
    if ("error" in parsed) return fail(view, parsed.error);
    const { path } = parsed;
    const to = parsed.to ?? target.to;
    const room = target.room;
    let file: Deno.FsFile;
    let size: number;
    try {
      file = await Deno.open(path, { read: true });
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        return fail(view, `${path} is not a file. /send takes the path of one file.`);
      }
      size = info.size;
    } catch (error) {
      return fail(view, `Can't read ${path}: ${describe(error)}.`);
    }
    const name = safeFileName(basename(path));
    let slot: UploadSlotFrame;
    try {
      slot = await connection.requestUpload({
        name,
        size,
        ...(to ? { to } : room ? { room } : {}),
      });
    } catch (error) {
      file.close();
      return fail(view, (error as Error).message);
    }
    const progress: TransferProgress = { direction: "up", name, done: 0, total: size };
    try {
      const client = await connection.httpClient();
      const body = file.readable.pipeThrough(this.#counter(progress));
      const response = await fetch(connection.webBase + slot.url, {
        method: "PUT",
        body,
        headers: { "content-type": "application/octet-stream" },
        ...(client ? { client } : {}),
      });
      const answer = await response.json().catch(() => ({}));
      view.ended(progress);
      if (response.status !== 201) {
        return fail(
          view,
          answer.message ?? `The server refused the file (HTTP ${response.status}).`,
        );
      }
      view.info(`Sent ${name} (${formatSize(size)})${to ? ` to ${to}` : ""}.`);
      return true;
    } catch (error) {
      view.ended(progress);
      closeQuietly(file);
      return fail(view, `Sending ${name} failed: ${describe(error)}. Try again.`);
    }
  }

  async #save(args: string): Promise<boolean> {
    const { view, connection } = this.#options;
    const [first, ...rest] = args.trim().split(/\s+/);
    const number = Number(first);
    const record = Number.isInteger(number) ? this.#files[number - 1] : undefined;
    if (!record) {
      return fail(
        view,
        this.#files.length === 0
          ? "No file was shared here yet."
          : `Usage: /save N [DIR], N from 1 to ${this.#files.length} (the number after the file).`,
      );
    }
    if (record.expired) return fail(view, `${record.name} expired: ask for it again.`);
    let dir: string | undefined;
    try {
      // Typed in the chat, not a shell: `~/photos` is expanded here.
      dir = rest.length > 0 ? expandHome(rest.join(" ")) : this.#options.downloads();
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      return fail(
        view,
        `Can't use the folder${dir === undefined ? "" : ` ${dir}`}: ${describe(error)}. ` +
          "Name another one: /save N DIR.",
      );
    }
    let response: Response;
    try {
      const client = await connection.httpClient();
      response = await fetch(connection.webBase + record.url, client ? { client } : {});
    } catch (error) {
      return fail(view, `Downloading ${record.name} failed: ${describe(error)}.`);
    }
    if (!response.ok || !response.body) {
      const answer = await response.json().catch(() => ({}));
      return fail(view, answer.message ?? `The server refused (HTTP ${response.status}).`);
    }
    let file: Deno.FsFile;
    let path: string;
    try {
      ({ file, path } = await createFree(dir, safeFileName(record.name)));
    } catch (error) {
      await response.body.cancel();
      return fail(view, `Can't create the file in ${dir}: ${describe(error)}.`);
    }
    const progress: TransferProgress = {
      direction: "down",
      name: basename(path),
      done: 0,
      total: record.size,
    };
    try {
      await response.body.pipeThrough(this.#counter(progress)).pipeTo(file.writable);
    } catch (error) {
      view.ended(progress);
      await Deno.remove(path).catch(() => {});
      return fail(view, `Downloading ${record.name} failed: ${describe(error)}. Try again.`);
    }
    view.ended(progress);
    if (progress.done !== record.size) {
      await Deno.remove(path).catch(() => {});
      return fail(view, `The download of ${record.name} was cut off; try again.`);
    }
    view.info(`Saved ${record.name} as ${path}.`);
    return true;
  }

  /**
   * A pass-through stream that counts bytes into `progress` and reports them
   * at most every {@linkcode PROGRESS_EVERY_MS}; the latest count always
   * shows, also when the bytes stop (a stalled network) just after a report.
   */
  #counter(progress: TransferProgress): TransformStream<Uint8Array, Uint8Array> {
    const { view } = this.#options;
    let shownAt = -Infinity;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const show = () => {
      clearTimeout(pending);
      pending = undefined;
      shownAt = this.#now();
      view.progress({ ...progress });
    };
    show();
    return new TransformStream({
      transform: (chunk, controller) => {
        progress.done += chunk.length;
        const wait = shownAt + PROGRESS_EVERY_MS - this.#now();
        if (wait <= 0 || progress.done === progress.total) show();
        else pending ??= setTimeout(show, wait);
        controller.enqueue(chunk);
      },
      flush: () => clearTimeout(pending),
    });
  }
}

/**
 * `PATH`, `PATH NAME` (to NAME privately), or a quoted path with spaces
 * (`"my file.pdf" bob`). A path that exists whole wins over a split.
 */
export async function parseSendArgs(
  args: string,
): Promise<{ path: string; to?: string } | { error: string }> {
  const text = args.trim();
  if (text === "") return { error: "Usage: /send PATH [NAME] — shares a file (with NAME alone)." };
  const quoted = text.match(/^(["'])(.+?)\1(?:\s+(\S+))?$/);
  if (quoted) return { path: expandHome(quoted[2]), ...(quoted[3] ? { to: quoted[3] } : {}) };
  if (await exists(expandHome(text))) return { path: expandHome(text) };
  const split = text.match(/^(.+)\s+(\S+)$/);
  if (split && await exists(expandHome(split[1]))) {
    return { path: expandHome(split[1]), to: split[2] };
  }
  return { error: `There is no file ${text}. Check the path (Tab completes it).` };
}

/**
 * Tab after `/send `: the entries of the folder typed so far that start with
 * what follows its last `/` — folders with a `/` to go on, files with a space.
 */
export function completePath(word: string): string[] {
  const slash = word.lastIndexOf("/");
  const folder = slash < 0 ? "" : word.slice(0, slash + 1);
  const stem = word.slice(slash + 1);
  const matches: string[] = [];
  try {
    for (const entry of Deno.readDirSync(expandHome(folder || "."))) {
      if (!entry.name.startsWith(stem)) continue;
      if (entry.name.startsWith(".") && !stem.startsWith(".")) continue;
      matches.push(folder + entry.name + (entry.isDirectory ? "/" : " "));
    }
  } catch {
    // Not a folder (yet): nothing to offer.
  }
  return matches.sort();
}

/**
 * Tab after `/send `, for the line editor, whose word is only what follows
 * the last space: the path typed so far is the whole argument (`My
 * Pictures/ho`), and the completions are given back for the word alone.
 */
export function completeSendPath(before: string, word: string): string[] {
  const typed = before.slice(before.indexOf(" ") + 1);
  return completePath(typed + word).map((match) => match.slice(typed.length));
}

/** A bar for a transfer: `↑ report.pdf ▕██████░░░░▏ 60% 1.2 MB/2.0 MB`. */
export function progressLine(progress: TransferProgress, barCells = 12): string {
  const fraction = progress.total === 0 ? 1 : Math.min(1, progress.done / progress.total);
  const full = Math.round(fraction * barCells);
  const arrow = progress.direction === "up" ? "↑" : "↓";
  return `${arrow} ${progress.name} ▕${"█".repeat(full)}${"░".repeat(barCells - full)}▏ ` +
    `${Math.floor(fraction * 100)}% ${formatSize(progress.done)}/${formatSize(progress.total)}`;
}

/** Opens a new file in `dir` under `name` or the first free `name (N).ext`, never replacing one. */
async function createFree(dir: string, name: string): Promise<{ file: Deno.FsFile; path: string }> {
  for (let tries = 0;; tries++) {
    const free = freeFileName(name, (candidate) => existsSync(join(dir, candidate)));
    const path = join(dir, free);
    try {
      // createNew: if another program took the name meanwhile, pick again instead of replacing it.
      return { file: await Deno.open(path, { createNew: true, write: true }), path };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists) || tries > 100) throw error;
    }
  }
}

function expandHome(path: string): string {
  if (!path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  return home ? join(home, path.slice(2)) : path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or folder";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (/NotValidForName|certificate/i.test(String((error as Error)?.message))) {
    return "the room's certificate does not name the address you joined (join with one it names)";
  }
  return (error as Error).message?.replace(/\.$/, "") ?? String(error);
}

/** Closes a file whose stream may already have closed it. */
function closeQuietly(file: Deno.FsFile): void {
  try {
    file.close();
  } catch {
    // Closed with its stream.
  }
}

function fail(view: TransferView, text: string): false {
  view.error(text);
  return false;
}

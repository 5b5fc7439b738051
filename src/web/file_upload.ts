/**
 * Sending files from the page (docs/PROTOCOL.md, "Files"): for each file the
 * page asks the server for an upload slot over the chat connection (`upload`
 * with a `ref`), then sends the bytes with an HTTP `PUT` to the slot's
 * address. Each upload shows a row with the file's name, a progress bar and
 * a Cancel button; a refusal (too large, too many uploads, files off, a
 * broken connection) replaces the bar with the server's sentence, until the
 * person dismisses it. The file's record arrives over the chat connection
 * like any other record once the server has stored it.
 *
 * @module
 */

import type { ErrorFrame, UploadFrame, UploadSlotFrame } from "../protocol/frames.ts";
import { formatSize } from "../text/file_size.ts";

/** Where a file goes: a room, or privately to a member (`to`). */
export interface UploadTarget {
  room?: string;
  to?: string;
}

/** What the uploader needs from the page. */
export interface UploaderOptions {
  /** The list the upload rows go in. */
  list: HTMLElement;
  /** Sends a frame over the chat connection; false when it is not connected. */
  send(frame: UploadFrame): boolean;
  /** The conversation on screen, where a file sent now goes. */
  target(): UploadTarget;
  /** Where focus goes when a row with focus in it goes away. */
  refocus(): void;
}

/** One file on its way: its row and, once the bytes are going, its request. */
interface Upload {
  file: File;
  row: HTMLElement;
  bar: HTMLProgressElement;
  state: HTMLElement;
  button: HTMLButtonElement;
  request?: XMLHttpRequest;
  /** Cancelled, failed or done: nothing more happens to it. */
  over: boolean;
}

/** Sends files and shows their progress; feed it the server's answers to `upload`. */
export class Uploader {
  readonly #options: UploaderOptions;
  readonly #waiting = new Map<string, Upload>();
  #count = 0;

  constructor(options: UploaderOptions) {
    this.#options = options;
  }

  /** Starts sending `files`, each with its own row. */
  send(files: Iterable<File>): void {
    for (const file of files) this.#start(file);
  }

  /** Takes an `upload_slot` answer; true when it was for one of this page's uploads. */
  slot(frame: UploadSlotFrame): boolean {
    const upload = frame.ref === undefined ? undefined : this.#waiting.get(frame.ref);
    if (!upload) return false;
    this.#waiting.delete(frame.ref!);
    if (!upload.over) this.#put(upload, frame.url);
    return true;
  }

  /** Takes an `error` frame; true when it refused one of this page's uploads (it is shown on its row). */
  refused(frame: ErrorFrame): boolean {
    const upload = frame.ref === undefined ? undefined : this.#waiting.get(frame.ref);
    if (!upload) return false;
    this.#waiting.delete(frame.ref!);
    this.#fail(upload, frame.message);
    return true;
  }

  /** The chat connection dropped: uploads still waiting for their slot will never get it. */
  connectionLost(): void {
    for (const upload of this.#waiting.values()) {
      this.#fail(
        upload,
        `The connection dropped before ${upload.file.name} was sent; send it again once the page is back.`,
      );
    }
    this.#waiting.clear();
  }

  #start(file: File): void {
    const upload = this.#row(file);
    const ref = `web-${++this.#count}`;
    const frame: UploadFrame = { type: "upload", name: file.name, size: file.size, ref };
    const target = this.#options.target();
    if (target.to !== undefined) frame.to = target.to;
    else if (target.room !== undefined) frame.room = target.room;
    if (!this.#options.send(frame)) {
      return this.#fail(
        upload,
        `Not connected right now, so ${file.name} was not sent; send it again soon.`,
      );
    }
    this.#waiting.set(ref, upload);
  }

  /** Sends the bytes to the slot's address, showing progress. */
  #put(upload: Upload, url: string): void {
    const request = new XMLHttpRequest();
    upload.request = request;
    upload.state.textContent = "0%";
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable || upload.over) return;
      upload.bar.max = event.total;
      upload.bar.value = event.loaded;
      upload.state.textContent = `${Math.floor((100 * event.loaded) / Math.max(1, event.total))}%`;
    });
    request.addEventListener("load", () => {
      if (upload.over) return;
      if (request.status >= 200 && request.status < 300) return this.#remove(upload);
      this.#fail(
        upload,
        answerMessage(request) ??
          `The server refused ${upload.file.name} (HTTP ${request.status}); send it again.`,
      );
    });
    request.addEventListener("error", () => {
      this.#fail(upload, `The connection broke while sending ${upload.file.name}; send it again.`);
    });
    request.open("PUT", url);
    request.send(upload.file);
  }

  /** The row of a new upload: name and size, a progress bar, its state, a Cancel button. */
  #row(file: File): Upload {
    const row = document.createElement("li");
    row.className = "upload";
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = `${file.name} (${formatSize(file.size)})`;
    const bar = document.createElement("progress");
    bar.max = Math.max(1, file.size);
    bar.value = 0;
    bar.setAttribute("aria-label", `Sending ${file.name}`);
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = "Starting…";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "upload-cancel";
    button.textContent = "Cancel";
    button.setAttribute("aria-label", `Cancel sending ${file.name}`);
    row.append(name, bar, state, button);
    this.#options.list.append(row);
    this.#options.list.hidden = false;
    const upload: Upload = { file, row, bar, state, button, over: false };
    button.addEventListener("click", () => {
      upload.request?.abort();
      this.#remove(upload);
    });
    return upload;
  }

  /** Shows why `upload` failed, in place of its progress, until dismissed. */
  #fail(upload: Upload, message: string): void {
    if (upload.over) return;
    upload.over = true;
    upload.request?.abort();
    upload.row.classList.add("failed");
    upload.bar.remove();
    upload.state.textContent = message;
    upload.state.setAttribute("role", "alert");
    upload.button.textContent = "Dismiss";
    upload.button.setAttribute("aria-label", `Dismiss the message about ${upload.file.name}`);
  }

  #remove(upload: Upload): void {
    upload.over = true;
    const hadFocus = upload.row.contains(document.activeElement);
    upload.row.remove();
    const list = this.#options.list;
    if (list.childElementCount === 0) list.hidden = true;
    if (hadFocus) this.#options.refocus();
  }
}

/** The sentence of an upload's error answer (JSON `{"code","message"}`), if it has one. */
function answerMessage(request: XMLHttpRequest): string | undefined {
  try {
    const answer = JSON.parse(request.responseText);
    return typeof answer?.message === "string" ? answer.message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How the page shows a shared file (a `file` record): a raster image the
 * server serves inline (PNG, JPEG, GIF, WebP — its `mime` says so, detected
 * from the bytes) as a small lazy thumbnail that opens full size in a new
 * tab; anything else as a card with the name, size, kind and a download
 * button; a file deleted to make room as "expired". The name is always put
 * in as text, never as HTML, and cleaned again here (no bidi tricks, no
 * control characters) whatever the server sent.
 *
 * @module
 */

import type { FileRecord } from "../protocol/frames.ts";
import { INLINE_TYPES } from "../server/files/file_kind.ts";
import { formatSize } from "../text/file_size.ts";
import { safeFileName } from "../text/file_names.ts";

/** Where file links live on the chat port; any other `url` is not made a link. */
const DOWNLOAD_PREFIX = "/f/";

/** Creates an element with a class and, optionally, text (as text). */
function part<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * What kind of file a name is, for people: "PDF file", "ZIP file", or "File"
 * without an extension. Only a label — the server never trusts the name.
 */
export function fileKindLabel(name: string): string {
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot + 1) : "";
  return /^[\p{L}\p{N}]{1,8}$/u.test(extension) ? `${extension.toUpperCase()} file` : "File";
}

/** True when `record` is shown as a picture: an inline-safe raster image still kept. */
export function showsAsImage(record: FileRecord): boolean {
  return record.expired !== true && INLINE_TYPES.has(record.mime) && safeLink(record) !== undefined;
}

/** The record's link when it is a server-relative file address, else undefined. */
function safeLink(record: FileRecord): string | undefined {
  return record.url.startsWith(DOWNLOAD_PREFIX) ? record.url : undefined;
}

/**
 * The picture or card for `record`: a thumbnail linking to the full image,
 * a card with a download link, or an "expired" card.
 */
export function fileView(record: FileRecord): HTMLElement {
  const name = safeFileName(record.name);
  const size = formatSize(record.size);
  const link = safeLink(record);
  if (showsAsImage(record) && link) {
    const figure = part("figure", "file-image");
    const open = part("a", "file-thumb");
    open.href = link;
    open.target = "_blank";
    open.rel = "noopener noreferrer";
    open.title = `Open ${name} full size`;
    const image = part("img", "");
    image.src = link;
    image.alt = name;
    image.loading = "lazy";
    image.decoding = "async";
    open.append(image);
    const caption = part("figcaption", "file-caption");
    caption.append(part("span", "file-name", name), part("span", "file-size", ` · ${size}`));
    figure.append(open, caption);
    return figure;
  }
  const card = part("div", record.expired === true ? "file-card expired" : "file-card");
  const details = part("div", "file-details");
  details.append(
    part("span", "file-name", name),
    part("span", "file-meta", `${size} · ${fileKindLabel(name)}`),
  );
  card.append(part("span", "file-icon"), details);
  if (record.expired === true || !link) {
    card.append(part("span", "file-expired", "expired"));
  } else {
    const download = part("a", "file-download", "Download");
    download.href = link;
    download.download = name;
    download.rel = "noopener noreferrer";
    download.setAttribute("aria-label", `Download ${name} (${size})`);
    card.append(download);
  }
  return card;
}

/**
 * Keeps `scroller` at its end when a picture in it finishes loading and makes
 * the conversation taller, if the reader was at the end (`nearEnd`)
 * — as for any new message. A reader scrolled up stays where they are.
 */
export function stayAtEndWhilePicturesLoad(
  scroller: HTMLElement,
  nearEnd: (scroller: HTMLElement) => boolean,
): void {
  let atEnd = true;
  scroller.addEventListener("scroll", () => {
    atEnd = nearEnd(scroller);
  }, { passive: true });
  // `load` does not bubble: caught on its way down.
  scroller.addEventListener("load", (event) => {
    if (atEnd && event.target instanceof HTMLImageElement) {
      scroller.scrollTop = scroller.scrollHeight;
    }
  }, true);
}

/**
 * File names from other people, made safe to show and to save: no path
 * separators or `..` (a name is never a path), no control characters, no
 * bidirectional overrides or invisible characters (`photo\u202Egpj.exe`
 * would read as `photoexe.jpg`), none of Windows' forbidden characters or
 * reserved device names (`CON`, `NUL.txt`, `COM1`), no leading dot (hidden
 * files) and no trailing dot or space, at most {@linkcode MAX_FILE_NAME_BYTES}
 * bytes with the extension kept. Used by the server on what it is sent and by
 * clients on what they save.
 *
 * @example
 * ```ts
 * safeFileName("../../etc/passwd"); // "etc_passwd"
 * safeFileName("CON.txt"); // "_CON.txt"
 * ```
 *
 * @module
 */

/** Longest name kept, in UTF-8 bytes (most file systems allow 255). */
export const MAX_FILE_NAME_BYTES = 200;
/** What a name that is nothing once cleaned becomes. */
export const FALLBACK_FILE_NAME = "file";

// C0 and C1 controls, DEL; bidi marks, embeddings, overrides and isolates; zero-width characters.
const INVISIBLE =
  // deno-lint-ignore no-control-regex -- control characters are what it removes
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const SEPARATORS = /[\/\\]+/g;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
const utf8 = new TextEncoder();

/** `name` cleaned for display and saving; never empty, never a path. */
export function safeFileName(name: string): string {
  let clean = name.normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(SEPARATORS, "_")
    .replace(WINDOWS_FORBIDDEN, "_")
    .replace(/\s+/g, " ")
    .replace(/^[\s._]+/, "") // no hidden files, no "..", no leading separator's "_"
    .replace(/[\s.]+$/, ""); // Windows drops trailing dots and spaces
  if (WINDOWS_RESERVED.test(clean)) clean = `_${clean}`;
  clean = shorten(clean);
  return clean === "" ? FALLBACK_FILE_NAME : clean;
}

/** Cuts the stem so the whole name fits {@linkcode MAX_FILE_NAME_BYTES}, keeping a short extension. */
function shorten(name: string): string {
  if (utf8.encode(name).length <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  const chars = [...name.slice(0, name.length - extension.length)];
  while (chars.length > 0 && utf8.encode(chars.join("") + extension).length > MAX_FILE_NAME_BYTES) {
    chars.pop();
  }
  return chars.join("").replace(/[\s.]+$/, "") + extension;
}

/**
 * The name to save under in a folder where `taken` says which names exist:
 * `name`, else `name (1).ext`, `name (2).ext`, … — never an existing file.
 */
export function freeFileName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : "";
  for (let n = 1;; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (!taken(candidate)) return candidate;
  }
}

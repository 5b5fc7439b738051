/**
 * What a file is, from its first bytes (never from its name): the four
 * raster image formats every browser shows safely, or nothing. Only these
 * are served inline; everything else downloads (file_routes.ts).
 *
 * @module
 */

/** The types served inline: what {@linkcode imageType} can answer. */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
]);

/** Bytes {@linkcode imageType} needs to see. */
export const SNIFF_BYTES = 12;

/** The image type of a file starting with `head`, or undefined when it is not a PNG, JPEG, GIF or WebP. */
export function imageType(head: Uint8Array): string | undefined {
  const starts = (bytes: number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
  const ascii = (text: string, at = 0) => starts([...text].map((c) => c.charCodeAt(0)), at);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii("GIF87a") || ascii("GIF89a")) return "image/gif";
  if (ascii("RIFF") && ascii("WEBP", 8)) return "image/webp";
  return undefined;
}

/** The type a file is stored and served with: its image type, else `application/octet-stream`. */
export function fileType(head: Uint8Array): string {
  return imageType(head) ?? "application/octet-stream";
}

/**
 * `SHA256SUMS`: one line per binary, in the format `sha256sum -c` and
 * `shasum -a 256 -c` check.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";

/** The name of the checksum file written beside the binaries. */
export const CHECKSUM_FILE = "SHA256SUMS";

/** The SHA-256 of a file, as lowercase hex; reads it in chunks, so size does not matter. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk); // closes the file at the end
  return hash.digest("hex");
}

/**
 * Writes `SHA256SUMS` in `dir` for the files `names` (sorted, two spaces
 * between hash and name) and returns its text.
 */
export async function writeChecksums(dir: string, names: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const name of [...names].sort()) {
    lines.push(`${await sha256File(join(dir, name))}  ${name}`);
  }
  const text = lines.map((line) => line + "\n").join("");
  await Deno.writeTextFile(join(dir, CHECKSUM_FILE), text);
  return text;
}

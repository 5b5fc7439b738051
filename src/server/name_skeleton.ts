/**
 * What a name looks like, after Unicode UTS #39 (confusables data from the
 * `unhomoglyph` package), and the refusal of names that look like a reserved
 * word. Server-side only: the table is about 100 KB, which clients do not need
 * since the server decides.
 *
 * @example
 * ```ts
 * nameSkeleton("aIice") === nameSkeleton("alice"); // true
 * reservedLookAlike("ѕеrvеr"); // { code: "name_reserved", message: "…" } (Cyrillic ѕ and е)
 * ```
 *
 * @module
 */

import unhomoglyph from "unhomoglyph";
import type { Refusal } from "../protocol/errors.ts";
import { nameKey, RESERVED_NAMES } from "../protocol/names.ts";

/**
 * What a name looks like: names with equal skeletons look alike, such as
 * `aIice` and `alice`, or `ѕеrvеr` in Cyrillic and `server`. The skeleton is
 * taken once more after case folding, so that case does not hide a look-alike
 * (`ЅЕRVЕR`). Not meant to be shown to anyone.
 */
export function nameSkeleton(name: string): string {
  return skeleton(nameKey(skeleton(name)));
}

/** UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again. */
function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD")).normalize("NFD");
}

/** Reserved words by their skeletons, so that look-alikes of them are reserved too. */
const RESERVED_SKELETONS: ReadonlyMap<string, string> = new Map(
  [...RESERVED_NAMES].map((word) => [nameSkeleton(word), word]),
);

/** Refuses a (valid) name that looks like a reserved word without being one. */
export function reservedLookAlike(name: string): Refusal | undefined {
  const reserved = RESERVED_SKELETONS.get(nameSkeleton(name));
  if (reserved === undefined) return undefined;
  return {
    code: "name_reserved",
    message: `"${name}" looks too much like "${reserved}", which is reserved. Pick another name.`,
  };
}

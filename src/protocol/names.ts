/**
 * What makes a valid member name, shared by the server (which decides) and the
 * client (which checks before asking). A name is 1–24 characters with no
 * whitespace, control or invisible characters, is written in one script (plus
 * digits and punctuation; Japanese, Chinese and Korean may mix theirs with Latin),
 * does not start with `/` or `@`, and is not a reserved word. Names are
 * compared by {@linkcode nameKey} (NFKC and case folding). Look-alikes (of
 * reserved words, members and claimed names) are the server's business:
 * src/server/name_skeleton.ts, which carries the Unicode confusables table that
 * clients (the browser page above all) need not load.
 *
 * @example
 * ```ts
 * checkName("alice");  // { name: "alice" }
 * checkName("server"); // { code: "name_reserved", message: "…" }
 * ```
 *
 * @module
 */

import type { Refusal } from "./errors.ts";
import { MAX_NAME_CHARS } from "./limits.ts";

/** Words nobody may take, because they would let someone pose as the system. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "admin",
  "administrator",
  "all",
  "anonymous",
  "chat",
  "everyone",
  "here",
  "me",
  "mod",
  "moderator",
  "nobody",
  "op",
  "operator",
  "root",
  "server",
  "system",
  "you",
]);

// Controls, format characters (zero-width, bidi), surrogates, private use, unassigned,
// every kind of space, and everything Unicode says a renderer may draw as nothing
// (Default_Ignorable_Code_Point: variation selectors, tag characters, joiners, Hangul
// fillers, soft hyphen, …), plus the blank Braille pattern, which renders as a space.
const FORBIDDEN_CHARACTER =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u;

// Scripts a name may be written in (Unicode Script_Extensions values this runtime's
// regular expressions know), Latin first because most names are Latin.
const SCRIPTS = `
  Latin Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah
  Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian
  Caucasian_Albanian Chakma Cham Cherokee Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan
  Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic
  Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi
  Gurung_Khema Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic
  Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li
  Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao Lepcha Limbu Linear_A
  Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen
  Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs
  Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa
  Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal Old_Hungarian Old_Italic
  Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur
  Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi
  Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian
  Sora_Sompeng Soyombo Sundanese Sunuwar Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham
  Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Todhri Toto
  Tulu_Tigalari Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square
`.trim().split(/\s+/);

/** Script sets a whole name may be written in: "highly restrictive" in UTS #39 terms. */
const ALLOWED_SCRIPT_SETS: readonly RegExp[] = [
  ...SCRIPTS.map((script) => [script]),
  ["Latin", "Han", "Hiragana", "Katakana"], // Japanese
  ["Latin", "Han", "Bopomofo"], // Chinese
  ["Latin", "Han", "Hangul"], // Korean
].map((scripts) => {
  // Common (digits, punctuation, emoji) and Inherited (combining marks) go with any script.
  const classes = [...scripts, "Common", "Inherited"].map((script) => `\\p{scx=${script}}`);
  return new RegExp(`^[${classes.join("")}]*$`, "u");
});

/**
 * The key two names are compared by: equal keys mean the same name. NFKC (so
 * fullwidth `ａｌｉｃｅ` is `alice`) plus case folding (upper- then lower-case,
 * which also folds `ß` to `ss` and `ς` to `σ`).
 */
export function nameKey(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/**
 * Checks a requested name. Returns the name to use (NFKC-normalised, trimmed)
 * or a refusal saying what is wrong and what to do instead.
 */
export function checkName(requested: string): { name: string } | Refusal {
  const name = requested.trim().normalize("NFKC");
  const length = [...name].length;
  if (length === 0) {
    return { code: "name_invalid", message: "Your name can't be empty. Type a name to join." };
  }
  if (length > MAX_NAME_CHARS) {
    return {
      code: "name_invalid",
      message: `That name is ${length} characters long; the limit is ${MAX_NAME_CHARS}.`,
    };
  }
  if (FORBIDDEN_CHARACTER.test(requested.trim()) || FORBIDDEN_CHARACTER.test(name)) {
    return {
      code: "name_invalid",
      message:
        "Names can't contain spaces, control or invisible characters. Try letters, digits, - or _.",
    };
  }
  if (name.startsWith("/") || name.startsWith("@")) {
    return { code: "name_invalid", message: "Names can't start with / or @. Pick another." };
  }
  if (!ALLOWED_SCRIPT_SETS.some((allowed) => allowed.test(name))) {
    return {
      code: "name_invalid",
      message:
        `"${name}" mixes letters of different scripts (like Latin and Cyrillic), which makes look-alike names. Use one script.`,
    };
  }
  if (RESERVED_NAMES.has(nameKey(name))) {
    return { code: "name_reserved", message: `"${name}" is reserved. Pick another name.` };
  }
  return { name };
}

/**
 * Names that could pass for someone else's: invisible characters, compatibility
 * forms, mixed scripts and confusable look-alikes (Unicode UTS #39).
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { checkName, nameKey } from "../src/protocol/names.ts";
import { nameSkeleton, reservedLookAlike } from "../src/server/name_skeleton.ts";
import { BanList } from "../src/server/ban_list.ts";
import { lookAlikeRefusal } from "../src/server/look_alikes.ts";
import { MemoryClaims, newClaim } from "../src/server/name_claims.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { withTempDir } from "./support/temp_dir.ts";

/** How the server answers a name: the shared check, then the look-alikes of reserved words. */
function refusal(name: string): string {
  const checked = checkName(name);
  const result = "code" in checked ? checked : reservedLookAlike(checked.name);
  return result ? `${result.code}: ${result.message}` : "ok";
}

Deno.test("default-ignorable and invisible characters are refused, not cleaned", () => {
  const invisible = [
    "alice\ufe0f", // variation selector 16
    "alice\u{e0100}", // variation selector 17 (supplement)
    "al\u{e0041}ice", // tag character
    "ad\u200dmin", // zero-width joiner
    "ali\u00adce", // soft hyphen
    "ali\u034fce", // combining grapheme joiner
    "alice\u2060", // word joiner
    "\u115fbob", // Hangul choseong filler
    "bob\u2800", // blank Braille pattern
    "bob\u3000x", // ideographic space
  ];
  for (const name of invisible) {
    assertMatch(refusal(name), /^name_invalid: .*invisible/, JSON.stringify(name));
  }
});

Deno.test("names are compared in NFKC with case folding", () => {
  assertEquals(checkName("ａｌｉｃｅ"), { name: "alice" }); // fullwidth becomes plain
  assertEquals(nameKey("ａｌｉｃｅ"), nameKey("Alice"));
  assertEquals(nameKey("STRASSE"), nameKey("Straße"));
  assertEquals(nameKey("ΣΟΦΟΣ"), nameKey("σοφος")); // final sigma folds like sigma
  assertEquals(nameKey("ﬁona"), nameKey("fiona")); // ligature
  assertEquals(nameKey("Zo\u00eb"), nameKey("Zoe\u0308"));
  assert(nameKey("alice") !== nameKey("aIice"));
});

Deno.test("look-alike names have equal skeletons; different names do not", () => {
  assertEquals(nameSkeleton("aIice"), nameSkeleton("alice"));
  assertEquals(nameSkeleton("ѕеrvеr"), nameSkeleton("server")); // Cyrillic ѕ and е
  assertEquals(nameSkeleton("ЅЕRVЕR"), nameSkeleton("server"));
  assertEquals(nameSkeleton("раураl"), nameSkeleton("paypal"));
  assertEquals(nameSkeleton("bob1"), nameSkeleton("bobl"));
  assert(nameSkeleton("alice") !== nameSkeleton("alicia"));
  assert(nameSkeleton("bob") !== nameSkeleton("rob"));
});

Deno.test("mixed-script names are refused; one script plus Common is fine, and CJK mixes", () => {
  for (const name of ["ѕеrvеr", "pаypal", "Ελλqνικά", "Ꭺdmin"]) {
    assertMatch(refusal(name), /^name_invalid: .*mixes letters of different scripts/, name);
  }
  for (
    const name of [
      "Ελληνικά",
      "Иван_2",
      "東京タワーtokyo",
      "한국어kim",
      "注音ㄅㄆ",
      "🙂bob",
      "müller",
    ]
  ) {
    assertEquals(refusal(name), "ok", name);
  }
});

Deno.test("look-alikes of reserved words are reserved", () => {
  assertEquals(
    refusal("ΟΡ"), // Greek capitals omicron and rho
    'name_reserved: "ΟΡ" looks too much like "op", which is reserved. Pick another name.',
  );
  assertMatch(refusal("ｓｅｒｖｅｒ"), /^name_reserved/);
  assertMatch(refusal("adrnin"), /^name_reserved: .*looks too much like "admin"/);
});

Deno.test("the look-alike check finds present and claimed names through the index", () => {
  const claims = new MemoryClaims();
  const now = 1_000_000;
  const alice = newClaim("alice", now, true);
  claims.save(alice);
  claims.save(newClaim("bob", now - 8 * 24 * 3600_000, true)); // expired claim
  const here = new Set(["alice"]);
  const context = {
    presentName: (name: string) => here.has(nameKey(name)) ? nameKey(name) : undefined,
    claims,
    now,
  };
  assertEquals(lookAlikeRefusal("aIice", context), {
    code: "name_taken",
    message: '"aIice" looks too much like "alice", who is here. Pick another name.',
  });
  here.clear();
  assertEquals(lookAlikeRefusal("aIice", context), {
    code: "name_taken",
    message: '"aIice" looks too much like "alice", a name used here recently. Pick another name.',
  });
  assertEquals(
    lookAlikeRefusal("alice", context),
    undefined,
    "the name itself is not a look-alike",
  );
  assertEquals(lookAlikeRefusal("aIice", { ...context, own: alice }), undefined, "own claim");
  assertEquals(lookAlikeRefusal("b0b", context), undefined, "expired claims do not count");
  assertEquals(lookAlikeRefusal("carol", context), undefined);
});

Deno.test("a database's claims are indexed by skeleton when it opens", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "history.db");
    const first = openSqliteStore(path, { historyLimit: 100 });
    first.claims.save(newClaim("alice", Date.now(), true));
    first.close();
    const second = openSqliteStore(path, { historyLimit: 100 });
    try {
      assertEquals([...second.claims.keysLike(nameSkeleton("aIice"))], ["alice"]);
      second.claims.save(newClaim("bob", Date.now(), true));
      assertEquals([...second.claims.keysLike(nameSkeleton("b0b"))], ["bob"]);
    } finally {
      second.close();
    }
  });
});

Deno.test("names saved under the older key (NFC, lower case) are re-keyed when the file opens", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "history.db");
    openSqliteStore(path, { historyLimit: 100 }).close();
    const db = new DatabaseSync(path);
    db.prepare(
      "INSERT INTO claims (holder, token_hash, name_key, name, seen_at) VALUES (?, ?, ?, ?, ?)",
    ).run("h1", "t1-hash", "straße", "Straße", Date.now());
    db.close();
    const store = openSqliteStore(path, { historyLimit: 100 });
    try {
      assertEquals(store.claims.latest(nameKey("STRASSE"))?.holder, "h1");
    } finally {
      store.close();
    }
  });
});

Deno.test("expired claims leave the skeleton index with the claims", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "history.db");
    const first = openSqliteStore(path, { historyLimit: 100 });
    first.claims.save(newClaim("alice", Date.now() - 8 * 24 * 3600_000, true));
    first.claims.save(newClaim("bob", Date.now(), true));
    first.close();
    const second = openSqliteStore(path, { historyLimit: 100 }); // expires claims as it opens
    try {
      assertEquals([...second.claims.keysLike(nameSkeleton("aIice"))], []);
      assertEquals([...second.claims.keysLike(nameSkeleton("b0b"))], ["bob"]);
    } finally {
      second.close();
    }
  });
});

Deno.test("/unban finds a banned name by the same key as everywhere else", () => {
  const bans = new BanList();
  bans.add({ address: "192.0.2.7", name: "Straße" });
  assertEquals(bans.remove("ＳＴＲＡＳＳＥ")?.address, "192.0.2.7");
});

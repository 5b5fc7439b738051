/**
 * The full-screen client's preferences file, notification sequences and
 * the folding of joins and leaves: pure parts and a real file.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { ServerPreferences } from "../src/client/preferences.ts";
import { DEFAULT_PREFERENCES } from "../src/client/preference_values.ts";
import { notificationKind, notificationSequence } from "../src/client/notification.ts";
import { foldPresence } from "../src/client/presence_fold.ts";
import { type Entry, renderEntry } from "../src/client/render.ts";
import { createTheme } from "../src/client/theme.ts";
import { type CommandContext, runInput } from "../src/client/commands.ts";

Deno.test("preferences are kept per server in one file, and survive another window's writes", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/config/preferences.json`;
    const here = new ServerPreferences(path, "a:1");
    assertEquals(here.current, DEFAULT_PREFERENCES);
    assert(here.update({ bell: false, ignored: ["Spammer"] }));
    const elsewhere = new ServerPreferences(path, "b:2");
    assertEquals(elsewhere.current, DEFAULT_PREFERENCES, "another server has its own");
    assert(elsewhere.update({ notify: "all" }));
    const again = new ServerPreferences(path, "a:1");
    assertEquals(again.current, { ...DEFAULT_PREFERENCES, bell: false, ignored: ["Spammer"] });
    assert(again.ignores("spammer"), "any capitalisation");
    assertEquals(new ServerPreferences(path, "b:2").current.notify, "all");

    // A damaged file counts as empty; bad fields get their defaults.
    await Deno.writeTextFile(path, "{not json");
    assertEquals(new ServerPreferences(path, "a:1").current, DEFAULT_PREFERENCES);
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        version: 1,
        servers: { "a:1": { notify: "loud", bell: "yes", ignored: [3, "x"] } },
      }),
    );
    assertEquals(new ServerPreferences(path, "a:1").current, {
      ...DEFAULT_PREFERENCES,
      ignored: ["x"],
    });
  });
});

Deno.test("the commands change the preferences and say so; without them (plain mode) they refuse", () => {
  const said: string[] = [];
  const context: CommandContext = {
    send: (text) => said.push(`send ${text}`),
    info: (text) => said.push(`info ${text}`),
    error: (text) => said.push(`error ${text}`),
    quit: () => {},
    clear: () => {},
    lastPrivateFrom: () => undefined,
    preferences: new ServerPreferences(undefined, "a:1"),
  };
  for (
    const line of [
      "/bell off",
      "/notify all",
      "/filter joins on",
      "/ignore bob",
      "/ignore",
      "/notify loud",
      "/away lunch",
      "/away",
    ]
  ) {
    runInput(line, context);
  }
  assertEquals(context.preferences!.current, {
    notify: "all",
    bell: false,
    hideJoins: true,
    ignored: ["bob"],
  });
  assertEquals(said, [
    "info The bell is off.",
    "info Desktop notifications for every message while the window is in the background.",
    "info Joins and leaves are hidden. /filter joins off shows them again.",
    "info Ignoring bob: their messages are not shown. /unignore bob undoes it.",
    "info Ignoring: bob.",
    "error Usage: /notify all|mentions|off",
    "send /away lunch",
    "send /away",
  ]);
  said.length = 0;
  runInput("/bell on", { ...context, preferences: undefined });
  assertEquals(said, ["error That works in the full-screen client only."]);
});

Deno.test("notifications use the sequence the terminal understands, short and on one line", () => {
  assertEquals(notificationKind("xterm-kitty"), "osc99");
  assertEquals(notificationKind("foot-extra"), "osc777");
  assertEquals(notificationKind("xterm-256color"), "osc9");
  assertEquals(notificationKind(undefined), "osc9");
  assertEquals(notificationSequence("osc9", "bob", "hi\nthere"), "\x1b]9;bob: hi there\x07");
  assertEquals(notificationSequence("osc777", "a;b", "x;y"), "\x1b]777;notify;a,b;x;y\x1b\\");
  assertEquals(notificationSequence("osc99", "bob", "hi"), "\x1b]99;;bob: hi\x1b\\");
  assertEquals(
    Array.from(notificationSequence("osc9", "b", "x".repeat(500))).length,
    4 + 3 + 200 + 1,
  );
});

const ts = 1_700_000_000_000;
let id = 0;
function presence(type: "join" | "leave", name: string, count: number): Entry {
  return { kind: "record", record: { type, id: ++id, ts, name, count } };
}

Deno.test("consecutive joins and leaves of others fold into one line; your own join, history and messages do not", () => {
  const plain = createTheme({ color: false, decorate: false });
  let last: Entry = presence("join", "bot1", 2);
  for (let i = 2; i <= 10; i++) {
    last = foldPresence(last, presence("join", `bot${i}`, i + 1), "me")!;
  }
  last = foldPresence(last, presence("leave", "carol", 10), "me")!;
  last = foldPresence(last, presence("leave", "bot3", 9), "me")!;
  const [line] = renderEntry(last, { width: 200, me: "me", theme: plain });
  assertEquals(
    line.replace(/^\S+ /, ""),
    "-- bot1, bot2 and 7 others joined; carol left; bot3 came and went (9 here)",
  );
  assertEquals(foldPresence(presence("join", "me", 2), presence("join", "bob", 3), "me"), null);
  assertEquals(foldPresence(presence("join", "bob", 2), presence("join", "me", 3), "me"), null);
  const replayed: Entry = { ...presence("join", "bob", 2), replayed: true } as Entry;
  assertEquals(foldPresence(replayed, presence("join", "eve", 3), "me"), null);
  const message: Entry = {
    kind: "record",
    record: { type: "message", id: ++id, ts, from: "bob", text: "hi" },
  };
  assertEquals(foldPresence(message, presence("join", "eve", 3), "me"), null);
  const two = foldPresence(presence("join", "ann", 2), presence("join", "bob", 3), "me")!;
  assertEquals(
    renderEntry(two, { width: 80, me: "me", theme: plain })[0].slice(6),
    "-- ann and bob joined (3 here)",
  );
});

Deno.test("a kick or a ban is never folded away into 'came and went'", () => {
  const plain = createTheme({ color: false, decorate: false });
  for (const kind of ["kicked", "banned"] as const) {
    const kick: Entry = {
      kind: "record",
      record: { type: "leave", id: ++id, ts, name: "eve", count: 1, kind, reason: "spamming" },
    };
    assertEquals(foldPresence(presence("join", "eve", 2), kick, "me"), null, kind);
    assertEquals(foldPresence(kick, presence("join", "bob", 2), "me"), null, kind);
    assertEquals(
      renderEntry(kick, { width: 80, me: "me", theme: plain })[0].slice(6),
      "-- eve left: spamming (1 here)",
    );
  }
  const lost: Entry = {
    kind: "record",
    record: { type: "leave", id: ++id, ts, name: "eve", count: 1, kind: "disconnected" },
  };
  assert(foldPresence(presence("join", "eve", 2), lost, "me"), "a lost connection still folds");
});

Deno.test("a member who comes and goes twice in a run is named once; back again, only as joined", () => {
  const plain = createTheme({ color: false, decorate: false });
  const line = (entry: Entry) =>
    renderEntry(entry, { width: 200, me: "me", theme: plain })[0].replace(/^\S+ /, "");
  let last: Entry = presence("join", "qa1", 2);
  last = foldPresence(last, presence("leave", "qa1", 1), "me")!;
  last = foldPresence(last, presence("join", "qa2", 2), "me")!;
  last = foldPresence(last, presence("leave", "qa2", 1), "me")!;
  last = foldPresence(last, presence("join", "QA1", 2), "me")!;
  assertEquals(line(last), "-- QA1 joined; qa2 came and went (2 here)");
  last = foldPresence(last, presence("leave", "QA1", 1), "me")!;
  assertEquals(line(last), "-- qa2 and QA1 came and went (1 here)");
});

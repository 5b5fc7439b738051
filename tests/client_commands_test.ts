/** The client's command registry: what each input line turns into. */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import {
  type CommandContext,
  commandWords,
  helpText,
  LOCAL_COMMANDS,
  replyTargetAfter,
  runInput,
} from "../src/client/commands.ts";

/** Runs one input line and records everything the command did. */
function run(line: string, lastPrivateFrom?: string): string[] {
  const did: string[] = [];
  const context: CommandContext = {
    send: (text) => did.push(`send ${text}`),
    info: (text) => did.push(`info ${text}`),
    error: (text) => did.push(`error ${text}`),
    quit: (reason) => did.push(reason === undefined ? "quit" : `quit ${reason}`),
    clear: () => did.push("clear"),
    lastPrivateFrom: () => lastPrivateFrom,
  };
  runInput(line, context);
  return did;
}

Deno.test("plain text and // lines are sent as chat; blank lines do nothing", () => {
  assertEquals(run("hello"), ["send hello"]);
  assertEquals(run("//not a command"), ["send //not a command"]);
  assertEquals(run("   "), []);
  assertEquals(run("two\nlines"), ["send two\nlines"]);
});

Deno.test("server commands are checked here, then passed on", () => {
  assertEquals(run("/who"), ["send /who"]);
  assertEquals(run("/NAMES"), ["send /who"]);
  assertEquals(run("/me waves"), ["send /me waves"]);
  assertEquals(run("/msg bob see you  later"), ["send /msg bob see you  later"]);
  assertEquals(run("/tell bob hi"), ["send /msg bob hi"]);
  assertEquals(run("/nick carol"), ["send /nick carol"]);
});

Deno.test("commands with missing or bad arguments get a local usage error", () => {
  assertEquals(run("/msg bob"), ["error Usage: /msg NAME TEXT"]);
  assertEquals(run("/me"), ["error Usage: /me ACTION"]);
  assertEquals(run("/nick a b"), ["error Usage: /nick NEWNAME"]);
  assertMatch(run("/nick server")[0], /^error .*reserved/);
});

Deno.test("/reply answers the last private sender, or explains there is none", () => {
  assertEquals(run("/reply sure", "bob"), ["send /msg bob sure"]);
  assertMatch(run("/reply sure")[0], /^error Nobody has sent you a private message/);
});

Deno.test("local commands: /help, /clear, /quit", () => {
  assertEquals(run("/clear"), ["clear"]);
  assertEquals(run("/quit"), ["quit"]);
  assertEquals(run("/exit"), ["quit"]);
  assertEquals(run("/quit  gone fishing "), ["quit gone fishing"]);
  assertEquals(run("/help"), [`info ${helpText(false)}`]);
});

Deno.test("unknown commands get a local error and are not sent", () => {
  assertEquals(run("/dance now"), ["error There is no /dance command. Type /help for the list."]);
});

Deno.test("/help is generated from the registry and lists every command", () => {
  const help = helpText();
  for (const command of LOCAL_COMMANDS) {
    assert(help.includes(`/${command.name}`), `/help misses /${command.name}`);
    assert(help.includes(command.summary), `/help misses the summary of /${command.name}`);
  }
  assertEquals(commandWords(), LOCAL_COMMANDS.map((c) => `/${c.name}`));
});

Deno.test("/help without the full screen (plain mode) lists only what works there", () => {
  const [help] = run("/help");
  for (const works of ["/who", "/me ACTION", "/msg NAME TEXT", "/reply", "/away", "/quit", "//"]) {
    assert(help.includes(works), `plain /help misses ${works}`);
  }
  for (const only of ["/notify", "/bell", "/ignore", "/unignore", "/filter", "/clear", "PageUp"]) {
    assert(!help.includes(only), `plain /help offers ${only}, which works in the full screen only`);
  }
  for (const line of ["/notify", "/ignore bob", "/filter joins on"]) {
    assertMatch(run(line)[0], /^error That works in the full-screen client only/);
  }
  assert(helpText().includes("PageUp") && helpText().includes("/notify"), "the full screen's");
});

Deno.test("/reply answers whoever wrote to you privately, never yourself", () => {
  const whisper = (from: string, to: string) =>
    ({ type: "private", id: 1, ts: 1, from, to, text: "psst" }) as const;
  assertEquals(replyTargetAfter(whisper("bob", "Alice"), "alice"), "bob");
  assertEquals(replyTargetAfter(whisper("alice", "alice"), "alice"), undefined, "a note to self");
  assertEquals(replyTargetAfter(whisper("alice", "bob"), "alice"), undefined, "your own whisper");
  assertEquals(
    replyTargetAfter({ type: "message", id: 2, ts: 2, from: "bob", text: "hi" }, "alice"),
    undefined,
  );
});

Deno.test("room and window commands go to the client's rooms when it has them, checked here first", () => {
  const did: string[] = [];
  const context: CommandContext = {
    send: (text) => did.push(`send ${text}`),
    info: (text) => did.push(`info ${text}`),
    error: (text) => did.push(`error ${text}`),
    quit: () => {},
    clear: () => {},
    lastPrivateFrom: () => undefined,
    rooms: {
      join: (room, key) => did.push(`join ${room} ${key ?? "-"}`),
      part: (room) => did.push(`part ${room ?? "-"}`),
      switchTo: (target) => did.push(`switch ${target}`),
      query: (name) => did.push(`query ${name}`),
      close: () => did.push("close"),
      list: () => did.push("list"),
    },
  };
  const lines = [
    "/join homework",
    "/join #Secret open-sesame",
    "/join #no spaces allowed",
    "/join #bad!name",
    "/part",
    "/part #homework",
    "/switch bob",
    "/switch",
    "/msg bob",
    "/msg bob hi",
    "/query @carol",
    "/close",
  ];
  for (const line of lines) runInput(line, context);
  assertEquals(did, [
    "join #homework -",
    "join #Secret open-sesame",
    "error Usage: /join #ROOM [KEY]",
    'error "#bad!name" is not a room name: use # and 1 to 32 letters, digits, - or _ (like #homework).',
    "part -",
    "part #homework",
    "switch bob",
    "list",
    "query bob",
    "send /msg bob hi",
    "query carol",
    "close",
  ]);
  // Without rooms (the browser page, say) they are the server's commands, as typed.
  assertEquals(run("/join #homework key"), ["send /join #homework key"]);
  assertEquals(run("/part"), ["send /part"]);
  assertMatch(run("/switch bob")[0], /^error /);
});

Deno.test("a room operator's commands are passed on: /invite, /kick, /key, /locktopic", () => {
  assertEquals(run("/invite bob"), ["send /invite bob"]);
  assertEquals(run("/kick bob too chatty"), ["send /kick bob too chatty"]);
  assertEquals(run("/key new-key"), ["send /key new-key"]);
  assertEquals(run("/key"), ["send /key"]);
  assertEquals(run("/locktopic on"), ["send /locktopic on"]);
  assertMatch(run("/invite")[0], /^error Usage: \/invite NAME/);
  assertMatch(run("/kick")[0], /^error Usage: \/kick NAME/);
  assertMatch(run("/locktopic maybe")[0], /^error Usage: \/locktopic on\|off/);
});

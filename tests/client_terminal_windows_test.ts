/**
 * End-to-end: the windows of the real `chat join` in real terminals (tmux)
 * against a real `chat serve` subprocess — one window per room and per
 * private conversation, switching with Alt-digit, Ctrl-N/Ctrl-P and
 * `/switch`, the activity list in the status bar, a scroll position per
 * window, Tab completion of room names, and the per-room catch-up notice
 * after a reconnect and after the server was killed (`kill -9`) and started
 * again. Without tmux these tests are registered as ignored.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { count, join, joinCommand, rowIndex, withRoom } from "./support/join_panes.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { tmuxAvailable, type TmuxPane } from "./support/tmux.ts";

const HAVE_TMUX = tmuxAvailable();
const SKIP_REASON = HAVE_TMUX ? "" : " (ignored: tmux is not installed)";

/** The status bar: the row above the input line. */
function status(rows: string[]): string {
  return rows.at(-2) ?? "";
}

/** Waits until the status bar matches `pattern`; returns the screen. */
function waitForStatus(pane: TmuxPane, pattern: RegExp): Promise<string[]> {
  return pane.waitFor((rows) => pattern.test(status(rows)));
}

/** Joins a structured member that can be in several rooms, and puts it in `rooms` too. */
async function multiRoomMember(port: number, name: string, rooms: string[]): Promise<LineClient> {
  const { client } = await LineClient.join(port, name, { multiRoom: true });
  for (const room of rooms) {
    await client.sendFrame({ type: "join", room });
    await client.nextFrame((f) => f.type === "joined" && f.room === room);
  }
  return client;
}

/** Says `text` in `room` and waits for it to come back (so the next line follows it). */
async function sayIn(client: LineClient, room: string, text: string): Promise<AnyFrame> {
  await client.sendFrame({ type: "send", text, room });
  return await client.nextFrame((f) => f.type === "message" && f.text === text);
}

/** Types a line and presses Enter. */
async function enter(pane: TmuxPane, line: string): Promise<void> {
  await pane.type(line);
  await pane.press("Enter");
}

Deno.test({
  name:
    `windows: /join with Tab, Alt-digit, Ctrl-N/Ctrl-P and /switch; the activity list counts unread messages and marks mentions; each window scrolls on its own${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 80, rows: 16 });
      await alice.waitFor("Welcome, alice!");
      const bob = await multiRoomMember(port, "bob", ["#homework", "#random"]);
      try {
        // /rooms lists the rooms; Tab then completes a room's name after /join.
        await enter(alice, "/rooms");
        await alice.waitFor("#random");
        await alice.type("/join #hom");
        await alice.press("Tab");
        await alice.waitFor((rows) => rows.at(-1) === "› /join #homework");
        await alice.press("Enter");
        await alice.waitFor("You are now in #homework.");
        await waitForStatus(alice, /^ alice @ \S+ #homework +2 here \| \/help$/);
        await enter(alice, "/join #random");
        await alice.waitFor("You are now in #random.");
        // What alice types goes to the room of the window shown.
        await enter(alice, "hello random");
        const heard = await bob.nextFrame((f) => f.type === "message" && f.from === "alice");
        assertEquals([heard.room, heard.text], ["#random", "hello random"]);

        // Alt-1: the first window, #general.
        await alice.press("M-1");
        await waitForStatus(alice, /^ alice @ \S+ #general +2 here \| \/help$/);
        // Messages in other rooms are counted in the status bar, not shown here.
        await sayIn(bob, "#homework", "hw one");
        await sayIn(bob, "#homework", "hw two");
        await waitForStatus(alice, / #homework 2 \| 2 here \| \/help$/);
        await sayIn(bob, "#random", "alice: are you there?");
        const listed = await waitForStatus(
          alice,
          / #homework 2 {2}#random 1! \| 2 here \| \/help$/,
        );
        assert(!listed.join("\n").includes("hw one"), listed.join("\n"));

        // Ctrl-N: the next window, with a "— new —" line above what arrived since it was left.
        await alice.press("C-n");
        const homework = await waitForStatus(alice, /^ alice @ \S+ #homework +#random 1! \|/);
        const marker = rowIndex(homework, /^ +— new —$/);
        assertMatch(homework[marker + 1], /bob: hw one$/);
        assertMatch(homework[marker + 2], /bob: hw two$/);
        await alice.press("C-n");
        await waitForStatus(alice, /^ alice @ \S+ #random +2 here \| \/help$/);
        await alice.waitFor("bob: alice: are you there?");
        await alice.press("C-n"); // after the last, the first again
        await waitForStatus(alice, /^ alice @ \S+ #general +2 here/);
        await alice.press("C-p"); // before the first, the last
        await waitForStatus(alice, /^ alice @ \S+ #random +2 here/);

        // /switch, with Tab completing the window's name.
        await alice.type("/switch #gen");
        await alice.press("Tab");
        await alice.waitFor((rows) => rows.at(-1) === "› /switch #general");
        await alice.press("Enter");
        await waitForStatus(alice, /^ alice @ \S+ #general +2 here/);
        await enter(alice, "/switch");
        await alice.waitFor("Windows (Alt-1 … Alt-9): 1 #general (shown), 2 #homework, 3 #random.");
        await enter(alice, "/switch #nowhere");
        await alice.waitFor('No window "#nowhere". /join #room or /query NAME opens one.');

        // Each window keeps its own scroll position.
        const lines = Array.from({ length: 30 }, (_, i) => `general line ${i + 1}`);
        await sayIn(bob, "#general", lines.join("\n"));
        await alice.waitFor("general line 30");
        await alice.press("PageUp");
        const scrolled = await waitForStatus(
          alice,
          /^ alice @ \S+ #general +scrolled — 0 new below/,
        );
        assert(!scrolled.join("\n").includes("general line 30"), scrolled.join("\n"));
        await alice.press("M-2");
        const other = await waitForStatus(alice, /^ alice @ \S+ #homework +2 here \| \/help$/);
        assert(other.join("\n").includes("bob: hw two"), "#homework is not scrolled back");
        await sayIn(bob, "#general", "general after scrolling");
        await waitForStatus(alice, / #general 1 \| 2 here/);
        await alice.press("M-1");
        const back = await waitForStatus(alice, /^ alice @ \S+ #general +scrolled — 1 new below/);
        assert(!back.join("\n").includes("general after scrolling"), back.join("\n"));
        await alice.press("End");
        await alice.waitFor("bob: general after scrolling");
      } finally {
        bob.close();
      }
    });
  },
});

Deno.test({
  name:
    `windows: a private message opens a window of its own; what is typed there goes to that person; /msg NAME opens one, /close closes it; /part closes a room's${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux }) => {
      const alice = await join(tmux, "alice", port, { columns: 80, rows: 16 });
      await alice.waitFor("Welcome, alice!");
      const bob = await multiRoomMember(port, "bob", []);
      try {
        await bob.say("/msg alice psst");
        await waitForStatus(alice, /^ alice @ \S+ #general +@bob 1! \| 2 here \| \/help$/);
        assertEquals(count(await alice.screen(), "psst"), 0, "shown in its own window only");
        await enter(alice, "/switch bob");
        await waitForStatus(alice, /^ alice @ \S+ @bob +private \| \/help$/);
        await alice.waitFor("[bob -> you] psst");
        await enter(alice, "hi bob");
        const reply = await bob.nextFrame((f) => f.type === "private" && f.from === "alice");
        assertEquals([reply.to, reply.text], ["bob", "hi bob"]);
        await alice.waitFor("[you -> bob] hi bob");
        await enter(alice, "/close");
        await waitForStatus(alice, /^ alice @ \S+ #general +2 here \| \/help$/);
        await enter(alice, "/msg bob");
        await waitForStatus(alice, /^ alice @ \S+ @bob +private/);
        // The conversation starts afresh: the closed window's lines are gone.
        assertEquals(count(await alice.screen(), "psst"), 0);
        // In a room window, /msg NAME TEXT shows what you sent there and in the person's window.
        await alice.press("M-1");
        await enter(alice, "/msg bob see you at 5");
        await alice.waitFor("[you -> bob] see you at 5");
        await alice.press("M-2");
        await alice.waitFor("[you -> bob] see you at 5");

        // /part leaves the room of the window shown and closes the window; the last room stays.
        await enter(alice, "/join #tmp");
        await waitForStatus(alice, /^ alice @ \S+ #tmp +1 here/);
        await enter(alice, "/part");
        await waitForStatus(alice, /^ alice @ \S+ @bob +private/);
        await alice.waitFor("You left #tmp.");
        await enter(alice, "/part");
        await alice.waitFor("This is a private conversation: /close closes it.");
        await alice.press("M-1");
        await enter(alice, "/part");
        await alice.waitFor("#general is your only room");
        await waitForStatus(alice, /^ alice @ \S+ #general +2 here/);
      } finally {
        bob.close();
      }
    });
  },
});

/**
 * Alice is in #general and #homework behind a proxy; `outage` takes the
 * server away (and back), `talk` says what she misses meanwhile; then she
 * reconnects and each room's window says how many messages came there.
 */
async function missWhileAway(
  alice: TmuxPane,
  network: TcpProxy,
  outage: () => Promise<void>,
  talk: () => Promise<void>,
): Promise<void> {
  network.refusing = true;
  network.cut();
  await alice.waitFor((rows) => status(rows).includes("reconnecting…"));
  await outage();
  await talk();
  network.refusing = false;
  await alice.press("C-r"); // try again now, rather than at the end of the backoff
  await waitForStatus(alice, /^ alice @ \S+ #homework +.*\| 2 here \| \/help$/);
}

Deno.test({
  name:
    `windows: after a reconnect, after the server is killed and started again, and in a new chat join, each room says how many new messages came there since you left${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux, restart }) => {
      const network = new TcpProxy(port);
      const talkers: LineClient[] = [];
      try {
        const alice = await join(tmux, "alice", network.port, { columns: 80, rows: 24 });
        await alice.waitFor("Welcome, alice!");
        await enter(alice, "/join #homework");
        await alice.waitFor("You are now in #homework.");

        // The server restarts; carol talks in both rooms meanwhile.
        await missWhileAway(alice, network, () => restart(), async () => {
          const carol = await multiRoomMember(port, "carol", ["#homework"]);
          talkers.push(carol);
          for (const text of ["hw away 1", "hw away 2", "hw away 3"]) {
            await sayIn(carol, "#homework", text);
          }
          await sayIn(carol, "#general", "general away 1");
        });
        let rows = await alice.waitFor("— #homework: 3 new messages since you left —");
        for (const text of ["hw away 1", "hw away 2", "hw away 3"]) {
          assertEquals(count(rows, text), 1, `${text} once:\n${rows.join("\n")}`);
        }
        assert(!rows.join("\n").includes("general away"), "each room in its own window");
        await waitForStatus(alice, / #general 1 \| 2 here/);
        await alice.press("M-1");
        rows = await alice.waitFor("— #general: 1 new message since you left —");
        assertEquals(count(rows, "general away 1"), 1);
        await alice.press("M-2");

        // kill -9: no goodbye, and the server starts again on the same history.
        await missWhileAway(alice, network, () => restart({ kill: true }), async () => {
          const dave = await multiRoomMember(port, "dave", ["#homework"]);
          talkers.push(dave);
          await sayIn(dave, "#homework", "after the crash");
          await sayIn(dave, "#general", "general crash 1");
          await sayIn(dave, "#general", "general crash 2");
        });
        rows = await alice.waitFor("— #homework: 1 new message since you left —");
        assertEquals(count(rows, "after the crash"), 1);
        assertEquals(count(rows, "hw away 1"), 1, "what was seen before is not shown again");
        await alice.press("M-1");
        rows = await alice.waitFor("— #general: 2 new messages since you left —");
        assertEquals(count(rows, "general crash 1"), 1);
        assertEquals(count(rows, "general crash 2"), 1);

        // Alice leaves; a new `chat join` later goes back to both rooms, each caught up.
        await enter(alice, "/quit");
        await alice.waitFor(/\[tty:.*exit 0\]/);
        const erin = await multiRoomMember(port, "erin", ["#homework"]);
        talkers.push(erin);
        await sayIn(erin, "#homework", "hw while gone");
        await sayIn(erin, "#general", "general while gone");
        const again = await tmux.open(
          "alice-again",
          joinCommand(["--name", "alice", `127.0.0.1:${network.port}`]),
          { columns: 80, rows: 24 },
          { NO_COLOR: "" },
        );
        rows = await again.waitFor("— #general: 1 new message since you left —");
        assertEquals(count(rows, "general while gone"), 1);
        assertEquals(count(rows, "general crash"), 0, "nothing seen before");
        await waitForStatus(again, /^ alice @ \S+ #general +#homework 1 \| 3 here/);
        await again.press("M-2");
        rows = await again.waitFor("— #homework: 1 new message since you left —");
        assertEquals(count(rows, "hw while gone"), 1);
        assertEquals(count(rows, "after the crash"), 0, "nothing seen before");
      } finally {
        for (const talker of talkers) talker.close();
        await network.close();
      }
    });
  },
});

Deno.test({
  name:
    `windows: a room the server no longer lets you back into after a restart closes its window, with the reason${SKIP_REASON}`,
  ignore: !HAVE_TMUX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withRoom(async ({ port, tmux, restart }) => {
      const network = new TcpProxy(port);
      try {
        const alice = await join(tmux, "alice", network.port, { columns: 80, rows: 24 });
        await alice.waitFor("Welcome, alice!");
        await enter(alice, "/join #homework");
        await alice.waitFor("You are now in #homework.");
        await alice.press("M-1"); // #general shown
        await waitForStatus(alice, /^ alice @ \S+ #general /);
        // The server comes back letting each member be in one room only.
        network.refusing = true;
        network.cut();
        await alice.waitFor((rows) => status(rows).includes("reconnecting…"));
        await restart({ args: ["--max-rooms-per-member", "1"] });
        network.refusing = false;
        await alice.press("C-r");
        const rows = await alice.waitFor(/You can't be in #\w+ too: 1 room is the most/);
        assertEquals(count(rows, "You left"), 0, rows.join("\n"));
        // The room it could not re-enter has no window any more; the other one has.
        const [kept] = /#(general|homework)/.exec(status(rows))!;
        const gone = kept === "#general" ? "#homework" : "#general";
        await enter(alice, `/switch ${gone}`);
        await alice.waitFor(`No window "${gone}".`);
        await enter(alice, `/switch ${kept}`);
        await waitForStatus(alice, new RegExp(`^ alice @ \\S+ ${kept} `));
      } finally {
        await network.close();
      }
    });
  },
});

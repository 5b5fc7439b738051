/**
 * A member's own leave reason can't pass for a kick: `/quit kicked by the
 * operator: spamming` reads "left (quit: …)" in every client, while a real
 * kick reads as the server's. Checked over real TCP with a plain-text client
 * (as nc sees it) and a structured one, and in the terminal client's render.
 */

import type { RoomRecord } from "../src/protocol/frames.ts";
import { renderEntry } from "../src/client/render.ts";
import { createTheme } from "../src/client/theme.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { leaveWords } from "../src/text/leave_words.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const FAKE = "kicked by the operator: spamming";

Deno.test("leave words: the member's reason as theirs, the server's as the server's", () => {
  assertEquals(leaveWords({ kind: "quit", reason: FAKE }), `left (quit: ${FAKE})`);
  assertEquals(leaveWords({ kind: "quit" }), "left");
  assertEquals(leaveWords({ kind: "kicked", reason: FAKE }), `left: ${FAKE}`);
  assertEquals(
    leaveWords({ kind: "banned", reason: "banned by the operator" }),
    "left: banned by the operator",
  );
  assertEquals(leaveWords({ kind: "disconnected", reason: "timed out" }), "left: timed out");
  // A record stored before kinds existed: nobody vouches for its reason.
  assertEquals(leaveWords({ reason: FAKE }), `left (${FAKE})`);
});

Deno.test("the terminal client renders a quit reason as the member's", () => {
  const ts = new Date(2024, 0, 1, 14, 2).getTime();
  const theme = createTheme({ color: false, decorate: false });
  const line = (kind: "quit" | "kicked") => {
    const record = { type: "leave", id: 1, ts, name: "bob", count: 1, kind, reason: FAKE };
    const entry = { kind: "record" as const, record: record as RoomRecord };
    return renderEntry(entry, { width: 80, me: "alice", theme }).join("\n");
  };
  assertEquals(line("quit"), `14:02 -- bob left (quit: ${FAKE}) (1 here)`);
  assertEquals(line("kicked"), `14:02 -- bob left: ${FAKE} (1 here)`);
});

Deno.test("over TCP, a /quit imitating a kick reads as a quit; a real kick reads as a kick", async () => {
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const watcher = await LineClient.connect(port); // as nc sees it
    await watcher.sendLine("carol");
    await watcher.nextLine((l) => l.startsWith("-- Welcome, carol!"));
    const { client: bob } = await LineClient.join(port, "bob");
    const { client: dave } = await LineClient.join(port, "dave");
    await watcher.nextLine((l) => l.includes("dave joined"));

    // The count reads "3 here" or "3 members" (its wording is changing elsewhere).
    await bob.say(`/quit ${FAKE}`);
    const quit = await alice.nextFrame((f) => f.type === "leave" && f.name === "bob");
    assertEquals([quit.kind, quit.reason], ["quit", FAKE]);
    assertMatch(
      await watcher.nextLine((l) => l.includes("bob left")),
      /^\[\d\d:\d\d\] -- bob left \(quit: kicked by the operator: spamming\) \(3 (?:here|members)\)$/,
    );

    assertEquals(runConsoleLine(server, "/kick dave spamming"), []);
    const kick = await alice.nextFrame((f) => f.type === "leave" && f.name === "dave");
    assertEquals([kick.kind, kick.reason], ["kicked", FAKE]);
    assertMatch(
      await watcher.nextLine((l) => l.includes("dave left")),
      /^\[\d\d:\d\d\] -- dave left: kicked by the operator: spamming \(2 (?:here|members)\)$/,
    );
    for (const client of [alice, watcher, bob, dave]) client.close();
  });
});

/**
 * Who gets in: the room password (structured and plain clients, the wait
 * after repeated failures) and the operator's kick, ban and unban. The
 * per-address rules under attack are in server_admission_test.ts.
 */

import { DEFAULT_LIMITS } from "../src/protocol/limits.ts";
import { Admission } from "../src/server/admission.ts";
import { BanList } from "../src/server/ban_list.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { PasswordAttempts } from "../src/server/password_attempts.ts";
import { FailureTracker, RoomPassword } from "../src/server/room_password.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("RoomPassword matches exactly; FailureTracker makes an address wait after three failures", () => {
  const password = new RoomPassword("s3cret pass");
  assert(password.matches("s3cret pass"));
  assert(!password.matches("s3cret"));
  assert(!password.matches(""));
  const tracker = new FailureTracker();
  const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => tracker.fail("10.0.0.1", i).waitMs);
  assertEquals(waits, [0, 0, 0, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  assertEquals(tracker.waitMs("10.0.0.1", 10), 60_000, "the address waits on any connection");
  assertEquals(tracker.waitMs("10.0.0.1", 60_010), 0);
  assertEquals(tracker.fail("10.0.0.2", 11), { waitMs: 0, started: false }, "others unaffected");
  tracker.succeed("10.0.0.1");
  assertEquals(tracker.fail("10.0.0.1", 12).waitMs, 0);
  const started = [2, 3, 4, 5].map((i) => tracker.fail("10.0.0.3", i).started);
  assertEquals(started, [false, false, false, true], "the wait starts once, to be logged once");
  assertEquals(
    tracker.fail("10.0.0.2", 20 * 60_000).waitMs,
    0,
    "failures are forgotten after a quiet spell",
  );
});

Deno.test("a password room: the right password gets in, a wrong or missing one gets a clear error", async () => {
  await withServer(async (_server, port) => {
    const client = await LineClient.connect(port);
    await client.sendFrame({ type: "hello", version: 2, name: "alice" });
    const missing = await client.nextFrame();
    assertEquals([missing.type, missing.code], ["error", "wrong_password"]);
    assertMatch(missing.message, /needs a password/);
    await client.sendFrame({ type: "hello", version: 2, name: "alice", password: "wrong" });
    const wrong = await client.nextFrame();
    assertEquals(wrong.code, "wrong_password");
    assertMatch(wrong.message, /^Wrong password/);
    await client.sendFrame({ type: "hello", version: 2, name: "alice", password: "open sesame" });
    const welcome = await client.nextFrame((f) => f.type === "welcome");
    assertEquals(welcome.name, "alice");

    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("This room has a password"));
    await plain.sendLine("nope");
    await plain.nextLine((l) => l.startsWith("!! Wrong password."));
    await plain.sendLine("open sesame");
    await plain.nextLine((l) => l === "-- Password accepted.");
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));
    client.close();
    plain.close();
  }, { password: "open sesame" });
});

Deno.test("the operator kicks, bans and unbans from the console; everyone sees it", async () => {
  await withServer(async (server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: mallory } = await LineClient.join(port, "mallory");
    await alice.nextFrame((f) => f.type === "join" && f.name === "mallory");

    assertEquals(runConsoleLine(server, "/kick mallory spamming"), []);
    const kicked = await mallory.nextFrame((f) => f.type === "bye");
    assertEquals(kicked.code, "kicked");
    assertMatch(kicked.message, /You were kicked by the operator: spamming\./);
    const leave = await alice.nextFrame((f) => f.type === "leave");
    assertEquals(leave.reason, "kicked by the operator: spamming");

    const { client: mallory2 } = await LineClient.join(port, "mallory");
    assertEquals(runConsoleLine(server, "/ban mallory 10m"), []);
    const banned = await mallory2.nextFrame((f) => f.type === "bye");
    assertEquals(banned.code, "banned");
    assertEquals(
      (await alice.nextFrame((f) => f.type === "leave")).reason,
      "banned by the operator for 10m",
    );
    assertMatch(runConsoleLine(server, "/bans")[0], /127\.0\.0\.1 \(mallory\): 10m left/);
    // The ban is by address: tests connect from 127.0.0.1 too, so a new connection is refused.
    const refused = await LineClient.connect(port);
    await refused.sendFrame({ type: "hello", version: 2, name: "someone" });
    const bye = await refused.nextFrame((f) => f.type === "bye");
    assertEquals(bye.code, "banned");
    assertMatch(bye.message, /banned from this room for 10m more/);
    // Alice, already in, stayed: a ban removes the banned member and refuses new connections.
    assertEquals(runConsoleLine(server, "/unban mallory"), ["Ban on 127.0.0.1 lifted."]);
    const { client: back } = await LineClient.join(port, "mallory");

    runConsoleLine(server, "the room closes at midnight");
    const notice = await alice.nextFrame((f) => f.type === "notice");
    assertEquals(notice.text, "the room closes at midnight");
    assertMatch(runConsoleLine(server, "/who")[0], /^\d here: /);
    assertMatch(runConsoleLine(server, "/where").join("\n"), /alice {2}127\.0\.0\.1/);
    assertMatch(runConsoleLine(server, "/kick nobody")[0], /^!! Nobody called "nobody" is here/);
    assertMatch(runConsoleLine(server, "/ban alice soon")[0], /is not a duration/);
    assertMatch(runConsoleLine(server, "/help").join("\n"), /\/kick NAME \[REASON\]/);
    for (const c of [alice, mallory, mallory2, refused, back]) c.close();
  });
});

Deno.test("members cannot use operator commands", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    await alice.say("/ban bob");
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "unknown_command");
    // A member's /kick is the room operator's, and nobody operates the default room.
    await alice.say("/kick bob");
    assertEquals((await alice.nextFrame((f) => f.type === "error")).code, "not_room_operator");
    await alice.say("/help");
    const help = await alice.nextFrame((f) => f.type === "info");
    assert(!help.text.includes("/ban"), "operator commands are not listed for members");
    await alice.say("/who");
    assertEquals((await alice.nextFrame((f) => f.type === "members")).members, ["alice", "bob"]);
    alice.close();
    bob.close();
  });
});

Deno.test("PasswordAttempts: tries while the address waits are refused unchecked, the tenth wrong ends the connection", () => {
  const admission = new Admission({ password: "pw", bans: new BanList(), limits: DEFAULT_LIMITS });
  const attempts = new PasswordAttempts(admission, "10.0.0.9");
  assertEquals(attempts.try(undefined, 0), {
    outcome: "wrong",
    waitSeconds: 0,
    tries: 1,
    last: false,
  }, "no password at all is not a guess");
  attempts.try("a", 0);
  attempts.try("b", 0);
  attempts.try("c", 0);
  assertEquals(attempts.try("d", 0), { outcome: "wrong", waitSeconds: 2, tries: 5, last: false });
  assertEquals(
    attempts.try("pw", 1500),
    { outcome: "wait", seconds: 1 },
    "unchecked, even if right",
  );
  const neighbour = new PasswordAttempts(admission, "10.0.0.9");
  assertEquals(neighbour.try("pw", 1500).outcome, "wait", "another connection waits too");
  assertEquals(attempts.try("pw", 2000), { outcome: "accepted" });
  const stubborn = new PasswordAttempts(admission, "10.0.0.10");
  let last = stubborn.try("x", 0);
  for (let i = 1; i < 10; i++) last = stubborn.try("x", i * 60_000);
  assertEquals(last.outcome === "wrong" && [last.tries, last.last], [10, true]);
});

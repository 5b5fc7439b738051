/**
 * Per-address rules under attack, over real TCP on loopback with the
 * server's clock injected (nothing sleeps): password guessing from fresh
 * connections, the budget of unfinished handshakes, the join rate, and IPv6
 * /64 neighbours sharing every rule.
 */

import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";
import { DEFAULT_LIMITS, type Limits } from "../src/protocol/limits.ts";
import { Admission, type Visitor } from "../src/server/admission.ts";
import { BanList } from "../src/server/ban_list.ts";
import type { ByeCode } from "../src/protocol/errors.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { WsClient } from "./support/ws_client.ts";

const START = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const PASSWORD = "correct horse battery staple";

/** Connects from 127.0.0.1, says hello with `extra`, and returns the first answer that matters. */
async function hello(port: number, name: string, extra: Record<string, unknown> = {}) {
  const client = await LineClient.connect(port);
  await client.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name, ...extra });
  const answer = await client.nextFrame((f) => ["welcome", "error", "bye"].includes(f.type));
  return { client, answer };
}

Deno.test("password guessing from a fresh connection per guess is held to a few guesses a minute per address, logged once", async () => {
  let now = START;
  const log: string[] = [];
  await withServer(async (_server, port) => {
    const checked: number[] = [];
    // One guess every 2 s of server time for 10 minutes, each from a new connection:
    // 300 guesses. Without a per-address rule, every one of them is checked.
    for (let t = 0; t < 10 * MINUTE; t += 2000) {
      now = START + t;
      // At 10 s the address is waiting after its fifth failure: even the right password is not checked.
      const password = t === 10_000 ? PASSWORD : `guess ${t}`;
      const { client, answer } = await hello(port, "eve", { password });
      if (t === 10_000) {
        assertEquals(answer.code, "too_many_attempts", "the right password, sent while waiting");
      }
      if (answer.code === "wrong_password") {
        checked.push(t);
      } else {
        assertEquals([answer.type, answer.code], ["bye", "too_many_attempts"]);
        assertMatch(
          answer.message,
          /^Too many wrong passwords from your address; wait \d+ s before trying again\.$/,
        );
      }
      client.close();
    }
    assertEquals(checked.slice(0, 3), [0, 2000, 4000], "the first three failures cost nothing");
    // Once it has failed a few times, no minute holds more than a handful of checked guesses.
    for (const [i, from] of checked.entries()) {
      if (i < 3) continue;
      const inMinute = checked.filter((t) => t >= from && t < from + MINUTE).length;
      assert(inMinute <= 5, `${inMinute} guesses checked in the minute from ${from} ms`);
    }
    const lastFiveMinutes = checked.filter((t) => t >= 5 * MINUTE).length;
    assert(lastFiveMinutes <= 5, `${lastFiveMinutes} guesses checked in the last five minutes`);
    // 2 s, 4 s, 8 s … then one a minute: 17 of 300 (all 300 without a per-address rule).
    assertEquals(checked.length, 17, `guesses checked at ${checked.join(", ")} ms`);
    const aboutGuesser = log.filter((line) => line.includes("127.0.0.1"));
    assertEquals(aboutGuesser.length, 1, `logged once, not per try:\n${aboutGuesser.join("\n")}`);
    assertMatch(aboutGuesser[0], /wrong passwords/);
  }, {
    password: PASSWORD,
    now: () => now,
    log: (line) => log.push(line),
    // The server may notice a closed connection after the next one arrives; this test is not about that cap.
    limits: { maxConnectionsPerAddress: 1000 },
  });
});

Deno.test("a person who mistypes the password once gets in at once on the next try (same or new connection)", async () => {
  const now = START;
  await withServer(async (_server, port) => {
    // Structured client, same connection: typo, then the right password, no time passing.
    const { client: alice, answer: typo } = await hello(port, "alice", {
      password: "correct horse",
    });
    assertEquals(typo.code, "wrong_password");
    await alice.sendFrame({
      type: "hello",
      version: PROTOCOL_VERSION,
      name: "alice",
      password: PASSWORD,
    });
    assertEquals((await alice.nextFrame()).type, "welcome");
    // Another person at the same address: a typo, then a new connection with the right one.
    const { client: bobTypo, answer: bobWrong } = await hello(port, "bob", { password: "horse" });
    assertEquals(bobWrong.code, "wrong_password");
    bobTypo.close();
    const { client: bob, answer: bobIn } = await hello(port, "bob", { password: PASSWORD });
    assertEquals(bobIn.type, "welcome");
    // A plain-text client: a typo, then the right password on the next line.
    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("This room has a password"));
    await plain.sendLine("correct hose battery staple");
    await plain.nextLine((l) => l.startsWith("!! Wrong password."));
    await plain.sendLine(PASSWORD);
    await plain.nextLine((l) => l === "-- Password accepted.");
    for (const c of [alice, bob, plain]) c.close();
  }, { password: PASSWORD, now: () => now });
});

Deno.test("silent connections filling the pre-join budget do not stop a newcomer from joining or members from chatting", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    // Far more silent connections than the budget for unjoined ones, and than the total cap.
    const silent: LineClient[] = [];
    for (let i = 0; i < 40; i++) silent.push(await LineClient.connect(port));
    const { client: carol } = await LineClient.join(port, "carol");
    await alice.say("still here?");
    for (const member of [alice, bob, carol]) {
      const got = await member.nextFrame((f) => f.type === "message");
      assertEquals([got.from, got.text], ["alice", "still here?"]);
    }
    // The oldest silent connections were told why and closed; the 10 newest are waiting.
    const shed = silent.slice(0, 31); // 30 pushed out by newer silent ones, 1 by carol
    for (const client of shed) {
      await client.waitForClose();
      assert(
        client.transcript.some((l) => /^-- Too many people are connecting right now/.test(l)),
        `a shed connection heard why: ${client.transcript.join(" | ")}`,
      );
    }
    for (const client of silent) client.close();
    for (const client of [alice, bob, carol]) client.close();
  }, {
    // All from 127.0.0.1 at once: the connection rate would close the extra ones unread.
    limits: {
      maxConnections: 30,
      maxUnjoined: 10,
      maxConnectionsPerAddress: 1000,
      connectBurst: 1000,
    },
  });
});

Deno.test("members are never pushed out by connections that have not joined: a full room of members refuses newcomers", async () => {
  await withServer(async (_server, port) => {
    const members: LineClient[] = [];
    for (let i = 0; i < 4; i++) members.push((await LineClient.join(port, `m${i}`)).client);
    const late = await LineClient.connect(port);
    await late.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "late" });
    assertEquals((await late.nextFrame((f) => f.type === "bye")).code, "server_full");
    await members[0].say("all here");
    for (const member of members) {
      assertEquals((await member.nextFrame((f) => f.type === "message")).text, "all here");
    }
    for (const client of [...members, late]) client.close();
  }, { limits: { maxConnections: 4, maxUnjoined: 2 } });
});

Deno.test("joins are rate-limited per address: a reconnect loop is refused with a clear wait, a few reconnects are fine", async () => {
  let now = START;
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    // A person reconnecting a few times is fine; a loop uses up the burst (20 joins, alice's included).
    for (let i = 1; i < DEFAULT_LIMITS.joinBurst; i++) {
      const { client, answer } = await hello(port, `loop${i}`);
      assertEquals(answer.type, "welcome", `join ${i + 1} of the burst`);
      await client.sendFrame({ type: "quit" });
      await client.waitForClose();
      client.close();
    }
    const { client: refused, answer: bye } = await hello(port, "loop20");
    assertEquals([bye.type, bye.code], ["bye", "too_many_joins"]);
    assertEquals(bye.message, "Too many joins from your address lately; wait 6 s and try again.");
    await refused.waitForClose();
    // A plain-text client is told the same in its own words.
    const plain = await LineClient.connect(port);
    await plain.sendLine("loop20");
    await plain.nextLine((l) =>
      l === "-- Too many joins from your address lately; wait 6 s and try again."
    );
    await plain.waitForClose();
    // The refused join left no trace in the room.
    await alice.say("marker");
    const seen: AnyFrame[] = [];
    await alice.nextFrame((f) => (seen.push(f), f.type === "message" && f.text === "marker"));
    assert(!seen.some((f) => f.type === "join" && f.name === "loop20"), "no join record");
    // The steady rate (10 a minute) lets the next join in after 6 s.
    now += 6000;
    const { client: back, answer: welcome } = await hello(port, "loop20");
    assertEquals(welcome.type, "welcome");
    for (const c of [alice, refused, plain, back]) c.close();
  }, { now: () => now });
});

Deno.test("an address whose joins are used up is refused at the door: a silent client is told at once, not asked for a name", async () => {
  await withServer(async (_server, port) => {
    for (let i = 0; i < DEFAULT_LIMITS.joinBurst; i++) {
      const { client, answer } = await hello(port, `loop${i}`, { password: PASSWORD });
      assertEquals(answer.type, "welcome", `join ${i + 1} of the burst`);
      await client.sendFrame({ type: "quit" });
      await client.waitForClose();
      client.close();
    }
    // Says nothing: greeted in plain text, it hears the refusal instead of the password prompt.
    const silent = await LineClient.connect(port);
    await silent.nextLine((l) => l.startsWith("-- "));
    await silent.waitForClose();
    assertEquals(silent.transcript, [
      "-- Too many joins from your address lately; wait 6 s and try again.",
    ]);
    // A hello with a wrong password is not even checked: the answer is the same goodbye.
    const { client: guesser, answer } = await hello(port, "late", { password: "wrong" });
    assertEquals([answer.type, answer.code], ["bye", "too_many_joins"]);
    for (const c of [silent, guesser]) c.close();
  }, { password: PASSWORD });
});

Deno.test("a WebSocket refused at the door is told at once, without having to say anything", async () => {
  await withServer(async (_server, port) => {
    for (let i = 0; i < DEFAULT_LIMITS.joinBurst; i++) {
      const { client } = await hello(port, `loop${i}`);
      await client.sendFrame({ type: "quit" });
      await client.waitForClose();
      client.close();
    }
    const socket = await WsClient.open(port);
    const bye = await socket.next((f) => f.type === "bye");
    assertEquals(bye.code, "too_many_joins");
    await socket.ended;
  });
});

Deno.test("a dual-stack server (real TCP on ::) counts an IPv4 client by its IPv4 address and ::1 by its /64", async () => {
  await withServer(async (server, port) => {
    // Over "::", the server sees 127.0.0.1 as ::ffff:127.0.0.1.
    const { client: mallory } = await LineClient.join(port, "mallory");
    assertEquals(runConsoleLine(server, "/ban mallory 10m"), []);
    await mallory.waitForClose();
    assertMatch(
      runConsoleLine(server, "/bans").join("\n"),
      /^ {2}127\.0\.0\.1 \(mallory\): 10m left/m,
    );
    const v6 = LineClient.over(await Deno.connect({ hostname: "::1", port }));
    await v6.sendFrame({ type: "hello", version: PROTOCOL_VERSION, name: "sixer" });
    assertEquals((await v6.nextFrame()).type, "welcome", "::1 is another address");
    const { answer: banned } = await hello(port, "again");
    assertEquals(banned.code, "banned");
    assertEquals(runConsoleLine(server, "/unban 127.0.0.1"), ["Ban on 127.0.0.1 lifted."]);
    const { client: back, answer } = await hello(port, "mallory");
    assertEquals(answer.type, "welcome");
    assertEquals(runConsoleLine(server, "/ban sixer"), []);
    assertMatch(
      runConsoleLine(server, "/bans").join("\n"),
      /^ {2}::\/64 \(sixer\): until restart/m,
    );
    for (const c of [mallory, v6, back]) c.close();
  }, { hostname: "::" });
});

/** A connection as Admission sees it, with the address given rather than read from a socket. */
class FakeVisitor implements Visitor {
  joined = false;
  closed = false;
  bye: ByeCode | undefined;
  constructor(readonly address: string) {}
  disconnect(code: ByeCode): void {
    this.bye = code;
    this.closed = true;
  }
}

Deno.test("Admission (addresses passed in, no sockets: loopback has no IPv6 /64): /64 neighbours share every per-address rule", () => {
  const limits: Limits = { ...DEFAULT_LIMITS, maxConnectionsPerAddress: 2, joinBurst: 2 };
  const bans = new BanList();
  const admission = new Admission({ password: PASSWORD, bans, limits });
  const a = "2001:db8:1:2::5";
  const neighbour = "2001:db8:1:2:ffff:ffff:ffff:9";
  const elsewhere = "2001:db8:1:3::5";

  // Connections per address.
  assertEquals(admission.admit(new FakeVisitor(a), 0), undefined);
  assertEquals(admission.admit(new FakeVisitor(neighbour), 0), undefined);
  assertEquals(admission.admit(new FakeVisitor(neighbour), 0)?.code, "too_many_connections");
  assertEquals(admission.admit(new FakeVisitor(elsewhere), 0), undefined);
  // IPv4 and its mapped form are one address.
  assertEquals(admission.admit(new FakeVisitor("10.0.0.1"), 0), undefined);
  assertEquals(admission.admit(new FakeVisitor("::ffff:10.0.0.1"), 0), undefined);
  assertEquals(
    admission.admit(new FakeVisitor("::ffff:10.0.0.1"), 0)?.code,
    "too_many_connections",
  );

  // Password failures.
  for (let i = 0; i < 4; i++) admission.checkPassword(a, `guess ${i}`, 0);
  assertEquals(admission.checkPassword(neighbour, PASSWORD, 1).outcome, "refused");
  assertEquals(admission.checkPassword(elsewhere, PASSWORD, 1).outcome, "accepted");

  // Join rate.
  assertEquals(admission.join(a, 0), undefined);
  assertEquals(admission.join(neighbour, 0), undefined);
  assertEquals(admission.join(neighbour, 0)?.code, "too_many_joins");
  assertEquals(admission.join(elsewhere, 0), undefined);

  // Bans.
  bans.add({ address: neighbour, name: "eve" });
  const fresh = new Admission({ bans, limits });
  assertEquals(fresh.admit(new FakeVisitor(a), 0)?.code, "banned");
  assertEquals(fresh.admit(new FakeVisitor(elsewhere), 0), undefined);
  assertEquals(bans.remove("2001:db8:1:2::77")?.address, "2001:db8:1:2::/64");
});

Deno.test("Admission: a full handshake budget sheds its oldest unfinished handshake, never a member", () => {
  const limits: Limits = { ...DEFAULT_LIMITS, maxConnections: 4, maxUnjoined: 2 };
  const admission = new Admission({ bans: new BanList(), limits });
  const visitors = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((ip) => new FakeVisitor(ip));
  for (const v of visitors) assertEquals(admission.admit(v, 0), undefined);
  assertEquals(visitors.map((v) => v.bye), ["server_busy", undefined, undefined]);
  visitors[1].joined = true;
  visitors[2].joined = true;
  const d = new FakeVisitor("10.0.0.4");
  const e = new FakeVisitor("10.0.0.5");
  assertEquals(admission.admit(d, 0), undefined);
  assertEquals(admission.admit(e, 0), undefined);
  const f = new FakeVisitor("10.0.0.6");
  assertEquals(admission.admit(f, 0), undefined, "at the total cap, an unjoined one makes room");
  assertEquals([d.bye, e.bye], ["server_busy", undefined]);
  e.joined = true;
  f.joined = true;
  assertEquals(admission.admit(new FakeVisitor("10.0.0.7"), 0)?.code, "server_full");
  assertEquals(visitors.slice(1).map((v) => v.bye), [undefined, undefined], "members stay");
});

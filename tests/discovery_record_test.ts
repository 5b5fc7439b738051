/**
 * What a room announces on the local network and how it is read back
 * (src/discovery/room_record.ts), and the flags that control it: pure, no
 * sockets (tests/lan_discovery_test.ts runs the real thing in namespaces).
 */

import {
  announcementTxt,
  hostLabel,
  instanceName,
  roomFromService,
  serviceHost,
} from "../src/discovery/room_record.ts";
import { parseServeArgs } from "../src/cli/serve_command.ts";
import { parseJoinArgs } from "../src/cli/join_command.ts";
import { UsageError } from "../src/cli/errors.ts";
import { roomLine, roomTable } from "../src/cli/find_command.ts";
import { assert, assertEquals, assertThrows } from "./support/assert.ts";

const FINGERPRINT = `SHA256:${"Ab1+".repeat(10)}xyz`;

Deno.test("the TXT record says name, protocol, password and TLS with its fingerprint; nothing for browsers yet", () => {
  assertEquals(announcementTxt({ name: "Alice's room", password: true, tls: false }), {
    proto: "2",
    name: "Alice's room",
    password: "1",
    tls: "0",
  });
  assertEquals(
    announcementTxt({ name: "r", password: false, tls: true, fingerprint: FINGERPRINT }).fp,
    FINGERPRINT,
  );
  assertEquals(
    announcementTxt({ name: "r", password: false, tls: false, browserUrl: "http://x:1/" }).web,
    "http://x:1/",
    "the place for the browser address, once browsers can join",
  );
});

Deno.test("a heard service reads back as the room it announced, at the address the answer came from", () => {
  const txt = announcementTxt({
    name: "Bob's",
    password: false,
    tls: true,
    fingerprint: FINGERPRINT,
  });
  assertEquals(
    roomFromService({
      name: "Bob's (box:53000)",
      port: 53000,
      addresses: ["fe80::1", "192.0.2.7"],
      txt,
      referer: { address: "192.0.2.7" },
    }),
    {
      name: "Bob's",
      address: "192.0.2.7",
      port: 53000,
      addresses: ["192.0.2.7", "fe80::1"],
      protocol: 2,
      password: false,
      tls: true,
      fingerprint: FINGERPRINT,
      instance: "Bob's (box:53000)",
    },
  );
});

Deno.test("what comes from the network is cleaned: control characters, bad fingerprints, odd numbers", () => {
  const room = roomFromService({
    name: "x",
    port: 1,
    txt: {
      name: "\x1b]0;pwned\x07Evil\x1b[2J room",
      tls: "1",
      fp: "not-a-fingerprint",
      members: "-3",
      proto: "1e9",
      web: "javascript:alert(1)",
    },
    referer: { address: "192.0.2.9" },
  })!;
  assertEquals(room.name, "Evil room");
  assertEquals(room.tls, true);
  assertEquals(
    room.fingerprint,
    undefined,
    "a TLS room without a usable fingerprint: first-visit rules",
  );
  assertEquals([room.members, room.protocol, room.browserUrl], [undefined, undefined, undefined]);
  const escaped = roomFromService({
    name: "x",
    port: 1,
    txt: { name: "r", web: "http://192.0.2.9:53000/\x1b]0;pwned\x07" },
    referer: { address: "192.0.2.9" },
  })!;
  assertEquals(escaped.browserUrl, undefined, "a browser address with control characters");
  assertEquals(roomFromService({ name: "x", port: 0, referer: { address: "a" } }), null);
  assertEquals(roomFromService({ name: "x", port: 5 }), null, "no address to join");
  assertEquals(
    roomFromService({ name: "inst", port: 5, txt: {}, referer: { address: "192.0.2.1" } })?.name,
    "inst",
    "no name in the TXT record: the instance name",
  );
});

Deno.test("instance names are unique per computer and port, and fit in 63 bytes", () => {
  assertEquals(instanceName("Alice's room", "box", 53000), "Alice's room (box:53000)");
  const long = instanceName("é".repeat(60), "box", 53001);
  assert(new TextEncoder().encode(long).length <= 63, long);
  assert(long.endsWith(" (box:53001)"));
  assertEquals(hostLabel("Alice's MacBook.local"), "alice-s-macbook");
  assertEquals(hostLabel("..."), "chat");
  assertEquals(
    serviceHost("box.lan", 53000),
    "box-chat-53000.local",
    "never the computer's own name",
  );
});

Deno.test("serve: --name names the room, --no-announce and a loopback --host turn announcing off", () => {
  const serve = (args: string[]) => parseServeArgs(args, {})!.announce;
  assertEquals(serve([]), { announce: true, roomName: undefined });
  assertEquals(serve(["--name", " Alice's room "]), { announce: true, roomName: "Alice's room" });
  assertEquals(serve(["--no-announce"]).announce, false);
  assertEquals(serve(["--host", "127.0.0.1"]).announce, false);
  assertEquals(serve(["--host", "::1"]).announce, false);
  assertEquals(serve(["--host", "::"]).announce, true);
  assertThrows(() => serve(["--name", "  "]), UsageError);
  assertThrows(() => serve(["--name", "x".repeat(61)]), UsageError);
});

Deno.test("join looks for rooms only when given no address at all", () => {
  const join = (args: string[]) => parseJoinArgs(args, {})!.discover;
  assertEquals(join([]), true);
  assertEquals(join(["--name", "bob", "--tls"]), true);
  assertEquals(join(["192.0.2.1"]), undefined);
  assertEquals(join(["--host", "h"]), undefined);
  assertEquals(join(["--port", "53001"]), undefined, "a port alone still means this computer");
});

Deno.test("find lists rooms in aligned columns and one line each", () => {
  const room = {
    name: "Küche",
    address: "192.0.2.1",
    port: 53000,
    addresses: [],
    password: true,
    tls: true,
    members: 3,
    instance: "i",
  };
  const open = {
    ...room,
    name: "A much longer name",
    password: false,
    tls: false,
    members: undefined,
  };
  assertEquals(roomTable([room, open]), [
    "NAME                ADDRESS          MEMBERS  ACCESS",
    "Küche               192.0.2.1:53000  3        password, TLS",
    "A much longer name  192.0.2.1:53000  -        open",
  ]);
  assertEquals(roomTable([open]), [
    "NAME                ADDRESS          ACCESS",
    "A much longer name  192.0.2.1:53000  open",
  ], "no room announced members: no such column");
  assertEquals(roomLine(room), "Küche  192.0.2.1:53000  (3 members, password, TLS)");
  assertEquals(roomLine(open), "A much longer name  192.0.2.1:53000");
});

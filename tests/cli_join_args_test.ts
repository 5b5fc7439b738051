/** `chat join` argument parsing: targets, ports, names, colour, TLS. */

import { assertEquals, assertThrows } from "./support/assert.ts";
import { parseJoinArgs } from "../src/cli/join_command.ts";
import { UsageError } from "../src/cli/errors.ts";

const parse = (args: string[], env = {}) => parseJoinArgs(args, env)!;

Deno.test("host and port: defaults, HOST, HOST:PORT, [IPv6]:PORT, bare IPv6, --host and --port", () => {
  assertEquals([parse([]).host, parse([]).port], ["localhost", 53000]);
  assertEquals([parse(["example.lan"]).host, parse(["example.lan"]).port], ["example.lan", 53000]);
  assertEquals(parse(["10.0.0.5:6000"]).port, 6000);
  assertEquals([parse(["[::1]:6001"]).host, parse(["[::1]:6001"]).port], ["::1", 6001]);
  assertEquals([parse(["fe80::1"]).host, parse(["fe80::1"]).port], ["fe80::1", 53000]);
  assertEquals([
    parse(["--host", "h", "-p", "7000"]).host,
    parse(["--host", "h", "-p", "7000"]).port,
  ], ["h", 7000]);
  assertEquals(parse(["h:7000", "--port", "7000"]).port, 7000, "the same port twice is fine");
  assertThrows(() => parse(["h:7000", "--port", "7001"]), UsageError);
  assertThrows(() => parse(["h", "--host", "g"]), UsageError);
  assertThrows(() => parse(["h:0"]), UsageError);
});

Deno.test("--name is checked like the server checks it", () => {
  assertEquals(parse(["--name", " Zoë "]).name, "Zoë");
  assertEquals(parse([]).name, undefined, "no name: it will be asked for");
  assertThrows(() => parse(["--name", "root"]), UsageError);
});

Deno.test("colour is off with --no-color, NO_COLOR or TERM=dumb", () => {
  assertEquals(parse([]).color, true);
  assertEquals(parse(["--no-color"]).color, false);
  assertEquals(parse([], { NO_COLOR: "1" }).color, false);
  assertEquals(parse([], { NO_COLOR: "" }).color, true, "an empty NO_COLOR does not count");
  assertEquals(parse([], { TERM: "dumb" }).color, false);
});

Deno.test("shared files' links (OSC 8) are off where the terminal would print them as text", () => {
  assertEquals(parse([], { TERM: "xterm-256color" }).hyperlinks, true);
  assertEquals(parse([], { NO_COLOR: "1" }).hyperlinks, true, "a link is no colour");
  assertEquals(parse([], { TERM: "linux" }).hyperlinks, false, "the Linux console");
  assertEquals(parse([], { TERM: "dumb" }).hyperlinks, false);
});

Deno.test("TLS: --tls alone trusts authorities; --fingerprint pins (and implies TLS)", () => {
  assertEquals(parse([]).tls, undefined);
  assertEquals(parse(["--tls"]).tls, {});
  const hex = "AB:".repeat(31) + "AB";
  assertEquals(parse(["--fingerprint", `SHA256:${"A".repeat(43)}`]).tls, {
    fingerprint: `SHA256:${"A".repeat(43)}`,
  });
  assertEquals(parse(["--fingerprint", hex]).tls?.fingerprint?.startsWith("SHA256:"), true);
  assertThrows(() => parse(["--fingerprint", "abc"]), UsageError);
});

Deno.test("CHAT_PASSWORD is the room password", () => {
  assertEquals(parse([], { CHAT_PASSWORD: "s3cret" }).password, "s3cret");
  assertEquals(parse([]).password, undefined);
});

/** The key per-address rules count by: IPv4 as it is, IPv6 by its /64, mapped IPv4 as IPv4. */

import { addressKey } from "../src/server/address_key.ts";
import { assertEquals } from "./support/assert.ts";

Deno.test("addressKey: an IPv4 address is its own key", () => {
  assertEquals(addressKey("192.0.2.7"), "192.0.2.7");
  assertEquals(addressKey("127.0.0.1"), "127.0.0.1");
  assertEquals(addressKey("192.0.2.8") === addressKey("192.0.2.7"), false);
});

Deno.test("addressKey: an IPv4-mapped IPv6 address is its IPv4 address, in either spelling", () => {
  assertEquals(addressKey("::ffff:1.2.3.4"), "1.2.3.4");
  assertEquals(addressKey("::ffff:0102:0304"), "1.2.3.4");
  assertEquals(addressKey("::FFFF:127.0.0.1"), "127.0.0.1");
});

Deno.test("addressKey: IPv6 addresses in one /64 share a key, other /64s do not", () => {
  const key = addressKey("2001:db8:1:2::5");
  assertEquals(key, "2001:db8:1:2::/64");
  assertEquals(addressKey("2001:DB8:1:2:ffff:ffff:ffff:ffff"), key, "any case, any host part");
  assertEquals(addressKey("2001:0db8:0001:0002:0000:0000:0000:0009"), key, "written out in full");
  assertEquals(addressKey("2001:db8:1:3::5"), "2001:db8:1:3::/64");
  assertEquals(addressKey("::1"), "::/64");
  assertEquals(addressKey("fe80::1%eth0"), "fe80::/64", "a zone does not split the key");
});

Deno.test("addressKey: something that is not an IP address is kept as given", () => {
  assertEquals(addressKey("not an address"), "not an address");
  assertEquals(addressKey("2001:db8::/64"), "2001:db8::/64", "a key is its own key");
});

Deno.test("addressKey: only a canonical IPv4 address is taken as it is; other spellings are parsed", () => {
  // The fast path must not take what only looks like dotted decimal.
  assertEquals(addressKey("0.0.0.0"), "0.0.0.0");
  assertEquals(addressKey("255.255.255.255"), "255.255.255.255");
  assertEquals(
    addressKey("010.0.0.1"),
    addressKey("8.0.0.1"),
    "a leading zero is octal, as ipaddr.js reads it",
  );
  assertEquals(addressKey("256.1.1.1"), "256.1.1.1", "not an address: kept as given");
  assertEquals(addressKey("1.2.3.4\n"), "1.2.3.4\n", "not an address: kept as given");
});

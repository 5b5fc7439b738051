/** NameOrder keeps the order /who shows (case-insensitive, locale-aware) as members come and go. */

import { assertEquals } from "./support/assert.ts";
import { NameOrder } from "../src/server/name_order.ts";
import { nameKey } from "../src/protocol/names.ts";

function sorted(names: string[]): string[] {
  return [...names].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
}

Deno.test("names come out in the order a full sort gives", () => {
  const order = new NameOrder();
  const names = ["bob", "Alice", "Zoë", "zed", "émile", "Eve", "carol", "ÅSA", "dan_2", "Dan-1"];
  for (const name of names) order.add(name);
  assertEquals(order.names(), sorted(names));
});

Deno.test("removals and renames keep the order", () => {
  const order = new NameOrder();
  const present = new Set<string>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let step = 0; step < 2000; step++) {
    const name = `m${Math.floor(random() * 300)}${random() < 0.5 ? "X" : "y"}`;
    const key = nameKey(name);
    const existing = [...present].find((n) => nameKey(n) === key);
    if (existing) {
      order.remove(existing.toUpperCase()); // removal goes by key, whatever the case
      present.delete(existing);
    } else {
      order.add(name);
      present.add(name);
    }
  }
  assertEquals(order.names(), sorted([...present]));
  order.remove("not-there");
  assertEquals(order.names().length, present.size);
});

Deno.test("names() is a copy", () => {
  const order = new NameOrder();
  order.add("alice");
  order.names().push("mallory");
  assertEquals(order.names(), ["alice"]);
});

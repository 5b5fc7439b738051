/**
 * Who is in a room on every node, as one node knows it: loaded with the
 * room's log position from Redis (`chat:members:<room>`, kept by the append
 * script), then kept up to date from the joins, leaves and renames the node
 * relays, with the script's rules, so `/who`, `/rooms` and member counts are
 * the whole chat's.
 *
 * @module
 */

import { nameKey } from "../../protocol/names.ts";
import type { RoomRecord } from "../../protocol/frames.ts";
import { NameOrder } from "../name_order.ts";

/** Each member's node and name, by name key. */
export class RoomMembers {
  readonly #members = new Map<string, { node: string; name: string }>();

  /** Starts from the hash `chat:members:<room>` (name key → `node<TAB>Name`). */
  load(hash: Record<string, string>): void {
    this.#members.clear();
    for (const [key, value] of Object.entries(hash)) {
      const tab = value.indexOf("\t");
      this.#members.set(key, { node: value.slice(0, tab), name: value.slice(tab + 1) });
    }
  }

  /** Applies a record appended by `node`: a join, leave, rename or gathered presence. */
  apply(record: RoomRecord, node: string): void {
    const add = (name: string) => this.#members.set(nameKey(name), { node, name });
    const remove = (name: string) => {
      // A leave counts only from the member's node (a member who moved on stays).
      if (this.#members.get(nameKey(name))?.node === node) this.#members.delete(nameKey(name));
    };
    switch (record.type) {
      case "join":
        return void add(record.name);
      case "leave":
        return remove(record.name);
      case "nick":
        remove(record.from);
        return void add(record.to);
      case "presence":
        record.joined.forEach(add);
        record.left.forEach(remove);
    }
  }

  /** Every member's name, with `local` ones not heard of yet, in display order. */
  names(local: string[]): string[] {
    const order = new NameOrder();
    for (const { name } of this.#members.values()) order.add(name);
    for (const name of local) if (!this.#members.has(nameKey(name))) order.add(name);
    return order.names();
  }

  /** How many members, counting `local` ones not heard of yet. */
  count(local: string[]): number {
    return this.#members.size + local.filter((name) => !this.#members.has(nameKey(name))).length;
  }
}

/**
 * Moderation of members connected to other nodes: a kick, ban, room kick or
 * invite given on one node for a member another node holds is sent as news
 * (cluster_events.ts) naming that node and the member's holder; that node
 * does it to its own connection as if it had been given there. A member who
 * moved on meanwhile (another holder, another node) is left alone.
 *
 * @module
 */

import { nameKey } from "../../protocol/names.ts";
import type { RemoteMembers, ServerPlaces } from "../rooms/client_rooms.ts";
import { Outgoing } from "../outgoing.ts";
import type { ClusterEvents } from "./cluster_events.ts";
import type { NodeNames } from "./node_names.ts";

/** What the node's server does to its own members. */
export interface LocalModeration {
  readonly places: ServerPlaces;
  kick(name: string, reason?: string): unknown;
  ban(name: string, durationMs?: number): unknown;
}

/** Sends moderation to the node holding a name, and does what other nodes send to this one. */
export class RemoteModeration implements RemoteMembers {
  readonly #events: ClusterEvents;
  readonly #names: NodeNames;
  readonly #node: string;
  #server: LocalModeration | undefined;

  constructor(events: ClusterEvents, names: NodeNames, node: string) {
    this.#events = events;
    this.#names = names;
    this.#node = node;
    events.on("kick", (event) => {
      const server = this.#mine(event);
      if (server) server.kick(String(event.name), event.reason as string | undefined);
    });
    events.on("banmember", (event) => {
      const server = this.#mine(event);
      if (server) server.ban(String(event.name), event.durationMs as number | undefined);
    });
    events.on("roomkick", (event) => {
      const server = this.#mine(event);
      const room = server?.places.rooms.find(String(event.room));
      const owner = server?.places.clients.find(String(event.name))?.owner;
      if (room && owner) owner.kickedOut(room, String(event.why));
    });
    events.on("tell", (event) => {
      const client = this.#mine(event)?.places.clients.find(String(event.name));
      client?.spoke(); // an invite is kept for the holder of the name: their claim with it
      client?.member.deliver(new Outgoing({ type: "info", text: String(event.text) }));
    });
  }

  /** Starts doing what other nodes send (once the server runs). */
  attach(server: LocalModeration): void {
    this.#server = server;
  }

  kick(name: string, reason?: string): boolean {
    return this.#send(name, { kind: "kick", reason }) !== undefined;
  }

  ban(name: string, durationMs?: number): boolean {
    return this.#send(name, { kind: "banmember", durationMs }) !== undefined;
  }

  kickFromRoom(room: string, name: string, why: string): string | undefined {
    return this.#send(name, { kind: "roomkick", room, why })?.holder;
  }

  find(name: string): { name: string; holder: string } | undefined {
    return this.#names.holderOf(nameKey(name));
  }

  tell(name: string, text: string): boolean {
    return this.#send(name, { kind: "tell", text }) !== undefined;
  }

  /** Sends `fields` to the node holding `name`; undefined when no other node holds it. */
  #send(
    name: string,
    fields: { kind: string; [field: string]: unknown },
  ): { name: string; holder: string } | undefined {
    const held = this.#names.holderOf(nameKey(name));
    if (!held) return undefined;
    this.#events.publish({ ...fields, to: held.node, name: held.name, holder: held.holder })
      .catch(() => {});
    return held;
  }

  /** The server, when `event` is for this node's member with the holder it names. */
  #mine(event: { [field: string]: unknown }): LocalModeration | undefined {
    if (event.to !== this.#node || !this.#server) return undefined;
    const client = this.#server.places.clients.find(String(event.name));
    return client?.holder === event.holder ? this.#server : undefined;
  }
}

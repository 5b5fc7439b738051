/**
 * Listens for rooms on the local network: asks once for `_chat._tcp`
 * services, then hears answers, later announcements and goodbyes.
 *
 * @example
 * ```ts
 * const rooms = await findRooms(1000); // every room that answered within a second
 * ```
 *
 * @module
 */

import type { Bonjour } from "bonjour-service";
import { closeMdns, type MdnsError, openMdns } from "./mdns.ts";
import { type FoundRoom, type HeardService, roomFromService, SERVICE_TYPE } from "./room_record.ts";

/** A change in what is heard: a room appeared (or changed what it says), or said goodbye. */
export interface RoomEvent {
  type: "up" | "down";
  room: FoundRoom;
}

/** Listens until closed; keeps the rooms heard and tells each change. */
export class RoomFinder {
  readonly #bonjour: Bonjour;
  readonly #rooms = new Map<string, FoundRoom>();

  private constructor(bonjour: Bonjour) {
    this.#bonjour = bonjour;
  }

  /**
   * Starts listening. `onError` hears that multicast DNS cannot be used at
   * all; the finder then hears nothing.
   */
  static start(
    onEvent: (event: RoomEvent) => void,
    onError: (error: MdnsError) => void,
  ): RoomFinder {
    const bonjour = openMdns(onError);
    const finder = new RoomFinder(bonjour);
    const browser = bonjour.find({ type: SERVICE_TYPE });
    const heard = (service: HeardService) => {
      const room = roomFromService(service);
      if (!room) return;
      finder.#rooms.set(room.instance, room);
      onEvent({ type: "up", room });
    };
    browser.on("up", heard);
    browser.on("txt-update", heard);
    browser.on("srv-update", heard);
    browser.on("down", (service: HeardService) => {
      const room = roomFromService(service);
      if (!room || !finder.#rooms.delete(room.instance)) return;
      onEvent({ type: "down", room });
    });
    return finder;
  }

  /** The rooms heard so far and not gone, in the order they were first heard. */
  rooms(): FoundRoom[] {
    return [...this.#rooms.values()];
  }

  /** Stops listening and closes the socket. */
  async close(): Promise<void> {
    await closeMdns(this.#bonjour);
  }
}

/**
 * The rooms that answer within `listenMs`. Rejects with an
 * {@linkcode MdnsError} when multicast DNS cannot be used here at all.
 */
export async function findRooms(listenMs: number): Promise<FoundRoom[]> {
  let failure: MdnsError | undefined;
  let stop = () => {};
  const finder = RoomFinder.start(() => {}, (error) => {
    failure ??= error;
    stop();
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, listenMs);
    stop = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const rooms = finder.rooms();
  await finder.close();
  if (failure) throw failure;
  return rooms;
}

/**
 * Announces one room on the local network until stdin closes, with exactly
 * the TXT record given: a stand-in for anyone on the LAN who announces what
 * they like (for tests that must show what a false announcement can and
 * cannot do). Run inside a test's network namespace:
 * `ip netns exec NAME deno run -A tests/support/announce_room.ts '{"room":…,"port":…}'`.
 *
 * @module
 */

import { RoomAnnouncer } from "../../src/discovery/room_announcer.ts";
import type { RoomAnnouncement } from "../../src/discovery/room_record.ts";

const { room, port } = JSON.parse(Deno.args[0]) as { room: RoomAnnouncement; port: number };
const announcer = RoomAnnouncer.start({
  room,
  port,
  hostname: "impostor",
  onError: (error) => {
    console.error(error.message);
    Deno.exit(1);
  },
});
console.log("announcing");
for await (const _ of Deno.stdin.readable) {
  // until end of input
}
await announcer.stop();

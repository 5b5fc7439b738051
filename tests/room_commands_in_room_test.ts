/**
 * A command sent with a room (`{"type":"send","text":"/me …","room":"#a"}`)
 * acts in that room, as a message would, not in the client's current room:
 * `/me` and notices go to the room they were sent in. Over real TCP.
 */

import { assertEquals } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

Deno.test("/me, /topic and /who sent in a room act in that room, not the current one", async () => {
  await withServer(async (_server, port) => {
    const { client: ann } = await LineClient.join(port, "ann", { room: "#a", multiRoom: true });
    await ann.sendFrame({ type: "join", room: "#b" }); // #b is now the current room
    await ann.nextFrame((f) => f.type === "joined");
    const { client: onlyA } = await LineClient.join(port, "watcher", { room: "#a" });

    await ann.sendFrame({ type: "send", text: "/me waves", room: "#a" });
    const action = await onlyA.nextFrame((f) => f.type === "message");
    assertEquals([action.room, action.from, action.text, action.emote], [
      "#a",
      "ann",
      "waves",
      true,
    ]);

    await ann.sendFrame({ type: "send", text: "/topic homework here", room: "#a" });
    const notice = await onlyA.nextFrame((f) => f.type === "notice");
    assertEquals([notice.room, notice.text], ["#a", "ann set the topic: homework here"]);

    await ann.sendFrame({ type: "send", text: "/who", room: "#a" });
    const who = await ann.nextFrame((f) => f.type === "members");
    assertEquals([who.room, who.members], ["#a", ["ann", "watcher"]]);

    await ann.sendFrame({ type: "send", text: "/me is lost", room: "#nowhere" });
    assertEquals((await ann.nextFrame((f) => f.type === "error")).code, "not_in_room");
    ann.close();
    onlyA.close();
  }, { limits: UNLIMITED });
});

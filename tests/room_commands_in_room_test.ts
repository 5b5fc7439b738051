/**
 * A command sent with a room (`{"type":"send","text":"/me …","room":"#a"}`)
 * acts in that room, as a message would, not in the client's current room:
 * `/me` and notices go to the room they were sent in. The server's console
 * does what a room's operator does, in every room. Over real TCP.
 */

import { runConsoleLine } from "../src/server/operator_console.ts";
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

Deno.test("the server's console sets any room's topic and key, and invites into it", async () => {
  await withServer(async (server, port) => {
    const { client: olga } = await LineClient.join(port, "olga");
    await olga.say("/join #vault k3y");
    await olga.nextFrame((f) => f.type === "joined");
    await olga.say("/locktopic on");
    await olga.nextFrame((f) => f.type === "info");
    const { client: pete } = await LineClient.join(port, "pete");

    assertEquals(runConsoleLine(server, "/topic #vault the plans"), [
      "The topic of #vault is set.",
    ]);
    const notice = await olga.nextFrame((f) => f.type === "notice");
    assertEquals([notice.room, notice.text], ["#vault", "The operator set the topic: the plans"]);
    assertEquals(runConsoleLine(server, "/invite #vault pete"), ["pete may now join #vault."]);
    assertEquals(
      (await pete.nextFrame((f) => f.type === "info")).text,
      "The operator invited you to #vault: /join #vault to go there.",
    );
    await pete.say("/join #vault");
    assertEquals((await pete.nextFrame((f) => f.type === "joined")).topic, "the plans");
    assertEquals(runConsoleLine(server, "/key #vault"), ["#vault is open to everyone."]);
    const { client: quinn } = await LineClient.join(port, "quinn");
    await quinn.say("/join #vault");
    assertEquals((await quinn.nextFrame((f) => f.type === "joined")).room, "#vault");
    assertEquals(runConsoleLine(server, "/key #nowhere x"), [
      "!! There is no room #nowhere. /rooms lists them.",
    ]);
    assertEquals(runConsoleLine(server, "/invite #vault"), ["!! Usage: /invite #ROOM NAME"]);
    for (const client of [olga, pete, quinn]) client.close();
  }, { limits: UNLIMITED });
});

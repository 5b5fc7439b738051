/**
 * `/away` over real TCP: the text shows in /who (for structured and
 * plain-text clients) and answers private messages until `/away` alone.
 */

import { assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

Deno.test("/away TEXT shows in /who and answers private messages; /away alone ends it", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const plain = await LineClient.connect(port);
    try {
      await plain.nextLine((l) => l.startsWith("Type your name"));
      await plain.sendLine("carol");
      await plain.nextLine((l) => l.startsWith("-- Welcome"));

      await bob.say("/away at lunch, back at 2");
      const marked = await bob.nextFrame((f) => f.type === "info");
      assertMatch(marked.text, /You are marked away \("at lunch, back at 2"\)/);

      await alice.say("/who");
      const who = await alice.nextFrame((f) => f.type === "members");
      assertEquals(who.away, { bob: "at lunch, back at 2" });
      await plain.sendLine("/who");
      assertMatch(
        await plain.nextLine((l) => l.includes(" here: ")),
        /alice, bob \(away: at lunch, back at 2\), carol/,
      );

      // A private message still arrives, and its sender is told.
      await alice.say("/msg bob are you there?");
      const reply = await alice.nextFrame((f) => f.type === "info");
      assertEquals(reply.text, "bob is away: at lunch, back at 2");
      const whisper = await bob.nextFrame((f) => f.type === "private");
      assertEquals(whisper.text, "are you there?");

      await bob.say("/away");
      assertEquals((await bob.nextFrame((f) => f.type === "info")).text, "You are back.");
      await alice.say("/who");
      assertEquals((await alice.nextFrame((f) => f.type === "members")).away, undefined);
      await alice.say("/msg bob back?");
      await bob.nextFrame((f) => f.type === "private" && f.text === "back?");
      await alice.say("/who");
      await alice.nextFrame((f) => f.type === "members");
      assertEquals(
        alice.transcript.filter((line) => line.includes("is away")).length,
        1,
        "no automatic reply once back",
      );
    } finally {
      alice.close();
      bob.close();
      plain.close();
    }
  });
});

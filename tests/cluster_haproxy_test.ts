/**
 * The HAProxy example of docs/SCALING.md (docs/haproxy.cfg), run by Debian's
 * haproxy in front of two nodes: members are spread over the nodes, and one
 * whose node is killed reconnects through the same address to the other
 * node and resumes with nothing missed.
 */

import { assertEquals } from "./support/assert.ts";
import { killNode, withCluster } from "./support/cluster.ts";
import { haproxyAvailable, startHaproxy } from "./support/haproxy.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { redisAvailable } from "./support/redis_server.ts";

const missing = [!redisAvailable() && "redis-server", !haproxyAvailable() && "haproxy"]
  .filter(Boolean);
const isMessage = (text: string) => (f: AnyFrame) => f.type === "message" && f.text === text;

Deno.test({
  name: "cluster: behind docs/haproxy.cfg a member whose node dies reconnects to the other one" +
    (missing.length ? ` (ignored: ${missing.join(" and ")} not installed)` : ""),
  ignore: missing.length > 0,
  async fn() {
    await withCluster(2, async ({ nodes }) => {
      const proxy = await startHaproxy(nodes.map((node) => node.port));
      const joined = [
        await LineClient.join(proxy.port, "ann"),
        await LineClient.join(proxy.port, "bob"),
      ];
      try {
        const [ann, bob] = joined.map((j) => j.client);
        await ann.say("before");
        const before = await bob.nextFrame(isMessage("before"), 10_000);
        await ann.nextFrame(isMessage("before"), 10_000);
        // leastconn put them on different nodes: killing the first ends exactly one of them.
        await killNode(nodes[0]);
        const ended = await Promise.race(joined.map((j, i) => j.client.ended.then(() => i)));
        const [moving, staying] = ended === 0 ? joined : [joined[1], joined[0]];
        await staying.client.say("while you were moving");
        await staying.client.nextFrame(isMessage("while you were moving"), 10_000);
        // Through the same address, with the token and the last id seen: the other node.
        const back = await LineClient.join(proxy.port, moving.welcome.name, {
          resume: moving.welcome.session,
          since: before.id,
          log: moving.welcome.log,
        });
        const texts = back.welcome.history.filter((r: AnyFrame) => r.type === "message")
          .map((r: AnyFrame) => r.text);
        assertEquals(texts, ["while you were moving"]);
        await back.client.say("made it");
        await staying.client.nextFrame(isMessage("made it"), 10_000);
        back.client.close();
      } finally {
        for (const { client } of joined) client.close();
        await proxy.stop();
      }
    }, { args: ["--trust-proxy"] });
  },
});

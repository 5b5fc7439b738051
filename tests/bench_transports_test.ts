/**
 * The benchmark's WebSocket members (scripts/bench/member.ts): a tiny mixed
 * room delivers everything to both kinds of members and reports each kind
 * side by side. Nothing here is timed.
 */

import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./support/assert.ts";

const BENCH = fileURLToPath(new URL("../scripts/bench.ts", import.meta.url));

Deno.test("bench.ts mixed: TCP and WebSocket members get everything, reported side by side", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      BENCH,
      "--scenario",
      "mixed",
      "-c",
      "8",
      "-p",
      "2",
      "-k",
      "10",
      "--json",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr) + stdout);
  const [scenario] = JSON.parse(stdout).scenarios;
  assertEquals(scenario.settings.webSockets, 4, "half of the room, as the scenario's default");
  const { run } = scenario.runs[0];
  assertEquals([run.lost, run.outOfOrder, run.disconnected], [0, 0, 0]);
  assertEquals(run.deliveries, 8 * 2 * 10);
  for (const kind of ["tcp", "webSocket"] as const) {
    const share = run.byTransport[kind];
    assertEquals(share.members, 4, kind);
    assert(share.deliveriesPerSecond > 0, kind);
    assert(share.latency.samples > 0, `${kind} has probes`);
  }
});

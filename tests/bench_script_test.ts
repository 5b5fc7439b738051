/**
 * The load benchmark stays runnable: scripts/bench.ts with tiny parameters
 * starts a real server, delivers everything, reports valid JSON and exits 0;
 * its slow-member scenario sees the server drop a member that stops reading
 * and keep a member that reads at a normal pace while others paste; its
 * attack scenario runs every attack against a live room with the defences
 * at their defaults. Nothing here is timed.
 */

import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./support/assert.ts";
import { countNewlines } from "../scripts/bench/member.ts";

const BENCH = fileURLToPath(new URL("../scripts/bench.ts", import.meta.url));

async function runBench(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", BENCH, ...args, "--json"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, `bench failed:\n${stderr}\n${stdout}`);
  return JSON.parse(stdout);
}

Deno.test("bench.ts with C=5 P=2 K=10 delivers everything and reports it as JSON", async () => {
  const result = await runBench(["-c", "5", "-p", "2", "-k", "10"]);
  assertEquals(result.scenarios.length, 1);
  const [scenario] = result.scenarios;
  assertEquals(scenario.scenario, "fanout");
  assertEquals(scenario.problems, []);
  const { run, server } = scenario.runs[0];
  assertEquals(run.expectedDeliveries, 5 * 2 * 10);
  assertEquals(run.deliveries, run.expectedDeliveries);
  assertEquals(run.lost, 0);
  assertEquals(run.outOfOrder, 0);
  assert(run.deliveriesPerSecond > 0);
  assert(run.latency.samples > 0 && run.latency.p50 <= run.latency.p99);
  assert(run.latency.p99 <= run.latency.max);
  if (Deno.build.os === "linux") assert(server.peakRssBytes > 0, "server memory is read");
});

Deno.test("bench.ts in a room over 100 members: gathered joins are counted, nothing is lost", async () => {
  // Past 100 members the server gathers joins into presence records: the load
  // generator must count the names in them, not lines, or it waits forever.
  const result = await runBench(["-c", "130", "-p", "2", "-k", "20", "--timeout", "60"]);
  const [scenario] = result.scenarios;
  assertEquals(scenario.problems, []);
  const { run } = scenario.runs[0];
  assertEquals(run.deliveries, 130 * 2 * 20);
  assertEquals(run.lost, 0);
});

Deno.test("bench.ts slow scenario: the member that stops reading is dropped with a reason, a normal reader is not", async () => {
  const result = await runBench([
    "--scenario",
    "slow",
    "-c",
    "3",
    "-p",
    "1",
    "-k",
    "2000",
    "--text-chars",
    "4000",
    "--paste-seconds",
    "3",
  ]);
  const [scenario] = result.scenarios;
  assertEquals(scenario.problems, []);
  const { run, normalReader } = scenario.runs[0];
  assertEquals(run.lost, 0);
  assertEquals(run.slow, { members: 1, disconnected: 1, reasons: ["too slow (stopped reading)"] });
  // Two members pasted the biggest blocks the rate limit lets through; the reader got them.
  assertEquals(normalReader.pasters, 2);
  const reader = JSON.stringify(normalReader);
  assert(normalReader.pastesSent >= 2, reader);
  assertEquals(
    normalReader.pastesAccepted,
    normalReader.pastesSent,
    `every paste went through: ${reader}`,
  );
  assertEquals(normalReader.pastesRefused, 0, `the pasters kept within the rate limit: ${reader}`);
  assert(
    normalReader.linesReceived >= normalReader.pastesAccepted * normalReader.linesPerPaste,
    `the reader received every line of every paste: ${reader}`,
  );
  assertEquals(normalReader.cutOff, false, "a reader at a normal pace is not cut off");
});

Deno.test("bench.ts refuses unknown scenarios and bad numbers with a usage error", async () => {
  for (const args of [["--scenario", "nope"], ["-c", "zero"], ["-p", "9", "-c", "3"]]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", BENCH, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(output.code, 2, args.join(" "));
    assert(new TextDecoder().decode(output.stderr).includes("--help"));
  }
});

Deno.test("countNewlines counts every newline, whatever the alignment and length", () => {
  const bytes = new Uint8Array(70_000);
  let expected = 0;
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = (i * 7919) % 13 === 0 ? 0x0a : 0x20 + (i % 90);
    if (bytes[i] === 0x0a) expected++;
  }
  assertEquals(countNewlines(bytes), expected);
  for (let offset = 0; offset < 5; offset++) {
    const part = bytes.subarray(offset, offset + 1001);
    assertEquals(countNewlines(part), part.filter((b) => b === 0x0a).length);
  }
  assertEquals(countNewlines(new Uint8Array(0)), 0);
  assertEquals(countNewlines(new TextEncoder().encode("\n\n\n")), 3);
  const big = new Uint8Array(600_000).fill(0x0a);
  assertEquals(countNewlines(big), 600_000);
});

Deno.test("bench.ts attack scenario, tiny: every attack runs against a live room and is reported", async () => {
  const result = await runBench([
    "--scenario",
    "attack",
    "--attack-seconds",
    "1",
    "--settle",
    "0",
    "--churn",
    "1",
    "--slowloris",
    "20",
    "--guessers",
    "1",
    "--flooders",
    "1",
    "--attack-addresses",
    "4",
  ]);
  const [report] = result.attack;
  assertEquals(report.problems, [], "the good members stayed and received messages");
  for (const phase of report.phases) {
    assertEquals(Object.keys(phase.received), ["good0", "good1"]);
    for (const [name, count] of Object.entries(phase.received)) {
      assert((count as number) > 0, `${phase.name}: ${name} received the good members' messages`);
    }
  }
  assertEquals(report.phases.map((p: { name: string }) => p.name), [
    "quiet",
    "churn",
    "slowloris",
    "guessing",
    "mailbox",
  ]);
  for (const phase of report.phases) {
    assert(phase.latency.samples > 0, `${phase.name}: good members' latency is measured`);
    assert(phase.latency.p50 <= phase.latency.p99, phase.name);
    if (Deno.build.os === "linux") {
      assert(phase.rssBytes.before > 0 && phase.rssBytes.after > 0, `${phase.name}: memory read`);
      assert(phase.rssBytes.peak >= phase.rssBytes.before, phase.name);
    }
  }
  const attack = (name: string) =>
    report.phases.find((p: { name: string }) => p.name === name).attack;
  assert(attack("churn").joins > 0, "the churn loop joined and left");
  assert(attack("slowloris").opened > 0, "silent connections were opened");
  assertEquals(attack("slowloris").opened + attack("slowloris").refused, 20);
  assert(attack("guessing").guesses > 0, "passwords were guessed");
  // Each attack comes from fresh addresses: the churn before it does not use up the
  // flooder's join rate, and its names said a word, so mail for them is kept.
  assert(attack("mailbox").namesMade > 0, "names were made for the mailbox");
  assert(attack("mailbox").kept > 0, "mail for names that were really used was kept");
  assertEquals(report.verdicts.length, 4, "each attack is held against the targets");
});

Deno.test("bench.ts keeps attack flags to the attack scenario and load flags out of it", async () => {
  for (
    const args of [["--churn", "3"], ["--scenario", "attack", "-c", "5"], [
      "--scenario",
      "attack",
      "--slowloris",
      "-1",
    ]]
  ) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", BENCH, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(output.code, 2, args.join(" "));
    assert(new TextDecoder().decode(output.stderr).includes("--help"));
  }
});

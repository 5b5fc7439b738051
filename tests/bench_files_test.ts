/**
 * The files benchmark with a tiny file, so it cannot rot: it must move the
 * bytes intact and measure latency in both phases (never judged on times).
 */

import { assert, assertEquals } from "./support/assert.ts";
import { formatFilesReport, runFilesScenario } from "../scripts/bench/files.ts";

Deno.test("bench --scenario files moves a file up and down intact and measures both phases", async () => {
  const report = await runFilesScenario({ fileMb: 1, rate: 20, quietSeconds: 1 }, [], () => {});
  assertEquals(report.fileBytes, 1_000_000);
  assert(report.intact);
  assert(report.latency.quiet.samples > 0, JSON.stringify(report));
  assert(report.upload.seconds > 0 && report.download.seconds > 0);
  assert(formatFilesReport(report).includes("bytes back intact: yes"));
});

/** `chat serve`'s history flags: values, defaults, and mistakes as usage errors. */

import { parseServeArgs } from "../src/cli/serve_command.ts";
import { assertEquals, assertThrows } from "./support/assert.ts";

Deno.test("history flags have defaults and take values", () => {
  const defaults = parseServeArgs([])!.history;
  assertEquals(
    [defaults.dataDir, defaults.noHistory, defaults.historyLimit, defaults.historyOnJoin],
    [undefined, false, 10_000, 50],
  );
  const set = parseServeArgs([
    "--data",
    "/srv/chat",
    "--history-limit",
    "500",
    "--history-on-join",
    "0",
  ])!.history;
  assertEquals([set.dataDir, set.historyLimit, set.historyOnJoin], ["/srv/chat", 500, 0]);
  assertEquals(parseServeArgs(["--no-history"])!.history.noHistory, true);
});

Deno.test("history flag mistakes are usage errors that name the flag", () => {
  assertThrows(() => parseServeArgs(["--data", "x", "--no-history"]), {
    name: "UsageError",
    message: /not both/,
  });
  assertThrows(() => parseServeArgs(["--history-limit", "0"]), {
    name: "UsageError",
    message: /--history-limit/,
  });
  assertThrows(
    () => parseServeArgs(["--history-on-join", "5000"]),
    { name: "UsageError", message: /--history-on-join/ },
  );
  assertThrows(() => parseServeArgs(["--history-limit", "lots"]), {
    name: "UsageError",
    message: /--history-limit/,
  });
});

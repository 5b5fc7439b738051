/** Times on plain-text lines: the clock for today, the date too for anything older. */

import { formatStamp } from "../src/text/time.ts";
import { assertEquals, assertMatch } from "./support/assert.ts";

Deno.test("formatStamp shows HH:MM for today and the date before that", () => {
  const now = new Date(2026, 4, 3, 18, 40).getTime();
  assertEquals(formatStamp(new Date(2026, 4, 3, 9, 5).getTime(), now), "09:05");
  assertEquals(formatStamp(new Date(2026, 4, 2, 23, 59).getTime(), now), "2026-05-02 23:59");
  assertEquals(formatStamp(new Date(2025, 4, 3, 9, 5).getTime(), now), "2025-05-03 09:05");
  assertMatch(formatStamp(Date.now()), /^\d\d:\d\d$/);
});

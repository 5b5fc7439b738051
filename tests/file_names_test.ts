/** File names, sizes, types and how a file record reads: the pure parts of file sharing. */

import { assertEquals } from "./support/assert.ts";
import { freeFileName, safeFileName } from "../src/text/file_names.ts";
import { formatSize } from "../src/text/file_size.ts";
import { imageType } from "../src/server/files/file_kind.ts";
import { renderEntry } from "../src/client/render.ts";
import { createTheme } from "../src/client/theme.ts";

Deno.test("safeFileName keeps names from being paths, hiding tricks or Windows devices", () => {
  const cases: Array<[string, string]> = [
    ["holiday.jpg", "holiday.jpg"],
    ["../../etc/passwd", "etc_passwd"],
    ["/abs/path.txt", "abs_path.txt"],
    ["C:\\Windows\\win.ini", "C__Windows_win.ini"],
    ["..", "file"],
    ["", "file"],
    [".bashrc", "bashrc"],
    ["photo\u202Egpj.exe", "photogpj.exe"],
    ["zero\u200Bwidth\u2066.txt", "zerowidth.txt"],
    ["tab\there\r\n.txt", "tabhere.txt"],
    ["nul", "_nul"],
    ["COM1.log", "_COM1.log"],
    ["lpt9", "_lpt9"],
    ["console.txt", "console.txt"],
    ["trailing dots...", "trailing dots"],
    ['what?<>|*".txt', "what______.txt"],
  ];
  for (const [name, safe] of cases) assertEquals(safeFileName(name), safe, JSON.stringify(name));
  const long = safeFileName("a".repeat(300) + ".pdf");
  assertEquals([long.length, long.endsWith(".pdf")], [200, true]);
});

Deno.test("freeFileName never picks a name that is taken", () => {
  const taken = new Set(["report.pdf", "report (1).pdf", "notes"]);
  assertEquals(freeFileName("report.pdf", (n) => taken.has(n)), "report (2).pdf");
  assertEquals(freeFileName("notes", (n) => taken.has(n)), "notes (1)");
  assertEquals(freeFileName("new.txt", (n) => taken.has(n)), "new.txt");
});

Deno.test("formatSize reads like a file manager", () => {
  assertEquals(
    [0, 999, 1000, 2_100_000, 25_000_000, 1_300_000_000].map(formatSize),
    ["0 B", "999 B", "1.0 KB", "2.1 MB", "25 MB", "1.3 GB"],
  );
});

Deno.test("imageType knows the four raster formats by their bytes, nothing else", () => {
  const bytes = (...values: Array<number | string>) =>
    new Uint8Array(
      values.flatMap((v) => typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v]),
    );
  assertEquals(imageType(bytes(0x89, "PNG\r\n", 0x1a, "\n")), "image/png");
  assertEquals(imageType(bytes(0xff, 0xd8, 0xff, 0xe0)), "image/jpeg");
  assertEquals(imageType(bytes("GIF89a")), "image/gif");
  assertEquals(imageType(bytes("RIFF", 0, 0, 0, 0, "WEBP")), "image/webp");
  assertEquals(imageType(bytes("<svg xmlns=")), undefined);
  assertEquals(imageType(bytes("<html>")), undefined);
  assertEquals(imageType(bytes("RIFF", 0, 0, 0, 0, "WAVE")), undefined);
});

Deno.test("the terminal client shows a file record as one line: name as an OSC 8 link, size, /save number", () => {
  const theme = createTheme({ color: false, decorate: false });
  const record = {
    type: "file" as const,
    id: 9,
    ts: Date.now(),
    room: "#general",
    from: "alice",
    name: "holiday.jpg",
    size: 2_100_000,
    mime: "image/jpeg",
    url: "/f/TOKEN/holiday.jpg",
  };
  const files = { number: () => 3, href: () => "http://127.0.0.1:53000/f/TOKEN/holiday.jpg" };
  const [line, ...more] = renderEntry({ kind: "record", record }, {
    width: 80,
    me: "bob",
    theme,
    files,
  });
  assertEquals(more, []);
  assertEquals(
    line.replace(/^\d\d:\d\d /, ""),
    "alice shared \x1b]8;;http://127.0.0.1:53000/f/TOKEN/holiday.jpg\x07holiday.jpg\x1b]8;;\x07" +
      " (2.1 MB) · /save 3",
  );
  const [expired] = renderEntry({ kind: "record", record: { ...record, expired: true } }, {
    width: 80,
    me: "bob",
    theme,
    files,
  });
  assertEquals(
    expired.replace(/^\d\d:\d\d /, ""),
    "alice shared holiday.jpg (2.1 MB) — expired (deleted to make room)",
  );
});

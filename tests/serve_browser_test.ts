/**
 * `chat serve` and the browser: the banner prints the page's address next to
 * the join and nc lines, a QR code only for a terminal, and the port it
 * prints serves the page (HTTPS with `--tls`, same certificate).
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand, startServe } from "./support/chat_process.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";
import { LineClient } from "./support/line_client.ts";
import { banner, pageUrl, qrCode } from "../src/cli/serve_banner.ts";
import { machineInterfaces, reachableAddresses } from "../src/cli/addresses.ts";

Deno.test("chat serve prints the page's address and serves the page on the chat port; no QR into a pipe", async () => {
  const server = await startServe(["--trust-proxy"]);
  try {
    const output = server.output();
    const url = `http://127.0.0.1:${server.port}/`;
    assert(output.includes(`In a browser on this computer: ${url}`), output);
    assert(!output.includes("Scan to open"), "stdout is a pipe here: no QR code");
    const page = await fetch(url);
    assertEquals(page.status, 200);
    assertMatch(await page.text(), /<html/);
    // The same port still serves nc users (this address just loaded the page, so its
    // greeting would wait: it types its name at once instead).
    const plain = await LineClient.connect(server.port);
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));
    plain.close();
  } finally {
    await server.stop();
  }
});

Deno.test("the banner lists a browser address per reachable address; https with TLS", () => {
  const text = banner({ host: "0.0.0.0", port: 53000, fingerprint: "SHA256:abc" });
  assert(text.includes("In a browser on this computer: https://localhost:53000/"), text);
  assert(text.includes("fingerprint to compare"), text);
  assertEquals(pageUrl("fe80::1", 53000, false), "http://[fe80::1]:53000/");
  const plain = banner({ host: "127.0.0.1", port: 6000 });
  assert(plain.includes("http://127.0.0.1:6000/"), plain);
  assert(!banner({ host: "127.0.0.1", port: 6000, web: false }).includes("http://"));
  const withQr = banner({ host: "192.0.2.20", port: 6000, qr: true });
  assert(withQr.includes("Scan to open http://192.0.2.20:6000/ on a phone:"), withQr);
  assert(withQr.includes(qrCode("http://192.0.2.20:6000/")), withQr);
  // A phone cannot reach a room that listens on loopback: no QR code for it.
  assert(!banner({ host: "127.0.0.1", port: 6000, qr: true }).includes("Scan to open"));
});

Deno.test("the QR code is a square of half blocks that grows with the address", () => {
  const short = qrCode("http://10.0.0.2:53000/").split("\n");
  const long = qrCode(`http://[2001:db8::1234:5678:9abc]:53000/${"x".repeat(40)}`).split("\n");
  assert(short.every((line) => /^[ ▀▄█]+$/.test(line)), short.join("\n"));
  assertEquals(new Set(short.map((line) => [...line].length)).size, 1, "every row as wide");
  // Two module rows per text row: a square code is twice as wide as it is tall.
  assert(Math.abs([...short[0]].length - 2 * short.length) <= 2);
  assert(long.length > short.length);
});

/** Why the QR test cannot run here, if it cannot. */
const NO_QR_TEST = !tmuxAvailable()
  ? " (ignored: tmux is not installed)"
  : reachableAddresses("0.0.0.0", machineInterfaces()).length === 0
  ? " (ignored: this computer has no network address besides loopback)"
  : "";

Deno.test({
  name: "in a terminal chat serve shows a QR code of the page's address; --no-qr leaves it out" +
    NO_QR_TEST,
  ignore: NO_QR_TEST !== "",
  async fn() {
    const tmux = new TmuxServer();
    try {
      for (const [name, extra] of [["qr", []], ["noqr", ["--no-qr"]]] as const) {
        // Every interface (a phone could reach it), but never announced: no traffic leaves.
        const args = ["serve", "--host", "0.0.0.0", "--no-announce", "--port", "0", "--no-history"]
          .concat(extra);
        const command = chatCommand(args).map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`)
          .join(" ");
        const pane = await tmux.open(name, command, { columns: 120, rows: 60 });
        const rows = await pane.waitFor("Press Ctrl-C", 20_000);
        const text = rows.join("\n");
        if (name === "qr") {
          assertMatch(text, /Scan to open http:\/\/[\d.]+:\d+\/ on a phone:/);
          assert(rows.filter((row) => /^[ ▀▄█]{20,}$/.test(row.trimEnd())).length >= 10, text);
        } else {
          assert(!text.includes("Scan to open"), text);
        }
      }
    } finally {
      await tmux.kill();
    }
  },
});

/**
 * LAN discovery end to end: real `chat serve` processes announcing with
 * multicast DNS, real `chat find` and `chat join` hearing them, all inside
 * network namespaces this test creates (tests/support/netns.ts), so nothing
 * is sent outside them. Where namespaces cannot be made (not Linux, not
 * root), the tests are registered as ignored with the reason in their name.
 */

import type { FoundRoom } from "../src/discovery/room_record.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chatCommand } from "./support/chat_process.ts";
import { NetNamespace, netnsUnavailable } from "./support/netns.ts";
import { type ChatSandbox, makeSandbox, SandboxedChat } from "./support/sandboxed_chat.ts";
import { tmuxAvailable, TmuxServer } from "./support/tmux.ts";

const NO_NETNS = netnsUnavailable();
const IGNORED = NO_NETNS ? ` (ignored: ${NO_NETNS})` : "";

/** A `chat serve` announcing in a namespace. */
interface AnnouncedRoom {
  process: SandboxedChat;
  port: number;
  /** The certificate fingerprint its banner printed (TLS rooms). */
  fingerprint?: string;
}

/** Everything one test starts, stopped and removed at the end whatever happens. */
class Scene {
  readonly #processes: SandboxedChat[] = [];
  readonly #sandboxes: ChatSandbox[] = [];
  readonly #namespaces: NetNamespace[] = [];

  /** Owns `namespace` (removed at the end). */
  adopt(namespace: NetNamespace): NetNamespace {
    this.#namespaces.push(namespace);
    return namespace;
  }

  /** A fresh sandbox (config and data directories), removed at the end. */
  async sandbox(): Promise<ChatSandbox> {
    const sandbox = await makeSandbox();
    this.#sandboxes.push(sandbox);
    return sandbox;
  }

  /** Runs `chat ARGS` in `namespace`, in `sandbox` or one of its own. */
  async run(
    args: string[],
    namespace: NetNamespace,
    sandbox?: ChatSandbox,
  ): Promise<SandboxedChat> {
    const chat = SandboxedChat.fromSource(args, sandbox ?? await this.sandbox(), namespace.within);
    this.#processes.push(chat);
    return chat;
  }

  /** Starts `chat serve` on every interface of `namespace`, a free port, and waits until it announces. */
  async serve(namespace: NetNamespace, args: string[]): Promise<AnnouncedRoom> {
    const process = await this.run(
      ["serve", "--host", "0.0.0.0", "--port", "0", "--no-history", ...args],
      namespace,
    );
    const port = Number((await process.stdout.waitFor(/open on port (\d+)/, 20_000, "serve"))[1]);
    await process.stdout.waitFor(/Announced on the local network/, 10_000, "serve");
    const fingerprint = process.stdout.lines.join("\n").match(/fingerprint: (SHA256:\S+)/)?.[1];
    return { process, port, fingerprint };
  }

  /** Runs `chat find --json` in `namespace` until `enough` holds for what it lists (at most 20 s). */
  async findUntil(
    namespace: NetNamespace,
    enough: (rooms: FoundRoom[]) => boolean,
  ): Promise<FoundRoom[]> {
    const deadline = Date.now() + 20_000;
    while (true) {
      const find = await this.run(["find", "--json"], namespace);
      await find.closeInput();
      const status = await find.exit(15_000);
      assertEquals(status.code, 0, find.transcript());
      const rooms = JSON.parse(find.stdout.text()) as FoundRoom[];
      if (enough(rooms)) return rooms;
      if (Date.now() > deadline) {
        throw new Error(`chat find never listed enough:\n${find.transcript()}`);
      }
    }
  }

  async end(): Promise<void> {
    await Promise.all(this.#processes.map((chat) => chat.stop(5000).catch(() => {})));
    for (const sandbox of this.#sandboxes) await sandbox.remove().catch(() => {});
    for (const namespace of this.#namespaces) await namespace.remove();
  }
}

async function withScene(body: (scene: Scene) => Promise<void>): Promise<void> {
  const scene = new Scene();
  try {
    await body(scene);
  } finally {
    await scene.end();
  }
}

const byName = (rooms: FoundRoom[], name: string) => rooms.find((room) => room.name === name);

Deno.test({
  name:
    `two rooms announce: chat find --json lists both with their fields, and a stopped one is gone at once${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      const alice = await scene.serve(lan, ["--name", "Alice's room", "--password", "s3cret"]);
      const bob = await scene.serve(lan, ["--name", "Bob's room", "--tls"]);
      assertMatch(bob.fingerprint ?? "", /^SHA256:/);
      const rooms = await scene.findUntil(lan, (rooms) => rooms.length >= 2);
      assertEquals(rooms.length, 2, JSON.stringify(rooms));
      const { instance: _a, ...aliceRoom } = byName(rooms, "Alice's room")!;
      assertEquals(aliceRoom, {
        name: "Alice's room",
        address: "127.0.0.1",
        port: alice.port,
        addresses: [],
        protocol: 2,
        password: true,
        tls: false,
      });
      const { instance: _b, ...bobRoom } = byName(rooms, "Bob's room")!;
      assertEquals(bobRoom, {
        name: "Bob's room",
        address: "127.0.0.1",
        port: bob.port,
        addresses: [],
        protocol: 2,
        password: false,
        tls: true,
        fingerprint: bob.fingerprint,
      });

      // A watcher that has heard both sees Alice's room leave as soon as it stops: its goodbye.
      const watch = await scene.run(["find", "--watch", "--json"], lan);
      await watch.stdout.waitFor(/"event":"up".*"name":"Alice's room"/, 10_000, "find --watch");
      await watch.stdout.waitFor(/"event":"up".*"name":"Bob's room"/, 10_000, "find --watch");
      const stopped = await alice.process.stop();
      assertEquals(stopped.code, 0, alice.process.transcript());
      const down = await watch.stdout.waitFor(/^\{"event":"down".*$/, 5000, "find --watch");
      assertEquals(JSON.parse(down[0]).room.name, "Alice's room");
      assertEquals((await watch.stop()).code, 0, "--watch ends cleanly on SIGTERM (and Ctrl-C)");
      const after = await scene.findUntil(lan, () => true);
      assertEquals(after.map((room) => room.name), ["Bob's room"]);

      // Human output: one row per room with address:port and its access flags.
      const find = await scene.run(["find"], lan);
      await find.closeInput();
      assertEquals((await find.exit(15_000)).code, 0);
      assertEquals(find.stdout.lines[0].split(/\s+/), ["NAME", "ADDRESS", "ACCESS"]);
      assertMatch(
        find.stdout.lines[1],
        new RegExp(`^Bob's room +127\\.0\\.0\\.1:${bob.port} +TLS$`),
      );
    }),
});

Deno.test({
  name: `chat join without an address joins the only room found (plain mode)${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      const room = await scene.serve(lan, []); // named after the computer by default
      await scene.findUntil(lan, (rooms) => rooms.length === 1);
      const join = await scene.run(["join", "--name", "bob"], lan);
      await join.write("hello from the LAN\n");
      await join.stdout.waitFor(/bob: hello from the LAN/, 15_000, "chat join");
      await join.closeInput();
      assertEquals((await join.exit(10_000)).code, 0, join.transcript());
      assertMatch(
        join.stderr.text(),
        new RegExp(
          `Found one room on the local network: ${
            escape(Deno.hostname())
          }  127\\.0\\.0\\.1:${room.port}\\. Joining it\\.`,
        ),
      );
      await room.process.stdout.waitFor(/bob joined/, 5000, "serve");
    }),
});

Deno.test({
  name:
    `chat join without an address: several rooms in a pipe exit 1 listing them; none says how to join by address${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const empty = scene.adopt(await NetNamespace.create());
      const nothing = await scene.run(["join", "--name", "bob"], empty);
      await nothing.closeInput();
      assertEquals((await nothing.exit(15_000)).code, 1, nothing.transcript());
      assertMatch(
        nothing.stderr.text(),
        /^No chat room answered on the local network .*"chat join HOST"/,
      );
      const find = await scene.run(["find"], empty);
      await find.closeInput();
      assertEquals((await find.exit(15_000)).code, 0, find.transcript());
      assertEquals(find.stdout.text(), "");
      assertMatch(
        find.stderr.text(),
        /no answers; your firewall may block multicast DNS \(UDP 5353\)/,
      );

      const lan = scene.adopt(await NetNamespace.create());
      const one = await scene.serve(lan, ["--name", "One"]);
      const two = await scene.serve(lan, ["--name", "Two"]);
      await scene.findUntil(lan, (rooms) => rooms.length === 2);
      const join = await scene.run(["join", "--name", "bob"], lan);
      await join.closeInput();
      assertEquals((await join.exit(15_000)).code, 1, join.transcript());
      const lines = join.stderr.lines;
      assertEquals(lines[0], "2 rooms answered on the local network; join one by its address:");
      // From source the command is the task's; the names stand in one column.
      const listed = lines.slice(1).map((line) => line.replace(/  +/g, "  "));
      assertEquals(
        listed.sort(),
        [
          `  deno task join 127.0.0.1:${one.port}  One`,
          `  deno task join 127.0.0.1:${two.port}  Two`,
        ].sort(),
      );
      assertEquals(lines[1].search(/(One|Two)$/), lines[2].search(/(One|Two)$/), lines.join("\n"));
    }),
});

Deno.test({
  name:
    `chat join without an address: when no room answers, the one on this computer's default port is joined as before${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      // Loopback only: never announced, and where "chat join" alone used to go.
      const local = await scene.run([
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "53000",
        "--no-history",
      ], lan);
      await local.stdout.waitFor(/open on port 53000/, 20_000, "serve");
      const join = await scene.run(["join", "--name", "bob"], lan);
      await join.write("hello, this computer\n");
      await join.stdout.waitFor(/bob: hello, this computer/, 15_000, "chat join");
      await join.closeInput();
      assertEquals((await join.exit(10_000)).code, 0, join.transcript());
      assertEquals(
        join.stderr.lines[0],
        "No room answered on the local network; joining the one on this computer (localhost:53000).",
      );
      assert(!local.stdout.text().includes("Announced"), "a loopback room is not announced");
    }),
});

Deno.test({
  name:
    `chat join without an address in a terminal: a select prompt lists the rooms, the chosen one is joined${IGNORED}`,
  ignore: NO_NETNS !== undefined || !tmuxAvailable(),
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      const first = await scene.serve(lan, ["--name", "Attic"]);
      const second = await scene.serve(lan, ["--name", "Basement"]);
      await scene.findUntil(lan, (rooms) => rooms.length === 2);
      const tmux = new TmuxServer();
      try {
        const command = [...lan.within, ...chatCommand(["join", "--name", "carol"])]
          .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
        const pane = await tmux.open("chooser", command, { columns: 80, rows: 12 });
        const screen = await pane.waitFor(
          (rows) =>
            ["Which room?", "Attic", "Basement"].every((text) => rows.join("\n").includes(text)),
          15_000,
        );
        const listed = screen.join("\n");
        assertMatch(listed, new RegExp(`Attic  127\\.0\\.0\\.1:${first.port}`));
        assertMatch(listed, new RegExp(`Basement  127\\.0\\.0\\.1:${second.port}`));
        // The room listed second is chosen with the arrow key.
        const order = listed.indexOf("Attic") < listed.indexOf("Basement")
          ? [first, second]
          : [second, first];
        await pane.press("Down");
        await pane.press("Enter");
        await order[1].process.stdout.waitFor(/carol joined/, 15_000, "the chosen room");
        assert(
          !order[0].process.stdout.text().includes("carol joined"),
          "only the chosen room is joined",
        );
      } finally {
        await tmux.kill();
      }
    }),
});

Deno.test({
  name:
    `another computer on the LAN (veth pair): chat join without an address finds a TLS room and pins its announced fingerprint${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const { a: server, b: client } = await NetNamespace.lan();
      scene.adopt(server);
      scene.adopt(client);
      const room = await scene.serve(server, ["--name", "Over there", "--tls"]);
      const [found] = await scene.findUntil(client, (rooms) => rooms.length === 1);
      assertEquals(found.address, "192.0.2.1", "the answer came over the veth pair");
      assertEquals(found.addresses, ["192.0.2.1"], "the room's computer announced its LAN address");
      assertEquals(found.fingerprint, room.fingerprint);
      assertEquals(
        found.browserUrl,
        `https://192.0.2.1:${room.port}/`,
        "browsers can join it there",
      );

      const sandbox = await scene.sandbox();
      const join = await scene.run(["join", "--name", "dave"], client, sandbox);
      await join.write("hi across the LAN\n");
      await join.stdout.waitFor(/dave: hi across the LAN/, 20_000, "chat join");
      await join.closeInput();
      assertEquals((await join.exit(10_000)).code, 0, join.transcript());
      assertMatch(join.stderr.text(), /must match the fingerprint it announced, SHA256:/);
      const knownHosts = await Deno.readTextFile(`${sandbox.configDir}/known_hosts`);
      assertMatch(
        knownHosts,
        new RegExp(`^192\\.0\\.2\\.1:${room.port} ${escape(room.fingerprint!)}$`, "m"),
      );
    }),
});

Deno.test({
  name:
    `a false announcement cannot get a TLS room joined: its fingerprint must match, and a remembered pin wins${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      const real = await scene.run(
        ["serve", "--host", "0.0.0.0", "--port", "0", "--no-history", "--tls", "--no-announce"],
        lan,
      );
      const port = Number((await real.stdout.waitFor(/open on port (\d+)/, 20_000, "serve"))[1]);
      const fingerprint =
        (await real.stdout.waitFor(/fingerprint: (SHA256:\S+)/, 5000, "serve"))[1];
      // Someone else on the LAN announces that room's port with a certificate of their own.
      const forged = `SHA256:${"A".repeat(43)}`;
      const impostor = new Deno.Command(lan.within[0], {
        args: [
          ...lan.within.slice(1),
          Deno.execPath(),
          "run",
          "-A",
          new URL("./support/announce_room.ts", import.meta.url).pathname,
          JSON.stringify({
            room: { name: "Free pizza", password: false, tls: true, fingerprint: forged },
            port,
          }),
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      try {
        await scene.findUntil(lan, (rooms) => rooms[0]?.fingerprint === forged);

        const sandbox = await scene.sandbox();
        const refused = await scene.run(["join", "--name", "eve"], lan, sandbox);
        await refused.closeInput();
        assertEquals((await refused.exit(15_000)).code, 1, refused.transcript());
        assertMatch(
          refused.stderr.text(),
          new RegExp(`its fingerprint is ${escape(fingerprint)}, not ${escape(forged)}`),
        );
        await Deno.stat(`${sandbox.configDir}/known_hosts`).then(
          () => assert(false, "nothing may be remembered"),
          () => {},
        );

        // A computer that already knows the room keeps its pin; the announcement can't replace it.
        await Deno.mkdir(sandbox.configDir, { recursive: true });
        await Deno.writeTextFile(
          `${sandbox.configDir}/known_hosts`,
          `127.0.0.1:${port} ${fingerprint}\n`,
        );
        const known = await scene.run(["join", "--name", "eve"], lan, sandbox);
        await known.write("still the real room\n");
        await known.stdout.waitFor(/eve: still the real room/, 15_000, "chat join");
        await known.closeInput();
        assertEquals((await known.exit(10_000)).code, 0, known.transcript());
        assertEquals(
          await Deno.readTextFile(`${sandbox.configDir}/known_hosts`).then((text) =>
            text.includes(forged)
          ),
          false,
        );
      } finally {
        await impostor.stdin.close().catch(() => {});
        await impostor.output().catch(() => {});
      }
    }),
});

Deno.test({
  name:
    `a program holding UDP 5353 without sharing it: serve goes on unannounced, find and join say why${IGNORED}`,
  ignore: NO_NETNS !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const lan = scene.adopt(await NetNamespace.create());
      const holder = new Deno.Command(lan.within[0], {
        args: [
          ...lan.within.slice(1),
          Deno.execPath(),
          "eval",
          'import dgram from "node:dgram"; dgram.createSocket("udp4").bind(5353, () => console.log("holding"));',
        ],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      try {
        const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
        assertEquals((await reader.read()).value?.trim(), "holding");
        const room = await scene.run(
          ["serve", "--host", "0.0.0.0", "--port", "0", "--no-history"],
          lan,
        );
        const port = Number((await room.stdout.waitFor(/open on port (\d+)/, 20_000, "serve"))[1]);
        await room.stdout.waitFor(
          /Not announced on the local network: Can't use multicast DNS on UDP port 5353: another program holds it without sharing it\. Friends can join by address\./,
          10_000,
          "serve",
        );
        assert(!room.stdout.text().includes("Announced on"), room.transcript());
        for (const args of [["find"], ["join", "--name", "bob"]]) {
          const run = await scene.run(args, lan);
          await run.closeInput();
          assertEquals((await run.exit(15_000)).code, 1, run.transcript());
          assertMatch(
            run.stderr.text(),
            /^Can't use multicast DNS on UDP port 5353: .* Join by address instead: "chat join HOST"\.$/,
          );
        }
        // The room itself is fine: joined by address it works.
        const join = await scene.run(["join", "--name", "carol", `127.0.0.1:${port}`], lan);
        await join.write("by address\n");
        await join.stdout.waitFor(/carol: by address/, 15_000, "chat join");
        await join.closeInput();
        assertEquals((await join.exit(10_000)).code, 0, join.transcript());
      } finally {
        holder.kill("SIGKILL");
        await holder.status;
      }
    }),
});

/** Why avahi cannot be run in a test namespace here, or `undefined` when it can. */
function avahiUnavailable(): string | undefined {
  if (NO_NETNS) return NO_NETNS;
  for (const program of ["avahi-daemon", "avahi-browse", "dbus-daemon", "unshare"]) {
    const found = new Deno.Command("sh", { args: ["-c", `command -v ${program}`], stdout: "null" })
      .outputSync().success;
    if (!found) return `${program} is not installed`;
  }
  return undefined;
}

const NO_AVAHI = avahiUnavailable();

/**
 * An avahi daemon (with a private D-Bus for avahi-browse) in `namespace`,
 * in a mount namespace of its own so its /run files are private too. It
 * holds UDP 5353 as on a Linux desktop; `browse()` runs avahi-browse there.
 */
class AvahiDaemon {
  static readonly SCRIPT = `
    set -e
    mount -t tmpfs tmpfs /run
    mkdir -p /run/dbus /run/avahi-daemon
    printf '[server]\nuse-ipv6=no\n[publish]\npublish-workstation=no\npublish-hinfo=no\n' > /run/avahi.conf
    dbus-daemon --system --nofork & bus=$!
    sleep 0.2
    avahi-daemon --no-drop-root --no-chroot --no-rlimits -f /run/avahi.conf 2>/run/avahi.log & avahi=$!
    trap 'kill $avahi $bus; wait' EXIT
    i=0; until avahi-daemon -c; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done
    echo ready
    while read -r command; do
      [ "$command" = browse ] && avahi-browse -rpt _chat._tcp
      echo end
    done
  `;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;

  constructor(namespace: NetNamespace) {
    this.#child = new Deno.Command(namespace.within[0], {
      args: [
        ...namespace.within.slice(1),
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        AvahiDaemon.SCRIPT,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines())
      .getReader();
  }

  /** Waits until the daemon runs. */
  async ready(): Promise<void> {
    const lines = await this.#until("ready", 15_000);
    assertEquals(lines.at(-1), "ready", "avahi-daemon did not start");
  }

  /** avahi-browse's resolved `_chat._tcp` services, one parsable line each. */
  async browse(): Promise<string[]> {
    await this.#stdin.write(new TextEncoder().encode("browse\n"));
    return (await this.#until("end", 15_000)).filter((line) => line.startsWith("="));
  }

  async stop(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    await this.#child.status;
  }

  async #until(last: string, timeoutMs: number): Promise<string[]> {
    const lines: string[] = [];
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), timeoutMs);
    try {
      while (true) {
        const { value, done } = await this.#lines.read();
        if (done || value === last) return done ? lines : [...lines, value];
        lines.push(value);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function splitLines(): TransformStream<string, string> {
  let partial = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const part of parts) controller.enqueue(part);
    },
  });
}

Deno.test({
  name: `with avahi holding UDP 5353, rooms are announced and found, and avahi-browse sees them${
    NO_AVAHI ? ` (ignored: ${NO_AVAHI})` : ""
  }`,
  ignore: NO_AVAHI !== undefined,
  fn: () =>
    withScene(async (scene) => {
      const { a, b } = await NetNamespace.lan();
      scene.adopt(a);
      scene.adopt(b);
      const avahi = new AvahiDaemon(b);
      try {
        await avahi.ready();
        const there = await scene.serve(a, ["--name", "Over there"]);
        const here = await scene.serve(b, ["--name", "Next to avahi"]); // shares 5353 with avahi
        const fromB = await scene.findUntil(b, (rooms) => rooms.length === 2);
        assertEquals(fromB.map((room) => room.name).sort(), ["Next to avahi", "Over there"]);
        const fromA = await scene.findUntil(a, (rooms) => rooms.length === 2);
        assertEquals(byName(fromA, "Next to avahi")?.address, "192.0.2.2");

        const browsed = await avahi.browse();
        const seen = browsed.find((line) => line.includes(`;${there.port};`));
        assert(seen, `avahi-browse did not resolve the room:\n${browsed.join("\n")}`);
        assertMatch(seen, /;_chat\._tcp;local;/);
        assertMatch(seen, /;192\.0\.2\.1;/);
        assertMatch(seen, /"name=Over there"/);
        assertMatch(seen, /"proto=2"/);
        assert(browsed.some((line) => line.includes(`;${here.port};`)), browsed.join("\n"));
      } finally {
        await avahi.stop();
      }
    }),
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

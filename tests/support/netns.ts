/**
 * Private networks for LAN-discovery tests: Linux network namespaces the
 * test creates (`ip netns add`, as root), each with its loopback up and
 * multicast routed onto it, so multicast DNS works inside and nothing is
 * sent anywhere else. Two namespaces joined by a veth pair act as two
 * computers on one LAN; their addresses (192.0.2.0/24, TEST-NET-1, which is
 * never routed) exist only inside the pair.
 *
 * @module
 */

/** A network namespace of this test run; {@linkcode NetNamespace.remove} deletes it. */
export class NetNamespace {
  private constructor(readonly name: string) {}

  /** Creates a namespace with loopback up and 224.0.0.0/4 routed to it. */
  static async create(): Promise<NetNamespace> {
    const name = `chat-lan-${Deno.pid}-${crypto.randomUUID().slice(0, 6)}`;
    await ip("netns", "add", name);
    const namespace = new NetNamespace(name);
    try {
      await ip("-n", name, "link", "set", "lo", "up");
      await ip("-n", name, "route", "add", "224.0.0.0/4", "dev", "lo");
    } catch (error) {
      await namespace.remove();
      throw error;
    }
    return namespace;
  }

  /**
   * Creates two namespaces joined by a veth pair, `a` at 192.0.2.1 and `b`
   * at 192.0.2.2, multicast routed over the pair: two computers on one LAN.
   */
  static async lan(): Promise<{ a: NetNamespace; b: NetNamespace }> {
    const a = await NetNamespace.create();
    let b: NetNamespace | undefined;
    try {
      b = await NetNamespace.create();
      await ip(
        "-n",
        a.name,
        "link",
        "add",
        "lan0",
        "type",
        "veth",
        "peer",
        "name",
        "lan0",
        "netns",
        b.name,
      );
      for (const [namespace, address] of [[a, "192.0.2.1/24"], [b, "192.0.2.2/24"]] as const) {
        await ip("-n", namespace.name, "addr", "add", address, "dev", "lan0");
        await ip("-n", namespace.name, "link", "set", "lan0", "up");
        // Multicast goes out on the LAN, not on loopback, as on a real computer.
        await ip("-n", namespace.name, "route", "replace", "224.0.0.0/4", "dev", "lan0");
      }
      return { a, b };
    } catch (error) {
      await a.remove();
      await b?.remove();
      throw error;
    }
  }

  /** The command prefix that runs a program inside this namespace. */
  get within(): string[] {
    return ["ip", "netns", "exec", this.name];
  }

  /** Deletes the namespace (and its end of any veth pair). */
  async remove(): Promise<void> {
    await ip("netns", "delete", this.name).catch(() => {});
  }
}

/**
 * Why network namespaces cannot be used here, or `undefined` when they can
 * (creates and deletes one to find out).
 */
export function netnsUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces exist on Linux only";
  const name = `chat-lan-probe-${Deno.pid}`;
  try {
    const add = new Deno.Command("ip", {
      args: ["netns", "add", name],
      stdout: "null",
      stderr: "piped",
    })
      .outputSync();
    if (!add.success) {
      return `"ip netns add" failed (${
        new TextDecoder().decode(add.stderr).trim()
      }); it needs root`;
    }
    new Deno.Command("ip", { args: ["netns", "delete", name], stdout: "null", stderr: "null" })
      .outputSync();
    return undefined;
  } catch (error) {
    return `the "ip" command is missing (${(error as Error).message})`;
  }
}

async function ip(...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("ip", {
    args,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  if (!success) throw new Error(`ip ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
}

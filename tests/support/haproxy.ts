/**
 * Debian's HAProxy running docs/haproxy.cfg (the example of docs/SCALING.md)
 * on 127.0.0.1, in front of test nodes. Without haproxy the tests register
 * as ignored.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Where Debian installs HAProxy. */
export const HAPROXY = "/usr/sbin/haproxy";

/** The example configuration the docs give. */
export const HAPROXY_CFG = fileURLToPath(new URL("../../docs/haproxy.cfg", import.meta.url));

/** True when haproxy is installed. */
export function haproxyAvailable(): boolean {
  try {
    return Deno.statSync(HAPROXY).isFile;
  } catch {
    return false;
  }
}

/** A running haproxy and the port it listens on. */
export interface HaproxyProcess {
  port: number;
  stop(): Promise<void>;
}

/** Starts haproxy with the docs' configuration in front of `nodes` (ports on 127.0.0.1). */
export async function startHaproxy(nodes: number[]): Promise<HaproxyProcess> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const env: Record<string, string> = { CHAT_FRONT: `127.0.0.1:${port}` };
  nodes.forEach((node, i) => env[`CHAT_NODE${i + 1}`] = `127.0.0.1:${node}`);
  const child = new Deno.Command(HAPROXY, {
    args: ["-db", "-f", HAPROXY_CFG],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("haproxy did not start listening");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    port,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/**
 * Fingerprints of the TLS rooms this computer has joined, one line per room
 * (`host:port SHA256:…`) in the config directory's `known_hosts` file, the way
 * ssh remembers host keys: the first connection pins the certificate, later
 * ones must present the same one.
 *
 * @module
 */

import { dirname } from "node:path";

/** The known-hosts file. Read on every lookup (it is tiny), rewritten on every change. */
export class KnownHosts {
  /** Where the fingerprints are kept. */
  readonly path: string;

  /** @param path the file; it and its directory are created on the first {@linkcode remember} */
  constructor(path: string) {
    this.path = path;
  }

  /** The fingerprint remembered for `target` (`host:port`), if any. */
  async lookup(target: string): Promise<string | undefined> {
    return (await this.#read()).get(target.toLowerCase());
  }

  /** Remembers (or replaces) the fingerprint of `target`. */
  async remember(target: string, fingerprint: string): Promise<void> {
    const entries = await this.#read();
    entries.set(target.toLowerCase(), fingerprint);
    const lines = [...entries].map(([host, print]) => `${host} ${print}`);
    await Deno.mkdir(dirname(this.path), { recursive: true });
    await Deno.writeTextFile(
      this.path,
      `# TLS certificates of chat rooms, pinned on first use. Delete a line to forget a room.\n${
        lines.join("\n")
      }\n`,
    );
  }

  async #read(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new Map();
      throw error;
    }
    const entries = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const [host, fingerprint] = line.trim().split(/\s+/);
      if (host && fingerprint && !host.startsWith("#")) {
        entries.set(host.toLowerCase(), fingerprint);
      }
    }
    return entries;
  }
}

/**
 * `chat serve`'s TLS flags: `--tls` alone (a self-signed certificate created
 * on first run and kept in the data directory) or `--cert`/`--key` (the
 * operator's own PEM files, which imply `--tls`).
 *
 * @module
 */

import { join } from "node:path";
import { loadIdentity, selfSignedIdentity, type TlsIdentity } from "../server/tls_identity.ts";
import { machineInterfaces, reachableAddresses } from "./addresses.ts";
import type { ParsedArgs } from "./args.ts";
import { UsageError, UserError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/** The TLS options of `chat serve`. */
export const TLS_OPTIONS: OptionTable = {
  tls: {
    type: "boolean",
    help: "serve TLS only, with a self-signed certificate made on first run\n" +
      "and kept in the data directory (the banner shows its fingerprint)",
  },
  cert: {
    type: "string",
    value: "FILE",
    help: "your own certificate (PEM) instead; implies --tls, needs --key",
  },
  key: { type: "string", value: "FILE", help: "the private key (PEM) of --cert" },
};

/** What the TLS flags asked for. */
export interface TlsFlags {
  /** Serve TLS; with `certPath` and `keyPath` from those files, else a self-signed certificate. */
  tls: boolean;
  certPath?: string;
  keyPath?: string;
}

/** Reads the TLS flags; `--cert` without `--key` (or the reverse) is a usage error. */
export function tlsFlagsFrom(values: ParsedArgs["values"], command: string): TlsFlags {
  const certPath = values.cert === undefined ? undefined : String(values.cert);
  const keyPath = values.key === undefined ? undefined : String(values.key);
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new UsageError("--cert and --key go together: give both PEM files, or neither.", command);
  }
  return { tls: Boolean(values.tls) || certPath !== undefined, certPath, keyPath };
}

/** The operator's certificate, or the self-signed one kept in `dataDir`. */
export async function serverIdentity(settings: TlsFlags, dataDir: string): Promise<TlsIdentity> {
  if (settings.certPath && settings.keyPath) {
    try {
      return await loadIdentity(settings.certPath, settings.keyPath);
    } catch (error) {
      throw new UserError(
        `Can't use the certificate ${settings.certPath} with the key ${settings.keyPath} (${
          (error as Error).message
        }). Check the --cert and --key files are PEM.`,
        { cause: error },
      );
    }
  }
  const dir = join(dataDir, "tls");
  const names = ["localhost", "127.0.0.1", ...reachableAddresses("::", machineInterfaces())];
  try {
    return await selfSignedIdentity(dir, names);
  } catch (error) {
    throw new UserError(
      `Can't create or read the TLS certificate in ${dir} (${
        (error as Error).message
      }). Give your own with --cert and --key.`,
      { cause: error },
    );
  }
}

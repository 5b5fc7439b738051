/**
 * Where `chat` keeps its files, following each platform's convention:
 *
 * | platform | config                              | data                                  |
 * | -------- | ----------------------------------- | ------------------------------------- |
 * | Linux    | `$XDG_CONFIG_HOME/chat` (~/.config) | `$XDG_DATA_HOME/chat` (~/.local/share) |
 * | macOS    | `~/Library/Application Support/chat` | the same                             |
 * | Windows  | `%APPDATA%\chat`                    | `%LOCALAPPDATA%\chat`                 |
 *
 * `CHAT_CONFIG_DIR` and `CHAT_DATA_DIR` override both (tests and portable setups use them).
 *
 * @module
 */

import { join } from "node:path";

/** The environment variables this module reads (the compiled binary is allowed exactly these). */
export const DIRECTORY_ENV_VARS = [
  "CHAT_CONFIG_DIR",
  "CHAT_DATA_DIR",
  "HOME",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
] as const;

type DirectoryEnv = Partial<Record<(typeof DIRECTORY_ENV_VARS)[number], string>>;

/** Reads the directory variables from the process environment. */
function processEnv(): DirectoryEnv {
  const env: DirectoryEnv = {};
  for (const name of DIRECTORY_ENV_VARS) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

function home(env: DirectoryEnv): string {
  const dir = env.HOME ?? env.USERPROFILE;
  if (!dir) {
    throw new Error(
      "Can't find your home directory (HOME is not set). Set CHAT_CONFIG_DIR and CHAT_DATA_DIR.",
    );
  }
  return dir;
}

/** The directory for settings and known hosts. */
export function configDir(os: typeof Deno.build.os = Deno.build.os, env = processEnv()): string {
  if (env.CHAT_CONFIG_DIR) return env.CHAT_CONFIG_DIR;
  if (os === "windows") return join(env.APPDATA ?? join(home(env), "AppData", "Roaming"), "chat");
  if (os === "darwin") return join(home(env), "Library", "Application Support", "chat");
  return join(env.XDG_CONFIG_HOME ?? join(home(env), ".config"), "chat");
}

/** The directory for the history database and the server's certificate. */
export function dataDir(os: typeof Deno.build.os = Deno.build.os, env = processEnv()): string {
  if (env.CHAT_DATA_DIR) return env.CHAT_DATA_DIR;
  if (os === "windows") {
    return join(env.LOCALAPPDATA ?? join(home(env), "AppData", "Local"), "chat");
  }
  if (os === "darwin") return join(home(env), "Library", "Application Support", "chat");
  return join(env.XDG_DATA_HOME ?? join(home(env), ".local", "share"), "chat");
}

/**
 * Where downloaded files go: the Downloads folder of the platform (on Linux
 * the `XDG_DOWNLOAD_DIR` of `~/.config/user-dirs.dirs` when set, as the
 * desktop's file manager has it), else `~/Downloads`.
 */
export function downloadsDir(os: typeof Deno.build.os = Deno.build.os, env = processEnv()): string {
  const homeDir = home(env);
  if (os === "linux") {
    try {
      const dirs = Deno.readTextFileSync(
        join(env.XDG_CONFIG_HOME ?? join(homeDir, ".config"), "user-dirs.dirs"),
      );
      const found = dirs.match(/^XDG_DOWNLOAD_DIR="([^"]+)"/m)?.[1];
      if (found) return found.replace(/^\$HOME/, homeDir);
    } catch {
      // No desktop settings: the usual place.
    }
  }
  return join(homeDir, "Downloads");
}

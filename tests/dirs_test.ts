import { join } from "node:path";
import { configDir, dataDir, downloadsDir } from "../src/cli/dirs.ts";
import { assertEquals, assertThrows } from "./support/assert.ts";

Deno.test("config and data directories follow each platform's convention", () => {
  const env = { HOME: "/home/ann" };
  assertEquals(configDir("linux", env), "/home/ann/.config/chat");
  assertEquals(dataDir("linux", env), "/home/ann/.local/share/chat");
  assertEquals(configDir("linux", { ...env, XDG_CONFIG_HOME: "/x/conf" }), "/x/conf/chat");
  assertEquals(dataDir("linux", { ...env, XDG_DATA_HOME: "/x/data" }), "/x/data/chat");
  assertEquals(configDir("darwin", env), "/home/ann/Library/Application Support/chat");
  assertEquals(dataDir("darwin", env), "/home/ann/Library/Application Support/chat");
  const windows = { USERPROFILE: "C:/Users/ann", APPDATA: "C:/R", LOCALAPPDATA: "C:/L" };
  assertEquals(configDir("windows", windows).replaceAll("\\", "/"), "C:/R/chat");
  assertEquals(dataDir("windows", windows).replaceAll("\\", "/"), "C:/L/chat");
});

Deno.test("CHAT_CONFIG_DIR and CHAT_DATA_DIR override the platform directories", () => {
  const env = { HOME: "/home/ann", CHAT_CONFIG_DIR: "/c", CHAT_DATA_DIR: "/d" };
  assertEquals(configDir("linux", env), "/c");
  assertEquals(dataDir("windows", env), "/d");
});

Deno.test("a missing home directory is a clear error", () => {
  assertThrows(() => configDir("linux", {}), /CHAT_CONFIG_DIR/);
});

Deno.test("downloads go to the desktop's XDG_DOWNLOAD_DIR on Linux, else ~/Downloads", async () => {
  const home = await Deno.makeTempDir();
  try {
    const env = { HOME: home };
    assertEquals(downloadsDir("linux", env), join(home, "Downloads"), "no user-dirs.dirs");
    await Deno.mkdir(join(home, ".config"));
    const dirs = join(home, ".config", "user-dirs.dirs");
    await Deno.writeTextFile(
      dirs,
      '# XDG_DOWNLOAD_DIR="$HOME/commented"\nXDG_DESKTOP_DIR="$HOME/Bureau"\n' +
        'XDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n',
    );
    assertEquals(downloadsDir("linux", env), join(home, "Téléchargements"));
    await Deno.writeTextFile(dirs, 'XDG_DOWNLOAD_DIR="/srv/incoming"\n');
    assertEquals(downloadsDir("linux", env), "/srv/incoming", "an absolute path");
    assertEquals(
      downloadsDir("linux", { ...env, XDG_CONFIG_HOME: join(home, "none") }),
      join(home, "Downloads"),
    );
    assertEquals(downloadsDir("darwin", env), join(home, "Downloads"));
    assertEquals(
      downloadsDir("windows", { USERPROFILE: "C:/Users/ann" }).replaceAll("\\", "/"),
      "C:/Users/ann/Downloads",
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

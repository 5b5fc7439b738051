import { configDir, dataDir } from "../src/cli/dirs.ts";
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

/**
 * A temporary directory for a test (a data directory, a database file),
 * removed afterwards whatever happens.
 *
 * @module
 */

/** Runs `body` with a fresh temporary directory and removes it afterwards. */
export async function withTempDir(
  body: (dir: string) => Promise<void> | void,
  prefix = "chat-test-",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

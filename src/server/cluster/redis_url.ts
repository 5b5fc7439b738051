/**
 * Redis URLs as `chat serve --redis` takes them: checked before anything
 * connects, and shown without their password.
 *
 * @module
 */

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Checks a `--redis` value; returns a sentence for the person when it is not usable. */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a Redis URL; write it as redis://HOST:PORT/DB.`;
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return `A Redis URL starts with redis:// (or rediss:// for TLS), not ${parsed.protocol}//.`;
  }
  if (parsed.hostname === "") return "The Redis URL needs a host: redis://HOST:PORT/DB.";
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) {
    return `The Redis database in the URL must be a number (redis://HOST:PORT/0), not "${db}".`;
  }
  return undefined;
}

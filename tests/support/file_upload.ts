/**
 * Sharing a file the way any client does (docs/PROTOCOL.md, "Files"): an
 * `upload` frame over the chat connection for a slot, then the bytes with an
 * HTTP `PUT` to it.
 *
 * @module
 */

import type { AnyFrame, LineClient } from "./line_client.ts";

/** Asks for a slot over `client`'s chat connection; the `upload_slot` or `error` frame. */
export async function askSlot(
  client: LineClient,
  fields: Record<string, unknown>,
): Promise<AnyFrame> {
  const ref = `r${Math.random()}`;
  await client.sendFrame({ type: "upload", ref, ...fields });
  return await client.nextFrame((f) =>
    (f.type === "upload_slot" || f.type === "error") && f.ref === ref
  );
}

/** Uploads `bytes` as `name` through a slot (`fields` adds `to` or `room`); the HTTP answer. */
export async function upload(
  client: LineClient,
  port: number,
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  fields: Record<string, unknown> = {},
): Promise<{ status: number; body: AnyFrame }> {
  const slot = await askSlot(client, { name, size: bytes.length, ...fields });
  if (slot.type !== "upload_slot") throw new Error(`slot refused: ${slot.message}`);
  const response = await fetch(`http://127.0.0.1:${port}${slot.url}`, {
    method: "PUT",
    body: bytes,
  });
  return { status: response.status, body: await response.json() };
}

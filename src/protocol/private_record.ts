/**
 * Which records are between two people rather than in a room: private
 * messages, and files shared privately (the terminal client and the page
 * both use this rule). Their ids come from the private log, not from any room's order
 * of ids, so a client keeps them apart when it de-duplicates and resumes.
 *
 * @module
 */

import type { FileRecord, PrivateRecord, RoomRecord } from "./frames.ts";

/** A file shared privately with one member. */
export type PrivateFileRecord = FileRecord & { to: string };

/** True for a private message or a privately shared file. */
export function isPrivateRecord(record: RoomRecord): record is PrivateRecord | PrivateFileRecord {
  return (record.type === "private" || record.type === "file" && record.to !== undefined) &&
    record.room === undefined;
}

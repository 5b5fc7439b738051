/**
 * Machine-readable codes carried by `error` and `bye` frames. Clients switch
 * on these; the human sentence beside them may change freely.
 *
 * @module
 */

/** Codes of `error` frames: the request was refused, the connection stays. */
export type ErrorCode =
  | "bad_frame"
  | "unknown_type"
  | "bad_field"
  | "unsupported_version"
  | "not_joined"
  | "already_joined"
  | "name_invalid"
  | "name_reserved"
  | "name_taken"
  | "name_open"
  | "message_too_long"
  | "empty_message"
  | "unknown_command"
  | "bad_arguments"
  | "no_such_member"
  | "mailbox_full"
  | "wrong_password"
  | "too_many_attempts"
  | "rate_limited"
  | "room_invalid"
  | "not_in_room"
  | "no_such_room"
  | "too_many_rooms"
  | "key_needed"
  | "wrong_key"
  | "not_room_operator"
  | "not_sent"
  | "files_off"
  | "file_too_large"
  | "upload_rate"
  | "bad_file_name";

/** Codes of `bye` frames: why the server closed the connection. */
export type ByeCode =
  | "quit"
  | "shutdown"
  | "line_too_long"
  | "handshake_timeout"
  | "replaced"
  | "kicked"
  | "banned"
  | "flood"
  | "server_full"
  | "too_many_connections"
  | "too_many_attempts"
  | "too_many_joins"
  | "server_busy"
  | "room_unavailable";

/** A refusal: code plus a sentence for a person. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

/**
 * Size and time limits shared by the server and the client. Every limit has a
 * default here and (for the server) a command-line flag; docs/SECURITY.md
 * lists them all.
 *
 * @module
 */

/** Limits a server enforces on every connection. */
export interface Limits {
  /** Longest frame (one line, in bytes, newline excluded); longer closes the connection. */
  maxLineBytes: number;
  /** Longest chat message, in characters (code points) after cleaning. */
  maxMessageChars: number;
  /** Most bytes queued for one client before it is disconnected as too slow. */
  maxQueueBytes: number;
  /** Time a new connection has to choose a name before it is closed. */
  handshakeTimeoutMs: number;
  /** Silence after which a structured client is pinged. */
  idleTimeoutMs: number;
  /** Time a pinged client has to answer before it is considered gone. */
  pingTimeoutMs: number;
  /** Silence after which a plain-text client's unterminated line counts as a line. */
  partialLineMs: number;
  /** Delay before a silent new connection is greeted as a plain-text client. */
  greetingDelayMs: number;
  /** Open connections the server accepts in total. */
  maxConnections: number;
  /** Open connections the server accepts from one address (IPv4 address, IPv6 /64). */
  maxConnectionsPerAddress: number;
  /**
   * Open connections that have not joined yet (a share of `maxConnections`); when
   * full, the oldest of them is dropped to make room, members never are.
   */
  maxUnjoined: number;
  /**
   * New connections one address (IPv4 address, IPv6 /64) may open in a burst; past
   * it and {@linkcode Limits.connectsPerSecond}, a connection is closed unread.
   */
  connectBurst: number;
  /** New connections one address may open per second, on average, after its burst. */
  connectsPerSecond: number;
  /**
   * Connections the server may turn away a second, from all addresses together
   * (refused at the door or closed unread; also the largest burst). Past it, the
   * server accepts new connections only at that pace and the rest wait in the
   * kernel's backlog, so that a flood costs members nothing.
   */
  turnAwaysPerSecond: number;
  /** Joins one address (IPv4 address, IPv6 /64) may make in a burst. */
  joinBurst: number;
  /** Joins one address may make per minute, on average, after its burst. */
  joinsPerMinute: number;
  /** Lines a connection may send in a burst before the steady rate applies. */
  rateBurst: number;
  /** Lines per second a connection may send, on average. */
  ratePerSecond: number;
  /** Lines refused for speed (less those accepted since) after which the sender is disconnected. */
  floodStrikes: number;
}

/** Longest name, in characters (code points). */
export const MAX_NAME_CHARS = 24;

/** Default line cap: 16 KiB. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

/** The limits a server uses unless told otherwise. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  maxMessageChars: 4000,
  maxQueueBytes: 1024 * 1024,
  handshakeTimeoutMs: 60_000,
  idleTimeoutMs: 45_000,
  pingTimeoutMs: 30_000,
  partialLineMs: 300,
  greetingDelayMs: 150,
  maxConnections: 5000,
  maxConnectionsPerAddress: 32,
  maxUnjoined: 256,
  connectBurst: 120,
  connectsPerSecond: 20,
  turnAwaysPerSecond: 500,
  joinBurst: 20,
  joinsPerMinute: 10,
  rateBurst: 10,
  ratePerSecond: 3,
  floodStrikes: 30,
});

/**
 * How long a session token (the `resume` of a hello) stays valid after its
 * holder was last in the room: 7 days. The server forgets the claim then, and
 * the client forgets its saved place.
 */
export const CLAIM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

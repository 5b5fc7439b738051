/**
 * Protocol-wide constants. This is the one place that knows the default port
 * and the protocol version; everything else imports them from here.
 *
 * @module
 */

/** TCP port `chat serve` listens on and `chat join` connects to by default. */
export const DEFAULT_PORT = 53000;

/** Address `chat serve` binds by default: every IPv4 interface. */
export const DEFAULT_LISTEN_HOST = "0.0.0.0";

/** Host `chat join` connects to when none is given. */
export const DEFAULT_JOIN_HOST = "localhost";

/**
 * Version of the structured (JSON lines) protocol. Bumped only for changes an
 * older peer would misunderstand; new optional fields and frame types do not
 * bump it (peers ignore what they do not know).
 */
export const PROTOCOL_VERSION = 2;

/** The seed's word for leaving, still understood by the server. */
export const SEED_QUIT_WORD = "{quit}";

/**
 * First line of the server's greeting to a plain-text client. A structured
 * client may see it before its welcome (its hello came after the greeting
 * delay) and knows from it that this is a chat room all the same.
 */
export const PLAIN_GREETING = "Welcome to chat!";

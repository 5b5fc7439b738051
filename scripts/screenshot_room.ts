/**
 * The room the README's screenshots show, from a real run: `chat serve` as a
 * subprocess on 127.0.0.1, a terminal member (`chat join`, plain mode), an
 * `nc` member, a structured-protocol member, and a believable conversation
 * around the member whose screen is captured (the browser page or the
 * terminal client): talk from before they joined (shown under "earlier
 * messages"), a /me, a mention of them, a private message to them, a join.
 *
 * @module
 */

import { type ServeProcess, spawnChat, startServe } from "../tests/support/chat_process.ts";
import { LineClient } from "../tests/support/line_client.ts";

/** Message of the day of the screenshot room. */
const MOTD = "Welcome to the study group room. Be kind.";

/** Waits until the captured screen shows `text` (throws after a while). */
export type SeeText = (text: string) => Promise<void>;

/** A running room with its other members. */
export class ScreenshotRoom {
  readonly #serve: ServeProcess;
  readonly #bob: Deno.ChildProcess;
  readonly #bobInput: WritableStreamDefaultWriter<Uint8Array>;
  /** The nc member; it also watches the room, so each line is said in turn. */
  readonly #carol: LineClient;
  #dave: LineClient | undefined;

  private constructor(
    serve: ServeProcess,
    bob: Deno.ChildProcess,
    carol: LineClient,
  ) {
    this.#serve = serve;
    this.#bob = bob;
    this.#bobInput = bob.stdin.getWriter();
    this.#carol = carol;
  }

  /** The chat port (the page is served on it too). */
  get port(): number {
    return this.#serve.port;
  }

  /**
   * Starts `chat serve`, lets bob (`chat join`) and carol (`nc`) join and talk
   * a little: what the captured member sees as earlier messages.
   */
  static async open(): Promise<ScreenshotRoom> {
    const serve = await startServe(["--no-announce", "--motd", MOTD]);
    const carol = await LineClient.connect(serve.port);
    await carol.sendLine("carol");
    await carol.nextLine((line) => line.includes("Welcome, carol"));
    const bob = spawnChat(["join", "--name", "bob", `127.0.0.1:${serve.port}`]);
    bob.stdout.pipeTo(new WritableStream()).catch(() => {});
    bob.stderr.pipeTo(new WritableStream()).catch(() => {});
    const room = new ScreenshotRoom(serve, bob, carol);
    await room.#heard("bob joined");
    await room.#bobSays("Morning! Anyone up for lunch at 12:30?");
    await room.#carolSays("Count me in. The usual place?");
    await room.#bobSays("/me nods");
    return room;
  }

  /**
   * The conversation after `me` joined (`say` makes them talk), each line
   * waited for on the captured screen (`see`) before the next, so the order
   * is always the same. `seePrivate` waits for the private message (the
   * browser page shows it in a conversation of its own); `see` by default.
   */
  async talkWith(
    me: string,
    see: SeeText,
    say: (text: string) => Promise<void>,
    seePrivate: SeeText = see,
  ): Promise<void> {
    await see("* bob nods");
    await say("Sounds good, see you there!");
    await this.#heard(`${me}: Sounds good`);
    await this.#carolSays(`${me}, can you bring the slides from yesterday?`);
    await see("slides from yesterday");
    await this.#bobSays(`/msg ${me} I'll be 5 minutes late, don't tell carol`);
    await seePrivate("don't tell carol");
    const { client: dave } = await LineClient.join(this.port, "dave");
    this.#dave = dave;
    await see("dave joined");
    await dave.say("Hi all! Just got off the train. What did I miss?");
    await see("What did I miss?");
    await this.#carolSays("Lunch at 12:30, and the slides. Bring snacks!");
    await see("Bring snacks!");
  }

  /** One of the other members says `text` (after {@linkcode talkWith}, for more talk). */
  async says(who: "bob" | "carol" | "dave", text: string): Promise<void> {
    if (who === "bob") return await this.#bobSays(text);
    if (who === "carol") return await this.#carolSays(text);
    await this.#dave!.say(text);
    await this.#heard(`dave: ${text}`);
  }

  /** Everyone leaves and the server stops. */
  async close(): Promise<void> {
    this.#carol.close();
    this.#dave?.close();
    await this.#bobInput.close().catch(() => {});
    await this.#bob.status;
    await this.#serve.stop();
  }

  async #bobSays(text: string): Promise<void> {
    await this.#bobInput.write(new TextEncoder().encode(text + "\n"));
    if (text.startsWith("/msg ")) return; // carol does not hear it
    await this.#heard(text.startsWith("/me ") ? `* bob ${text.slice(4)}` : `bob: ${text}`);
  }

  async #carolSays(text: string): Promise<void> {
    await this.#carol.sendLine(text);
    await this.#heard(`carol: ${text}`);
  }

  /** Waits until carol (who hears every public line) has heard `text`. */
  async #heard(text: string): Promise<void> {
    await this.#carol.nextLine((line) => line.includes(text), 15_000);
  }
}

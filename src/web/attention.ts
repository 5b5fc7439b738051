/**
 * Getting the reader's attention when the tab is in the background: the
 * unread count in the title, a badge on the favicon, an optional sound and —
 * only after the reader asked for them — desktop notifications.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { isForMe, isFromOthers, notificationText, titleWithUnread } from "./attention_text.ts";
import { isConversation } from "../protocol/frames.ts";

const BASE_TITLE = "chat";
const SOUND_KEY = "chat.sound";
const NOTIFY_KEY = "chat.notify";

/** Title, favicon, sound and notifications for records arriving while the reader looks away. */
export class Attention {
  #unread = 0;
  #audio: AudioContext | undefined;
  #favicon: HTMLLinkElement;
  /** Whether to beep for mentions and private messages; remembered in storage. */
  sound: boolean;
  /**
   * Whether the reader asked for desktop notifications on this page (a
   * permission the browser kept from elsewhere is not enough); remembered.
   */
  notify: boolean;

  constructor(favicon: HTMLLinkElement) {
    this.#favicon = favicon;
    this.sound = readFlag(SOUND_KEY);
    this.notify = readFlag(NOTIFY_KEY);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.clear();
    });
    globalThis.addEventListener("focus", () => this.clear());
  }

  /** Unread records since the tab went to the background. */
  get unread(): number {
    return this.#unread;
  }

  /** Turns the sound on or off (a user's click, which also lets the browser play audio). */
  setSound(on: boolean): void {
    this.sound = on;
    writeFlag(SOUND_KEY, on);
    if (on) this.#beep();
  }

  /** Turns desktop notifications on or off (after the browser's permission, for on). */
  setNotify(on: boolean): void {
    this.notify = on;
    writeFlag(NOTIFY_KEY, on);
  }

  /** Notes a live record: counts it when the tab is hidden, and alerts when it is for `me`. */
  arrived(record: RoomRecord, me: string): void {
    if (!isFromOthers(record, me)) return;
    const forMe = isForMe(record, me);
    if (document.hidden && isConversation(record)) {
      this.#unread += 1;
      this.#show();
    }
    if (!forMe) return;
    if (this.sound) this.#beep();
    if (document.hidden && this.notify && notificationsAllowed()) {
      const { title, body } = notificationText(record);
      const note = new Notification(title, { body, tag: `chat-${record.id}` });
      note.onclick = () => {
        globalThis.focus();
        note.close();
      };
    }
  }

  /** The reader is looking: no more unread. */
  clear(): void {
    if (this.#unread === 0) return;
    this.#unread = 0;
    this.#show();
  }

  #show(): void {
    document.title = titleWithUnread(BASE_TITLE, this.#unread);
    this.#favicon.href = this.#unread > 0 ? "/icon-unread.svg" : "/icon.svg";
  }

  #beep(): void {
    try {
      this.#audio ??= new AudioContext();
      const audio = this.#audio;
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.12, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch {
      // No audio device or autoplay refused: the highlight and title still show it.
    }
  }
}

/** True when the browser may show desktop notifications and the reader allowed them. */
export function notificationsAllowed(): boolean {
  return "Notification" in globalThis && Notification.permission === "granted";
}

/** Why notifications cannot be offered here, or `undefined` when they can. */
export function notificationsUnavailable(): string | undefined {
  if (!("Notification" in globalThis) || !globalThis.isSecureContext) {
    return "This browser allows desktop notifications only on https or localhost pages.";
  }
  if (Notification.permission === "denied") {
    return "Desktop notifications are blocked for this page in the browser's settings.";
  }
  return undefined;
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function writeFlag(key: string, on: boolean): void {
  try {
    localStorage.setItem(key, on ? "1" : "0");
  } catch {
    // Storage switched off: the setting lasts for this visit only.
  }
}

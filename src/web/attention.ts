/**
 * Getting the reader's attention when the tab is in the background: the
 * unread count in the title, a badge on the favicon, an optional sound and —
 * only after the reader asked for them — desktop notifications.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { isForMe, notificationText, titleWithUnread } from "./attention_text.ts";

const BASE_TITLE = "chat";
const SOUND_KEY = "chat.sound";
const NOTIFY_KEY = "chat.notify";

/**
 * Title, favicon, sound and notifications. The unread count itself is the
 * room list's (every room's together); this shows it.
 */
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
  }

  /** The unread count shown in the title and favicon. */
  get unread(): number {
    return this.#unread;
  }

  /** Shows `count` unread messages (all rooms together) in the title and the favicon. */
  showUnread(count: number): void {
    if (count === this.#unread) return;
    this.#unread = count;
    document.title = titleWithUnread(BASE_TITLE, count);
    this.#favicon.href = count > 0 ? "/icon-unread.svg" : "/icon.svg";
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

  /** Alerts for a live record that is for `me`: the sound, and a notification when hidden. */
  arrived(record: RoomRecord, me: string): void {
    if (!isForMe(record, me)) return;
    if (this.sound) this.#beep();
    if (document.hidden && this.notify && notificationsAllowed()) {
      const { title, body } = notificationText(record);
      const note = new Notification(title, { body, tag: `chat-${record.room ?? ""}-${record.id}` });
      note.onclick = () => {
        globalThis.focus();
        note.close();
      };
    }
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

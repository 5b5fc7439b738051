/**
 * The settings panel behind the gear button: the sound for mentions and
 * private messages, and desktop notifications, which are asked for only when
 * the reader presses the button that says so.
 *
 * @module
 */

import { type Attention, notificationsUnavailable } from "./attention.ts";

/** The panel's elements. */
export interface SettingsElements {
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  sound: HTMLInputElement;
  notifyButton: HTMLButtonElement;
  notifyState: HTMLElement;
}

/** Wires the settings panel to `attention`'s sound and notification settings. */
export function setUpSettings(view: SettingsElements, attention: Attention): void {
  view.toggle.addEventListener("click", () => {
    view.panel.hidden = !view.panel.hidden;
    view.toggle.setAttribute("aria-expanded", String(!view.panel.hidden));
  });
  view.sound.checked = attention.sound;
  view.sound.addEventListener("change", () => attention.setSound(view.sound.checked));
  const showNotifyState = () => {
    view.notifyButton.textContent = attention.notify
      ? "Stop desktop notifications"
      : "Show desktop notifications";
  };
  view.notifyButton.addEventListener("click", async () => {
    if (attention.notify) {
      attention.setNotify(false);
      view.notifyState.textContent = "Desktop notifications are off.";
      return showNotifyState();
    }
    const why = notificationsUnavailable();
    if (why) {
      view.notifyState.textContent = why;
      return;
    }
    const answer = await Notification.requestPermission();
    attention.setNotify(answer === "granted");
    view.notifyState.textContent = answer === "granted"
      ? "Desktop notifications are on for mentions and private messages."
      : "Desktop notifications stay off.";
    showNotifyState();
  });
  showNotifyState();
}

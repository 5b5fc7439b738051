/**
 * Ways files get into the page besides the paperclip button: dropped onto
 * the conversation (which shows itself as a drop target while files are
 * dragged over it) or pasted into the message box (a screenshot or an image
 * copied from another program). Text pastes and drags are left alone.
 *
 * @module
 */

/** True when a drag carries files (not text or a link). */
function carriesFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && [...transfer.types].includes("Files");
}

/**
 * Makes `area` take dropped files, calling `take` with them. While files are
 * dragged over it the area has the class `drop-target` (its CSS shows
 * "Drop files to share them").
 */
export function acceptDroppedFiles(area: HTMLElement, take: (files: File[]) => void): void {
  // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
  let depth = 0;
  const show = (on: boolean) => area.classList.toggle("drop-target", on);
  area.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    depth++;
    show(true);
  });
  area.addEventListener("dragover", (event) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer!.dropEffect = "copy";
  });
  area.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) show(false);
  });
  // Files dropped anywhere else would make the browser leave the page to open them: refused.
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event.dataTransfer) || area.contains(event.target as Node)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = "none";
  });
  document.addEventListener("drop", (event) => {
    if (carriesFiles(event.dataTransfer) && !area.contains(event.target as Node)) {
      event.preventDefault();
    }
  });
  area.addEventListener("drop", (event) => {
    depth = 0;
    show(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault(); // the browser would otherwise open the file in place of the page
    take(files);
  });
}

/** Makes pasting files (an image from the clipboard) into `input` send them with `take`. */
export function acceptPastedFiles(input: HTMLElement, take: (files: File[]) => void): void {
  input.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return; // text: pasted as usual
    event.preventDefault();
    take(files);
  });
}

/**
 * `chat serve`'s file flags (`--max-file-mb`, `--max-files-gb`,
 * `--uploads-per-minute`, `--no-files`) and opening the file store they
 * choose: `files/` in the data directory, or a temporary directory with
 * `--no-history` (nothing outlives the server then).
 *
 * @module
 */

import { join } from "node:path";
import { DiskFileStore } from "../server/files/file_store.ts";
import {
  DEFAULT_MAX_FILE_MB,
  DEFAULT_MAX_FILES_GB,
  DEFAULT_UPLOADS_PER_MINUTE,
  FileService,
} from "../server/files/file_service.ts";
import { integerOption, type ParsedArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/** The file options of `chat serve`. */
export const FILE_OPTIONS: OptionTable = {
  "no-files": { type: "boolean", help: "members can't share files" },
  "max-file-mb": {
    type: "string",
    value: "N",
    help: `largest file a member may share, in MB (default ${DEFAULT_MAX_FILE_MB})`,
  },
  "max-files-gb": {
    type: "string",
    value: "N",
    help: `space for shared files, in GB (default ${DEFAULT_MAX_FILES_GB}); the\n` +
      'oldest are deleted first, their links then say "expired"',
  },
  "uploads-per-minute": {
    type: "string",
    value: "N",
    help: `files one member may share a minute (default ${DEFAULT_UPLOADS_PER_MINUTE})`,
  },
};

/** What the file flags asked for. */
export interface FileSettings {
  /** `--no-files`. */
  off: boolean;
  maxFileBytes: number;
  quotaBytes: number;
  uploadsPerMinute: number;
}

/** Reads the file flags; mistakes are usage errors for `command`. */
export function fileSettingsFrom(values: ParsedArgs["values"], command: string): FileSettings {
  const maxFileBytes = Math.round(
    decimalOption(values["max-file-mb"], "--max-file-mb", command) ?? DEFAULT_MAX_FILE_MB,
  ) * 1e6;
  const quotaBytes = Math.round(
    (decimalOption(values["max-files-gb"], "--max-files-gb", command) ?? DEFAULT_MAX_FILES_GB) *
      1e9,
  );
  if (maxFileBytes > quotaBytes) {
    throw new UsageError("--max-file-mb can't be more than --max-files-gb holds.", command);
  }
  return {
    off: Boolean(values["no-files"]),
    maxFileBytes,
    quotaBytes,
    uploadsPerMinute: integerOption(values["uploads-per-minute"], "--uploads-per-minute", command, {
      min: 1,
      max: 10_000,
    }) ?? DEFAULT_UPLOADS_PER_MINUTE,
  };
}

/**
 * The file service the settings ask for, storing in `<dataDir>/files`, or
 * (`temporary`, with `--no-history`) in a directory deleted when the server stops.
 */
export function openFiles(
  settings: FileSettings,
  place: { dataDir: string } | { temporary: true },
): FileService | undefined {
  if (settings.off) return undefined;
  const temporary = "temporary" in place;
  const dir = temporary
    ? Deno.makeTempDirSync({ prefix: "chat-files-" })
    : join(place.dataDir, "files");
  const store = new DiskFileStore({ dir, quotaBytes: settings.quotaBytes, temporary });
  return new FileService({
    store,
    maxFileBytes: settings.maxFileBytes,
    uploadsPerMinute: settings.uploadsPerMinute,
  });
}

/** A positive number (decimals allowed: `--max-files-gb 0.5`). */
function decimalOption(value: unknown, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const number = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(number > 0) || number > 1e6) {
    throw new UsageError(
      `${flag} must be a positive number, like 25 or 0.5, not "${text}".`,
      command,
    );
  }
  return number;
}

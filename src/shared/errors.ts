// One catalog of error codes. Every code that can end up in a *.reason.json, an error.json
// or a CLI message is declared here with what it means; test/shared/errors.test.ts checks
// that docs/errors.md documents each one.

export const ERROR_CODES = {
  // configuration and command line
  CONFIG_INVALID: 'the configuration file or an environment override is invalid',
  CONFIG_UNREADABLE: 'the configuration file cannot be read or is not JSON',
  USAGE: 'the command line is wrong (unknown option, missing argument)',
  ROOT_MISSING: 'no project root was given, or it does not exist',
  NODE_TOO_OLD: 'the running Node.js is older than the project needs',
  MAIN_WORKER_RUNNING: 'another main worker already holds this root (one main worker per farm)',
  // binaries
  FFMPEG_NOT_FOUND: 'no runnable ffmpeg was found (FFMPEG_PATH, config, PATH, ffmpeg-static)',
  FFPROBE_NOT_FOUND: 'no runnable ffprobe was found (FFPROBE_PATH, config, PATH, ffprobe-static)',
  NO_ENCODER: 'none of the configured encoders passed a test encode',
  // ingest (reason files in trash/invalid/)
  RAW_UNEXPECTED_PATH: 'the raw file is not in a folder clipmill knows (see project_root.example/raw/README.md)',
  RAW_UNSUPPORTED_TYPE: 'the raw file has an extension that is not accepted in its folder',
  RAW_BAD_NAME: 'a category or story folder name contains control characters',
  RAW_EMPTY: 'the raw file is empty (zero bytes)',
  PROBE_FAILED: 'ffprobe could not read the file: it is not media, or it is corrupt',
  NO_VIDEO_STREAM: 'the file has no video stream',
  NO_AUDIO_STREAM: 'the file has no audio stream',
  WRONG_CODEC: 'the file uses a codec that is not accepted for its kind',
  UNDECODABLE: 'the header reads but the media does not decode (truncated or corrupt)',
  SILENT: 'the audio is silent: a voice whose loudest sample is at or below ingest.voiceSilenceDb, or music quieter than -70 LUFS integrated',
  CONVERT_FAILED: 'conforming footage or normalizing music failed after the file had been validated',
  TOO_SHORT: 'the media is shorter than the configured minimum',
  TOO_LONG: 'the media is longer than the configured maximum',
  DUPLICATE: 'a file with the same destination already exists in scanned/ (scanned/ is immutable)',
  // story links (reason files in trash/invalid/)
  LINK_EMPTY: 'the link file holds no URL (only blank lines and # comments)',
  CRAWL_REFUSED: 'the URL is refused: not http(s), has credentials, or points at a non-public address',
  CRAWL_FAILED: 'the page could not be fetched (network error, timeout, HTTP error, too many redirects)',
  CRAWL_TOO_LARGE: 'the page is larger than crawl.maxBytes (after decompression)',
  CRAWL_NO_TEXT: 'no story text could be extracted from the page',
  // tasks and renders (error.json in trash/failed/<id>/)
  TASK_INVALID: 'the task folder or its metadata.json is missing or invalid',
  RENDER_FAILED: 'ffmpeg exited with an error while rendering',
  RENDER_STALLED: 'ffmpeg made no progress for render.stallTimeoutMs and was killed',
  RENDER_CANCELED: 'the render was canceled (shutdown); the task is handed back',
  TOO_MANY_ATTEMPTS: 'the task was claimed tasks.maxAttempts times without finishing',
  VERIFY_FAILED: 'the rendered file failed verification (streams, duration, size, frame rate)',
  UPLOAD_FAILED: 'the rendered file could not be copied into the project root',
  // generic
  IO: 'a file system operation failed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ClipmillError extends Error {
  readonly code: ErrorCode;
  /** Structured facts for reason files and logs (paths, probe summaries, limits). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClipmillError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isClipmillError(err: unknown, code?: ErrorCode): err is ClipmillError {
  return err instanceof ClipmillError && (code === undefined || err.code === code);
}

/**
 * A failure of the machine rather than of the file: a subprocess killed (OOM killer, shutdown)
 * or timed out, a binary that did not start, a file system error. Such a file is left where it
 * is and tried again later; only failures caused by the file's content reject it.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ClipmillError) return err.details.transient === true || err.code === 'IO';
  return true;
}

/** The fields of a subprocess result that say it did not run to its own end. */
export function subprocessTrouble(r: { signal?: string | undefined; timedOut?: boolean; exitCode?: number | undefined; isMaxBuffer?: boolean; failed?: boolean }): string | null {
  if (!r.failed) return null;
  if (r.timedOut) return 'timed out';
  if (r.signal) return `killed by ${r.signal}`;
  if (r.isMaxBuffer) return 'printed more output than allowed';
  if (r.exitCode === undefined) return 'could not be started';
  return null;
}

/** A short message for any thrown value, for logs and reason files. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

// One catalog of error codes. Every failure that crosses a module boundary, and every code that
// can end up in a *.reason.json, an error.json or a CLI message, is declared here with its
// class and what it means; test/shared/errors.test.ts checks that docs/errors.md documents each
// one with its class.
//
// The class says what to do about a failure, whatever its code (STYLE 3, BullMQ's
// UnrecoverableError):
//  - recoverable: the machine failed, not the input (I/O on the share, a full disk, a killed or
//    stalled subprocess, a provider's 5xx): leave the input where it is and retry with backoff;
//  - fatal: the input is bad: no retry; reject the file or fail the task with the reason;
//  - resource: the work was killed for memory: retry elsewhere or at a lower quality.

export type ErrorClass = 'recoverable' | 'fatal' | 'resource';

interface CodeInfo {
  readonly class: ErrorClass;
  readonly text: string;
}

const c = (cls: ErrorClass, text: string): CodeInfo => ({ class: cls, text });

export const ERROR_CODES = {
  // configuration and command line
  CONFIG_INVALID: c('fatal', 'the configuration file or an environment override is invalid'),
  CONFIG_UNREADABLE: c('fatal', 'the configuration file cannot be read or is not JSON'),
  USAGE: c('fatal', 'the command line is wrong (unknown option, missing argument)'),
  ROOT_MISSING: c('fatal', 'no project root was given, or it does not exist'),
  NODE_TOO_OLD: c('fatal', 'the running Node.js is older than the project needs'),
  MAIN_WORKER_RUNNING: c('recoverable', 'another main worker already holds this root (one main worker per farm)'),
  // binaries
  FFMPEG_NOT_FOUND: c('fatal', 'no runnable ffmpeg was found (FFMPEG_PATH, config, PATH, ffmpeg-static)'),
  FFPROBE_NOT_FOUND: c('fatal', 'no runnable ffprobe was found (FFPROBE_PATH, config, PATH, ffprobe-static)'),
  NO_ENCODER: c('fatal', 'none of the configured encoders passed a test encode'),
  // ingest (reason files in trash/invalid/)
  RAW_UNEXPECTED_PATH: c('fatal', 'the raw file is not in a folder clipmill knows (see project_root.example/raw/README.md)'),
  RAW_UNSUPPORTED_TYPE: c('fatal', 'the raw file has an extension that is not accepted in its folder'),
  RAW_BAD_NAME: c('fatal', 'a category or story folder name contains control characters'),
  RAW_EMPTY: c('fatal', 'the raw file is empty (zero bytes)'),
  RAW_SYMLINK: c('fatal', 'the raw entry is a symbolic link (to a file or a folder): links are never followed; the link itself is moved to trash/invalid'),
  RAW_CHANGED: c('recoverable', 'the raw file changed while it was being checked; it is taken again once it settles'),
  PROBE_FAILED: c('fatal', 'ffprobe could not read the file: it is not media, or it is corrupt'),
  NO_VIDEO_STREAM: c('fatal', 'the file has no video stream'),
  NO_AUDIO_STREAM: c('fatal', 'the file has no audio stream'),
  WRONG_CODEC: c('fatal', 'the file uses a codec that is not accepted for its kind'),
  UNDECODABLE: c('fatal', 'the header reads but the media does not decode (truncated or corrupt)'),
  SILENT: c('fatal', 'the audio is silent: a voice whose loudest sample is at or below ingest.voiceSilenceDb, or music quieter than -70 LUFS integrated'),
  CONVERT_FAILED: c('fatal', 'conforming footage or normalizing music failed after the file had been validated'),
  FRAME_TOO_LARGE: c('fatal', 'the footage\'s frames are wider or taller than ingest.maxFrameSize'),
  TOO_SHORT: c('fatal', 'the media is shorter than the configured minimum'),
  TOO_LONG: c('fatal', 'the media is longer than the configured maximum'),
  DUPLICATE: c('fatal', 'a file with the same destination already exists in scanned/ (scanned/ is immutable)'),
  SIDECAR_INVALID: c('fatal', 'the file\'s sidecar (<file>.json) is not JSON or fails its schema (a typo\'d key, a bad value): the file and the sidecar go to trash/invalid together'),
  SIDECAR_ORPHAN: c('fatal', 'a sidecar (<file>.json) whose file is not in raw/ (gone, or filed before the sidecar arrived)'),
  IMAGE_TOO_LARGE: c('fatal', 'the image has more pixels than ingest.maxImagePixels'),
  TEXT_INVALID: c('fatal', 'a text file (raw/text/) is not valid UTF-8, is empty, has a bad CSV row or a wrong header; the reason names the line'),
  NARRATION_BAD_NAME: c('fatal', 'a recorded narration part is not named part_<NNNN>.mp3 or part_<NNNN>_<k>.mp3'),
  // story links (reason files in trash/invalid/)
  LINK_EMPTY: c('fatal', 'the link file holds no URL (only blank lines and # comments)'),
  CRAWL_REFUSED: c('fatal', 'the URL is refused: not http(s), has credentials, or points at a non-public address'),
  CRAWL_UNAVAILABLE: c('recoverable', 'the server did not answer, or answered 5xx or 429: the page is fetched again with backoff (honouring Retry-After); CRAWL_FAILED once crawl.retries are spent'),
  CRAWL_FAILED: c('fatal', 'the page could not be fetched (network error, timeout, HTTP error, too many redirects)'),
  CRAWL_TOO_LARGE: c('fatal', 'the page is larger than crawl.maxBytes (after decompression)'),
  CRAWL_NO_TEXT: c('fatal', 'no story text could be extracted from the page'),
  // job files (reason files in trash/invalid/job/)
  JOB_INVALID: c('fatal', 'a job file is not JSON, has an unknown key, or a key with a bad value (the reason names the field); see docs/jobs.md'),
  // narration (text to speech)
  NARRATION_CONFIG: c('fatal', 'the narration provider cannot run as configured: no voice id, no API key, espeak-ng or python3 missing, an unknown espeak-ng voice'),
  NARRATION_UNAVAILABLE: c('recoverable', 'the speech provider did not answer usably (network error, timeout, 429, 5xx, a truncated or undecodable answer): tried again with backoff, honouring Retry-After'),
  NARRATION_REJECTED: c('fatal', 'the speech provider refused the request (an HTTP 4xx other than 429: a bad key, an unknown voice, text it will not voice)'),
  NARRATION_INVALID: c('recoverable', 'the synthesized voice failed validation: it does not decode, or its length is not 0.15 to 1.2 s per word'),
  NARRATION_NOTHING: c('fatal', 'clipmill narrate names a story or campaign with no text to voice (no crawled chunk, no narration plan)'),
  NARRATION_TEXT_INVALID: c('fatal', 'a narration text (raw/narration/<category>/<campaign>.csv|txt) does not parse: not UTF-8, a broken quote, an unknown or missing column, an empty text, a campaign_part that is not a whole number from 1 to 9999'),
  // shorts' providers (transcription, LLM planner, generation; docs/shorts.md)
  PROVIDER_UNAVAILABLE: c('recoverable', 'a provider of the shorts pipeline did not answer usably (network error, timeout, 429, 5xx, an answer over shorts.providerMaxBytes): tried again with backoff'),
  PROVIDER_REJECTED: c('fatal', 'a provider of the shorts pipeline refused the request (an HTTP 4xx other than 429: a bad key, an unknown model)'),
  PROVIDER_INVALID: c('fatal', 'a provider of the shorts pipeline answered with something that fails its schema (no word timings, a plan that is not the JSON asked for)'),
  PROVIDER_PAUSED: c('recoverable', "a provider of the shorts pipeline failed again and again: its circuit breaker is open and it is left alone until its cooldown ends (shown in clipmill status)"),
  WORDS_INVALID: c('fatal', 'a word timings file (<voice>.words.json) is missing, not JSON, or does not match its schema'),
  // tasks and renders (error.json in trash/failed/<id>/)
  TASK_INVALID: c('fatal', 'the task folder or its metadata.json is missing or invalid'),
  TEXT_UNRENDERABLE: c('fatal', 'a text layer holds characters that no installed font can draw (checked before ffmpeg runs)'),
  RENDER_FAILED: c('fatal', 'ffmpeg exited with an error while rendering'),
  RENDER_STALLED: c('recoverable', 'ffmpeg made no progress for render.stallTimeoutMs and was killed'),
  RENDER_CANCELED: c('recoverable', 'the render was canceled (shutdown); the task is handed back'),
  TASK_NEWER_VERSION: c('recoverable', 'the task was written by a newer clipmill (metadata.json schema_version above what this worker reads): it is handed back for an upgraded worker, never failed'),
  CLAIM_LOST: c('recoverable', 'the worker lost its lease or its claim on the task: another party owns it now, and this worker leaves it as it is'),
  TOO_MANY_ATTEMPTS: c('fatal', 'the task was claimed tasks.maxAttempts times without finishing'),
  CHUNK_FAILED: c('fatal', 'a chunk task of a chunked render failed for good or was cancelled: the task waiting for its chunks fails with it (docs/chunks.md)'),
  VERIFY_FAILED: c('fatal', 'the rendered file failed verification (streams, duration, size, frame rate)'),
  BREAKER_OPEN: c('recoverable', 'a render worker\'s circuit breaker opened after render.breakerFailures failures in a row: it claims nothing for render.breakerCooldownMs, and the attempts those failures charged are given back'),
  UPLOAD_FAILED: c('recoverable', 'the rendered file could not be copied into the project root'),
  // machine failures
  OUTPUT_INCOMPLETE: c('recoverable', 'a file ffmpeg wrote does not hold what was expected (truncated: a full disk, a failing share); it is not published and the work is done again'),
  SUBPROCESS_FAILED: c('recoverable', 'ffmpeg or ffprobe did not run to its own end: killed, timed out, canceled, or could not start'),
  OUT_OF_MEMORY: c('resource', 'a subprocess ran out of memory (ENOMEM, or killed by the kernel for memory)'),
  IO: c('recoverable', 'a file system operation failed'),
} as const satisfies Record<string, CodeInfo>;

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

  /** What to do about it: retry (recoverable), give up (fatal), or retry with less (resource). */
  get errorClass(): ErrorClass {
    return ERROR_CODES[this.code].class;
  }
}

export function isClipmillError(err: unknown, code?: ErrorCode): err is ClipmillError {
  return err instanceof ClipmillError && (code === undefined || err.code === code);
}

/**
 * The class of any thrown value. Errors from outside the catalog (a rejected fs call, a bug)
 * are the machine's until shown otherwise: recoverable, so that nothing is rejected for them.
 */
export function classOf(err: unknown): ErrorClass {
  return err instanceof ClipmillError ? err.errorClass : 'recoverable';
}

/** A failure of the machine rather than of the input: leave it in place and try again later. */
export function isRecoverable(err: unknown): boolean {
  return classOf(err) !== 'fatal';
}

/**
 * Whether a recoverable failure may, once every retry is spent, be blamed on the input after
 * all: a tool that crashes, runs out of memory or writes short output on the same file every
 * time. A file system error (EIO, ESTALE, ENOSPC) never is: the file stays, however long the
 * machine takes to recover.
 */
export function mayBlameInput(err: unknown): boolean {
  return err instanceof ClipmillError && (err.code === 'SUBPROCESS_FAILED' || err.code === 'OUT_OF_MEMORY' || err.code === 'OUTPUT_INCOMPLETE');
}

/** The fields of a subprocess result that say it did not run to its own end. */
export function subprocessTrouble(r: { signal?: string | undefined; timedOut?: boolean; exitCode?: number | undefined; isMaxBuffer?: boolean; failed?: boolean }): string | null {
  if (!r.failed) return null;
  if (r.timedOut) return 'timed out';
  if (r.signal) return `killed by ${r.signal}`;
  if (r.isMaxBuffer) return 'printed more output than allowed';
  if (r.exitCode === undefined) return 'could not be started';
  // The shell's and the dynamic loader's codes: the binary itself did not run (not
  // executable, not found, or a library it needs could not be loaded, as under too low a
  // memory limit). Nothing is known of the input.
  if (r.exitCode === 126 || r.exitCode === 127) return `could not run (exit code ${r.exitCode})`;
  return null;
}

/**
 * The catalog error for a subprocess that did not run to its own end, or null when it did.
 * Canceled and killed runs are the machine's (SUBPROCESS_FAILED), never the input's.
 */
export function subprocessError(what: string, r: { signal?: string | undefined; timedOut?: boolean; exitCode?: number | undefined; isMaxBuffer?: boolean; failed?: boolean; isCanceled?: boolean }, details: Record<string, unknown> = {}): ClipmillError | null {
  if (r.isCanceled) return new ClipmillError('SUBPROCESS_FAILED', `${what} canceled`, { details: { ...details, canceled: true } });
  const trouble = subprocessTrouble(r);
  return trouble ? new ClipmillError('SUBPROCESS_FAILED', `${what} ${trouble}`, { details }) : null;
}

/** A short message for any thrown value, for logs and reason files. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

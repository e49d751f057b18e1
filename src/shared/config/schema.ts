// The configuration's schema (DESIGN §2, STYLE 8 and 14): one zod schema per section, strict
// (an unknown key is an error), with the `Config` type inferred from it. Every leaf carries, as
// its error message, what it expects ("an integer >= 1 and <= 100"), so that a bad value is
// reported as "<source>: <key> must be <expected>, got <value>" (see ../config.ts).
//
// The defaults live in config/default.json, which holds every key (test/shared/config.test.ts
// checks the two agree, and that docs/config.md documents each key); each key's default is
// repeated in its comment here.
import { z } from 'zod';
import { flag, integer, nullableText, number, oneOf, section, strict, text } from './fields.js';
import { narrationSection } from './narration.js';
import { shortsSection } from './shorts.js';


const ENCODER_NAME = /^[a-z0-9_]+$/;
const BITRATE = /^[1-9][0-9]*k$/;
const bitrate = () => text(BITRATE, 'a bit rate such as "192k"');
const encoderName = () => text(ENCODER_NAME, 'an encoder name of lowercase letters, digits and underscores');
const ENCODER_LIST = 'a list of at least 1 names of lowercase letters, digits and underscores';

/** Per-category task settings (tasks.categories.<category>). */
export const CategorySettingsSchema = strict(
  {
    /** A logo for this category's tasks, replacing render.logo; null: no logo. */
    logo: text(undefined, 'a path or null').nullable().optional(),
    /** Blend a clip of scanned/frame/<category>/ over the footage (screen blend). */
    frame: flag().optional(),
    /** The claim priority of this category's tasks when neither the job file nor the voice's sidecar sets one (higher first). Default 0. */
    priority: integer(-1_000_000, 1_000_000).optional(),
  },
  'known',
  'an object such as { "logo": "assets/x.png", "frame": true, "priority": 5 }',
);
export type CategorySettings = z.infer<typeof CategorySettingsSchema>;

const categoryName = z
  .string({ error: 'a category folder name' })
  .min(1, { error: 'a category folder name' })
  .refine((n) => !n.includes('/'), { error: 'a category folder name' });

/**
 * The sections. Each leaf's comment gives its default (config/default.json); docs/config.md
 * says what it does at length.
 */
export const SECTIONS = {
  node: section('node', {
    /** The render worker's name (heartbeat file, claims, scratch folder); null: the host name. Default null. "main-worker" would share nodes/main-worker.json with the main worker. */
    id: text(/^(?!main-worker$)[A-Za-z0-9._-]{1,128}$/, '1-128 letters, digits, dots, dashes or underscores, not "main-worker"').nullable(),
  }),
  ffmpeg: section('ffmpeg', {
    /** The ffmpeg binary; null: FFMPEG_PATH, PATH, then ffmpeg-static. Default null. */
    ffmpegPath: nullableText(),
    /** The ffprobe binary, found like ffmpegPath. Default null. */
    ffprobePath: nullableText(),
  }),
  watch: section('watch', {
    /** Poll raw/ instead of inotify (NFS, SMB). Default false. */
    usePolling: flag(),
    /** How often polling stats the files of raw/. Default 2000. */
    pollingIntervalMs: integer(50),
  }),
  ingest: section('ingest', {
    /** A raw file is taken once its size and mtime held this long. Default 5000. */
    stableMs: integer(0),
    /** The longest wait between two full scans of raw/. Default 10000. */
    scanIntervalMs: integer(100),
    /** Raw files validated at once. Default 2. */
    concurrency: integer(1, 64),
    /** Conversions (conform, normalize) run at once. Default 1. */
    convertConcurrency: integer(1, 64),
    /** Shorter footage is rejected (TOO_SHORT). Default 0.5. */
    minClipSeconds: number(0, undefined, true),
    /** Seconds of each clip decoded to prove it decodes. Default 1. */
    decodeCheckSeconds: number(0, 60, true),
    /** libx264 preset for transcoded footage. Default "veryfast". */
    conformPreset: oneOf(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']),
    /** libx264 CRF for transcoded footage. Default 18. */
    conformCrf: integer(0, 51),
    /** Shorter voices are rejected (TOO_SHORT). Default 1. */
    voiceMinSeconds: number(0, undefined, true),
    /** Longer voices are rejected (TOO_LONG); must exceed voiceMinSeconds. Default 7200. */
    voiceMaxSeconds: number(0, undefined, true),
    /** A voice whose loudest sample is at or below this is SILENT. Default -50. */
    voiceSilenceDb: number(-120, 0),
    /** Shorter music is rejected (TOO_SHORT). Default 5. */
    musicMinSeconds: number(0, undefined, true),
    /** Integrated loudness music is normalized to. Default -16. */
    musicLoudnessLufs: number(-70, -5),
    /** Highest true peak of normalized music. Default -1.5. */
    musicTruePeakDb: number(-9, 0),
    /** Target loudness range of normalized music. Default 11. */
    musicLra: number(1, 50),
    /** MP3 bit rate of normalized music. Default "192k". */
    musicBitrate: bitrate(),
    /** Longer music is rejected (TOO_LONG), by its header before any decoding, then by what decodes. Default 3600. */
    musicMaxSeconds: number(0, undefined, true),
    /** Longer footage is rejected (TOO_LONG). Default 7200. */
    footageMaxSeconds: number(0, undefined, true),
    /** Footage wider or taller than this is rejected (FRAME_TOO_LARGE) before it is decoded. Default 4096. */
    maxFrameSize: integer(16, 16384),
    /** Stills with more pixels (width x height) than this are rejected (IMAGE_TOO_LARGE) before they are decoded. Default 40000000. */
    maxImagePixels: integer(1, 1_000_000_000),
    /** Address-space limit (RLIMIT_AS, set with prlimit) of ingest's ffmpeg and ffprobe, in MB; 0: none. Default 4096. */
    memoryLimitMb: integer(0),
  }),
  crawl: section('crawl', {
    /** Whether story links may point at non-public addresses. Default false. */
    allowPrivateNetworks: flag(),
    /** The User-Agent header; null: "clipmill/<version> (story crawler)". Default null. */
    userAgent: nullableText(),
    /** Link files crawled at once. Default 2. */
    concurrency: integer(1, 32),
    /** How long a connection may take to open. Default 10000. */
    connectTimeoutMs: integer(100),
    /** The whole budget of one request. Default 30000. */
    timeoutMs: integer(100),
    /** The largest page body, after decompression. Default 10485760. */
    maxBytes: integer(1024),
    /** Redirects one request may follow. Default 5. */
    maxRedirects: integer(0, 50),
    /** Retries after a network error, a 5xx or a 429. Default 3. */
    retries: integer(0, 20),
    /** The first retry's wait, doubled for each later one. Default 1000. */
    retryBaseMs: integer(0),
    /** The longest wait between attempts, whatever Retry-After says. Default 60000. */
    maxRetryAfterMs: integer(0),
    /** Pages of one multi-page story followed. Default 50. */
    maxPages: integer(1, 10000),
    /** The largest chunk file, in words. Default 10000. */
    maxWordsPerChunk: integer(10),
    /** How long extracting one page's text may take. Default 20000. */
    extractTimeoutMs: integer(100),
    /** Heap limit of the extraction worker thread. Default 256. */
    extractMaxHeapMb: integer(32, 8192),
  }),
  /** Text to speech (src/main-worker/narrate/): its keys are in ./narration.ts. */
  narration: narrationSection,
  /** Audio to vertical shorts (src/main-worker/shorts/): its keys are in ./shorts.ts. */
  shorts: shortsSection,
  render: section('render', {
    /** Output size, even width and height (yuv420p needs them). Default "1920x1080". */
    resolution: text(/^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/, '"WIDTHxHEIGHT" such as "1920x1080"'),
    /** Output frame rate, also the rate footage is conformed to. Default 30. */
    fps: number(1, 240),
    /** Encoders to try, in order of preference. Default ["h264_nvenc", "h264_qsv", "h264_videotoolbox", "h264_vaapi", "libx264"]. */
    encoders: z.array(encoderName(), { error: ENCODER_LIST }).min(1, { error: ENCODER_LIST }),
    /** FFmpeg options after -c:v <encoder>, per encoder; merged per encoder across layers. Default: tuned arguments for the five default encoders. */
    encoderArgs: z.record(encoderName(), z.array(z.string({ error: 'a string (one ffmpeg argument)' }), { error: 'a list of strings' }), {
      error: 'an object mapping encoder names to lists of ffmpeg arguments',
    }),
    /** The DRM render node for h264_vaapi. Default "/dev/dri/renderD128". */
    vaapiDevice: text(),
    /** How footage of another aspect ratio fills the frame. Default "pad". */
    fit: oneOf(['pad', 'crop']),
    /** A logo overlaid at the top left; null: none. Default null. */
    logo: nullableText(),
    /** The logo's width as a fraction of the output width. Default 0.12. */
    logoWidth: number(0, 1, true),
    /** Gain of the music before mixing. Default 0.25. */
    musicVolume: number(0, 4),
    /** Gain of the voice before mixing. Default 1.0. */
    voiceVolume: number(0, 4),
    /** Length of the audio fade-out at the end. Default 0.5. */
    fadeOutSeconds: number(0, 10),
    /** AAC bit rate of the output audio. Default "192k". */
    audioBitrate: bitrate(),
    /** Folders of font files for text layers, searched besides the system's fonts (fontconfig). Default []. */
    fontsDirs: z.array(text(), { error: 'a list of folder paths' }),
    /** Where each render worker keeps its scratch folder; null: the OS temp folder. Default null. */
    scratchDir: nullableText(),
    /** The wait before looking for work again when there was none. Default 2000. */
    pollIntervalMs: integer(50),
    /** A render making no progress this long is killed (RENDER_STALLED). Default 120000. */
    stallTimeoutMs: integer(500),
    /** Time given to the render in progress after SIGTERM; at most 90 s: the CLI forces the exit 120 s after the first signal. Default 30000. */
    shutdownGraceMs: integer(0, 90_000),
    /** 1: download the next task while one renders (the spec's §7 pipeline); 0: one at a time. Default 1. */
    prefetch: integer(0, 1),
    /** Failures in a row (of tasks that got past their claim) after which the worker's circuit breaker opens and it stops claiming. Default 5. */
    breakerFailures: integer(1, 1000),
    /** How long an open breaker waits before it lets one task through (half-open). Default 300000. */
    breakerCooldownMs: integer(0),
    /** Render a draft preview of every task (previews/<id>/) before its final render; a task's own "preview" wins. Default false. */
    preview: flag(),
    /** A task whose timeline is longer than this many seconds renders as chunks on many nodes, joined without re-encoding (docs/chunks.md); 0: never. Default 120. */
    chunkSeconds: number(0, 86_400),
  }),
  tasks: section('tasks', {
    /** Tasks (videos) published per voice file. Default 1. */
    variationsPerVoice: integer(1, 100),
    /** A task started this many times without finishing fails (TOO_MANY_ATTEMPTS). Default 3. */
    maxAttempts: integer(1, 100),
    /** The backoff of a task back in tasks/ after a recoverable or resource failure: the wait after its first failure; each later one doubles. Default 1000. */
    retryBaseMs: integer(0),
    /** The longest backoff wait. Default 60000. */
    retryMaxMs: integer(0),
    /** How long a node that failed a task for memory (class resource) leaves it to the other nodes. Default 600000. */
    resourceAvoidMs: integer(0),
    /** How often a render worker re-lists tasks/ to bring its index of waiting tasks up to date (file watches miss other hosts' changes on NFS). Default 5000. */
    indexRescanMs: integer(50),
    /** Footage a task may use when its category has none of the render size. Default "any". */
    classFallback: oneOf(['any', 'same-aspect', 'none']),
    /** Per-category settings: { "<category>": { "logo": path or null, "frame": true or false, "priority": integer } }. Default {}. */
    categories: z.record(categoryName, CategorySettingsSchema, { error: 'an object mapping category names to { "logo": path or null, "frame": true or false, "priority": integer }' }),
  }),
  health: section('health', {
    /** How often a render worker rewrites its heartbeat. Default 5000. */
    heartbeatMs: integer(100, 600_000),
    /** A node whose heartbeat is older than this is marked dead. Default 30000. */
    nodeTimeoutMs: integer(1000),
    /** How often the main worker checks nodes and leases. Default 10000. */
    checkIntervalMs: integer(100),
    /** How often a lease is refreshed; proper-lockfile's own floor is 1 s. Default 5000. */
    leaseUpdateMs: integer(1000),
    /** A lease silent this long is stale; at least 5 s (proper-lockfile) and twice leaseUpdateMs. Default 30000. */
    leaseStaleMs: integer(5000),
  }),
  metrics: section('metrics', {
    /** The Prometheus endpoint's port: 0 picks a free one (logged), null turns it off. Default null. */
    port: integer(0, 65535, ' or null').nullable(),
    /** The address the endpoint listens on. Default "127.0.0.1". */
    host: text(),
  }),
  disk: section('disk', {
    /** No task is claimed while scratch or the root has less free space. Default 2048. */
    minFreeMb: integer(0),
  }),
  log: section('log', {
    /** "line" (the spec's format) or "json" (one pino object per line). Default "line". */
    format: oneOf(['line', 'json']),
    /** The lowest level printed. Default "info". */
    level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
  }),
};

type Sections = typeof SECTIONS;

/**
 * The keys of each section, each with its schema: `SCHEMA.render.fps`. Same keys as
 * config/default.json. (Object.fromEntries loses the key types; the assertion restores them.)
 */
export const SCHEMA = Object.fromEntries(Object.entries(SECTIONS).map(([name, s]) => [name, s.shape])) as { [K in keyof Sections]: Sections[K]['shape'] };

/** The width and height of a "WIDTHxHEIGHT" resolution (one render.resolution has passed its pattern). */
export function parseResolution(res: string): { width: number; height: number } {
  const [w, h] = res.split('x').map(Number);
  return { width: w!, height: h! };
}

/** The whole configuration, with the rules that tie keys together. */
export const ConfigSchema = strict(SECTIONS, 'known', 'a JSON object').superRefine((c, ctx) => {
  if (c.health.leaseStaleMs < 2 * c.health.leaseUpdateMs) {
    ctx.addIssue({ code: 'custom', path: ['health', 'leaseStaleMs'], message: `at least twice health.leaseUpdateMs (${c.health.leaseUpdateMs})`, input: c.health.leaseStaleMs });
  }
  if (c.ingest.voiceMaxSeconds <= c.ingest.voiceMinSeconds) {
    ctx.addIssue({ code: 'custom', path: ['ingest', 'voiceMaxSeconds'], message: `greater than ingest.voiceMinSeconds (${c.ingest.voiceMinSeconds})`, input: c.ingest.voiceMaxSeconds });
  }
  const { width, height } = parseResolution(c.render.resolution);
  if (width % 2 || height % 2) ctx.addIssue({ code: 'custom', path: ['render', 'resolution'], message: 'even width and height (yuv420p needs them)', input: c.render.resolution });
});

export type Config = z.infer<typeof ConfigSchema>;
export type Fit = Config['render']['fit'];
export type LogFormat = Config['log']['format'];
export type LogLevel = Config['log']['level'];

/**
 * What one layer (the defaults, a user file, the overrides) may hold: known sections and keys
 * only. Values are checked once, after the layers are merged, so that a later layer can
 * replace an earlier one's value.
 */
export const LayerSchema = strict(
  Object.fromEntries(Object.entries(SECTIONS).map(([name, s]) => [name, section(name, Object.fromEntries(Object.keys(s.shape).map((k) => [k, z.unknown().optional()]))).optional()])),
  'known',
  'a JSON object',
);

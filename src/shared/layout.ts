// Every path of a project root, in one module (DESIGN §1). Nothing else builds root paths.
import { join, relative, sep } from 'node:path';

export const RAW_KINDS = ['video', 'frame', 'music', 'voice', 'link', 'image', 'text', 'narration', 'narration-text', 'job', 'short', 'sidecar'] as const;
export type RawKind = (typeof RAW_KINDS)[number];
export type ClipKind = 'video' | 'frame';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The folders `clipmill init` creates, relative to the root. */
export const TREE = [
  'raw/story', 'raw/video', 'raw/frame', 'raw/music', 'raw/image', 'raw/text', 'raw/narration', 'raw/job', 'raw/short',
  'scanned/story', 'scanned/video', 'scanned/frame', 'scanned/music', 'scanned/image', 'scanned/text', 'scanned/narration', 'scanned/job', 'scanned/short',
  'tasks', 'processing', 'output', 'previews', 'chunks', 'revisions', 'trash/invalid', 'trash/failed', 'trash/cancelled', 'nodes',
] as const;

export class Layout {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }
  get raw() {
    return join(this.root, 'raw');
  }
  get scanned() {
    return join(this.root, 'scanned');
  }
  get tasks() {
    return join(this.root, 'tasks');
  }
  get processing() {
    return join(this.root, 'processing');
  }
  get output() {
    return join(this.root, 'output');
  }
  /** previews/: draft renders published before the final one (previews/<id>/preview.mp4 + poster.jpg). */
  get previews() {
    return join(this.root, 'previews');
  }
  previewTask(id: string) {
    return join(this.previews, id);
  }
  /** chunks/<id>/: a chunked render's artifacts (<k>.mp4, audio.m4a), join/ (the task waiting for them) and done/<chunk id>/ (docs/chunks.md). */
  get chunks() {
    return join(this.root, 'chunks');
  }
  chunkDir(id: string) {
    return join(this.chunks, id);
  }
  chunkJoin(id: string) {
    return join(this.chunkDir(id), 'join');
  }
  chunkDone(id: string, chunkId: string) {
    return join(this.chunkDir(id), 'done', chunkId);
  }
  /** revisions/: one file per edited task, revisions/<original id>.json (its revisions and which one is current). */
  get revisions() {
    return join(this.root, 'revisions');
  }
  revisionsFile(id: string) {
    return join(this.revisions, `${id}.json`);
  }
  get trashInvalid() {
    return join(this.root, 'trash', 'invalid');
  }
  get trashFailed() {
    return join(this.root, 'trash', 'failed');
  }
  /** trash/cancelled/<task_id>/: tasks cancelled before a worker claimed them (shared/protocol/cancel.ts). */
  get trashCancelled() {
    return join(this.root, 'trash', 'cancelled');
  }
  /** server/token.json: the HTTP API's token (mode 0600), made by `clipmill init`, rotated by `clipmill token --rotate`. */
  get serverToken() {
    return join(this.root, 'server', 'token.json');
  }
  get nodes() {
    return join(this.root, 'nodes');
  }
  task(id: string) {
    return join(this.tasks, id);
  }
  processingTask(id: string) {
    return join(this.processing, id);
  }
  outputTask(id: string) {
    return join(this.output, id);
  }
  failedTask(id: string) {
    return join(this.trashFailed, id);
  }
  /** tasks/.ledger/: one record per task ever published (never deleted). */
  get ledger() {
    return join(this.tasks, '.ledger');
  }
  /** A claimed task's lease target, processing/.<id>.lease: beside the task folder, so a rename of the folder does not carry it. */
  leaseTarget(id: string) {
    return join(this.processing, `.${id}.lease`);
  }
  /** The lease itself: the folder proper-lockfile makes and touches (passed as its lockfilePath). */
  leaseLock(id: string) {
    return `${this.leaseTarget(id)}.lock`;
  }
  /** nodes/<node>.json: a render worker's heartbeat. */
  heartbeat(node: string) {
    return join(this.nodes, `${node}.json`);
  }
  /** nodes/main-worker.json: who holds the root, its totals, the voices waiting. */
  get mainWorkerStatus() {
    return join(this.nodes, 'main-worker.json');
  }
  /** proper-lockfile's target for the root lock (one main worker per root). */
  get mainWorkerLockTarget() {
    return join(this.nodes, 'main-worker');
  }
  /** The root lock itself: nodes/main-worker.lock, a folder made with mkdir. */
  get mainWorkerLock() {
    return `${this.mainWorkerLockTarget}.lock`;
  }
  /** scanned/<kind>/<category>/mp4_w<W>_h<H>/ */
  scannedClipDir(kind: ClipKind, category: string, width: number, height: number) {
    return join(this.scanned, kind, category, resolutionClass(width, height));
  }
  /**
   * scanned/<kind>/<category>/original/: raw files that had to be converted (footage that did
   * not fit the concat profile, music before loudness normalization) are kept here as they
   * came, so that nothing an operator dropped is ever deleted.
   */
  scannedOriginalDir(kind: ClipKind | 'music' | 'image', category: string) {
    return join(this.scanned, kind, category, 'original');
  }
  scannedMusicDir(category: string) {
    return join(this.scanned, 'music', category, 'mp3');
  }
  scannedVoiceDir(category: string, story: string) {
    return join(this.scanned, 'story', category, story, 'voice');
  }
  /** scanned/story/<category>/<story>/voice/original/: voices re-encoded because their header lied, as they came. */
  scannedVoiceOriginalDir(category: string, story: string) {
    return join(this.scannedVoiceDir(category, story), 'original');
  }
  /** scanned/image/<category>/: stills, decoded and oriented (`<W>x<H>_<uuid>.<png|jpg|webp>`). */
  scannedImageDir(category: string) {
    return join(this.scanned, 'image', category);
  }
  /** scanned/text/<category>/: on-screen text files (`<uuid>.txt|csv`), each with its asset record holding the parsed texts. */
  scannedTextDir(category: string) {
    return join(this.scanned, 'text', category);
  }
  /** scanned/narration/<category>/<campaign>/: narration parts `part_<NNNN>.mp3` and takes `part_<NNNN>_<k>.mp3`. */
  scannedNarrationDir(category: string, campaign: string) {
    return join(this.scanned, 'narration', category, campaign);
  }
  /** scanned/cache/narration/: voices by the hash of provider, voice, settings and text (src/main-worker/narrate/cache.ts). */
  get narrationCacheDir() {
    return join(this.scanned, 'cache', 'narration');
  }
  /** requests/narrate/: `clipmill narrate` requests (src/shared/narration-requests.ts), one JSON file each, voiced by the narration queue, then removed. */
  get narrationRequestsDir() {
    return join(this.root, 'requests', 'narrate');
  }
  /** scanned/job/: accepted job files (`<name>.json`), as they were dropped. */
  get scannedJobs() {
    return join(this.scanned, 'job');
  }
  /** scanned/short/<category>/: audio files to make vertical shorts of (`<uuid>_<name>.mp3|wav|m4a`: each drop a short of its own), with their records and word timings. */
  scannedShortDir(category: string) {
    return join(this.scanned, 'short', category);
  }
  /** shorts/: one file per short (`<task id>.json`): its stage (docs/shorts.md), rewritten atomically as it moves on. */
  get shorts() {
    return join(this.root, 'shorts');
  }
  shortState(taskId: string) {
    return join(this.shorts, `${taskId}.json`);
  }
  /** A path relative to the root, with forward slashes, for logs and metadata. */
  rel(p: string) {
    return relative(this.root, p).split(sep).join('/');
  }
  abs(relPath: string) {
    return join(this.root, ...relPath.split('/'));
  }
}

/** Whether a name in nodes/ is a render worker's heartbeat (not the main worker's status, not a temporary). */
export function isHeartbeatName(name: string): boolean {
  return name.endsWith('.json') && name !== 'main-worker.json' && !name.startsWith('.');
}

export function resolutionClass(width: number, height: number): string {
  return `mp4_w${width}_h${height}`;
}

export function parseResolutionClass(name: string): { width: number; height: number } | null {
  const m = /^mp4_w(\d+)_h(\d+)$/.exec(name);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/**
 * The duration written in scanned names (`12.4_<uuid>.mp4`): one decimal, rounded down so that
 * a plan built from names never overestimates how much footage it has.
 */
export function formatDuration(seconds: number): string {
  return (Math.floor(seconds * 10 + 1e-6) / 10).toFixed(1);
}

export function scannedMediaName(seconds: number, id: string, ext: 'mp4' | 'mp3'): string {
  return `${formatDuration(seconds)}_${id}.${ext}`;
}

export function parseScannedMediaName(name: string): { duration: number; id: string; ext: string } | null {
  const m = /^(\d+\.\d)_([0-9a-f-]{36})\.(mp4|mp3)$/i.exec(name);
  if (!m || !UUID_RE.test(m[2]!)) return null;
  return { duration: Number(m[1]), id: m[2]!.toLowerCase(), ext: m[3]!.toLowerCase() };
}

/**
 * Names that are never taken from raw/: dot-files (our own temporaries and many copy tools'),
 * and the partial-download and editor names common copy tools use while a file is in flight.
 */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.startsWith('~$') ||
    name.endsWith('~') ||
    /\.(part|partial|tmp|temp|crdownload|download|swp|filepart)$/i.test(name) ||
    name === 'Thumbs.db' ||
    name === 'desktop.ini'
  );
}

export type RawEntry =
  | { kind: 'video' | 'frame' | 'music' | 'image' | 'text'; category: string; name: string }
  | { kind: 'voice' | 'link'; category: string; story: string; name: string }
  /** A recorded narration part: raw/narration/<category>/<campaign>/<name> (part_0001.mp3, part_0001_2.mp3). */
  | { kind: 'narration'; category: string; campaign: string; name: string }
  /** Text to voice: raw/narration/<category>/<campaign>.csv|txt (name = the file's name, campaign = it without the extension). */
  | { kind: 'narration-text'; category: string; campaign: string; name: string }
  /** A job file: raw/job/<name>.json. */
  | { kind: 'job'; name: string }
  /** Audio to make a vertical short of: raw/short/<category>/<name>.mp3|wav|m4a. */
  | { kind: 'short'; category: string; name: string }
  /** A sidecar: `<file>.json` beside the file it describes, anywhere but raw/job/; `of` is that file's path relative to raw/. */
  | { kind: 'sidecar'; of: string; name: string };

/** The sidecar of a file: its full name plus `.json` (DESIGN §1). */
export const SIDECAR_SUFFIX = '.json';

/** A category or story folder name we can carry into scanned/ paths and concat lists. */
export function badFolderName(name: string): string | null {
  // Control characters (newlines included) cannot be written in an ffconcat list line and
  // break every log line; operators' folder names are otherwise free.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `folder name ${JSON.stringify(name)} contains control characters`;
  return null;
}

/**
 * Where a file under raw/ belongs, from its path relative to raw/ (forward slashes), or why
 * it belongs nowhere.
 */
export function classifyRaw(relToRaw: string): RawEntry | { unexpected: string } {
  const parts = relToRaw.split('/');
  const expected =
    'expected raw/video|frame|music|image|text/<category>/<file>, raw/story/<category>/<story>/voice/<file>.mp3, raw/story/<category>/<story>/link/<file>.txt, raw/narration/<category>/<campaign>.csv|txt, raw/narration/<category>/<campaign>/part_<NNNN>.mp3, raw/job/<name>.json, raw/short/<category>/<file>.mp3|wav|m4a, or <file>.json beside one of those (its sidecar)';
  const [top] = parts;
  const name = parts[parts.length - 1]!;
  // A sidecar is classified by the file it describes, which must itself be a file clipmill takes.
  if (top !== 'job' && name.toLowerCase().endsWith(SIDECAR_SUFFIX) && name.length > SIDECAR_SUFFIX.length) {
    const of = relToRaw.slice(0, -SIDECAR_SUFFIX.length);
    const target = classifyRaw(of);
    if (!('unexpected' in target) && target.kind !== 'sidecar') return { kind: 'sidecar', of, name };
  }
  if ((top === 'video' || top === 'frame' || top === 'music' || top === 'image' || top === 'text') && parts.length === 3) {
    return { kind: top, category: parts[1]!, name };
  }
  if (top === 'story' && parts.length === 5 && (parts[3] === 'voice' || parts[3] === 'link')) {
    return { kind: parts[3], category: parts[1]!, story: parts[2]!, name };
  }
  if (top === 'narration' && parts.length === 4) return { kind: 'narration', category: parts[1]!, campaign: parts[2]!, name };
  if (top === 'narration' && parts.length === 3 && /\.(csv|txt)$/i.test(name)) return { kind: 'narration-text', category: parts[1]!, campaign: name.replace(/\.(csv|txt)$/i, ''), name };
  if (top === 'short' && parts.length === 3) return { kind: 'short', category: parts[1]!, name };
  if (top === 'job' && parts.length === 2 && /\.json$/i.test(name)) return { kind: 'job', name };
  return { unexpected: `raw/${relToRaw} is not where clipmill takes files from: ${expected}` };
}

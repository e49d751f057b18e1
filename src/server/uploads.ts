// Uploads (POST /assets, POST /narrations): written into raw/ exactly as an operator would
// drop them (DESIGN §1): the file streamed to a dot-named temporary beside its place (never
// whole in memory; ingest ignores dot-names), fsynced; its sidecar `<file>.json` (tags) written
// next, whole, before the file is renamed in, so that ingest sees both; then the rename. Neither
// rename ever replaces a file already there (an operator's, or another upload's, put there
// while this one streamed: 409), and a failure takes back only the sidecar this upload made
// (by its inode), never another. Over the size limit, the stream stops at the limit and the
// temporary is removed: nothing reaches raw/. Before streaming: at most `maxConcurrent` at once,
// and enough free space (UploadGate). Every name that becomes a path (kind,
// category, campaign, the file's name) is checked here: no separators, no dot-names, no
// control characters, no "..".
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { RawSidecarSchema } from '../shared/assets.js';
import { formatBytes, freeBytes } from '../shared/disk.js';
import { exists, fsyncPath, removeIfSameFile, renameNoReplace, tempPathFor, writeNewFileNoReplace, type FileIdentity } from '../shared/fs.js';
import { SIDECAR_SUFFIX, type Layout } from '../shared/layout.js';
import { normalizeTags } from '../shared/tags.js';
import { ApiError } from './http-error.js';

export const UPLOAD_KINDS = ['video', 'frame', 'music', 'image', 'text', 'narration', 'short'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** A name that becomes one path segment under raw/; BAD_NAME naming the field otherwise. */
export function checkSegment(field: string, value: string, max = 120): string {
  const v = value.normalize('NFC');
  // eslint-disable-next-line no-control-regex
  const why = !v.trim() ? 'is empty' : v !== v.trim() ? 'starts or ends with a space' : /[/\\]/.test(v) ? 'contains a path separator' : v.startsWith('.') ? 'starts with a dot' : /[\u0000-\u001f\u007f]/.test(v) ? 'contains control characters' : Buffer.byteLength(v) > max ? `is longer than ${max} bytes` : null;
  if (why) throw new ApiError(400, 'BAD_NAME', `${field} ${JSON.stringify(value)} ${why}`, field);
  return v;
}

/** Tags of a form field: comma- or semicolon-separated, trimmed, lower-cased; none may hold a path separator or control characters. */
export function parseTags(text: string): string[] {
  const tags = normalizeTags(text.split(/[,;]/).filter((t) => t.trim()));
  for (const t of tags) {
    // eslint-disable-next-line no-control-regex
    if (/[/\\\u0000-\u001f\u007f]/.test(t) || t.length > 100) throw new ApiError(400, 'BAD_TAG', `tag ${JSON.stringify(t)}: at most 100 characters, no path separators or control characters`, 'tags');
  }
  return tags;
}

/** Where an upload goes, relative to raw/ (its folder), from the form's fields. */
export function uploadFolder(kind: UploadKind, category: string, name: string, campaign: string | undefined): string[] {
  if (kind === 'narration' && !/\.(csv|txt)$/i.test(name)) {
    // A recorded part: raw/narration/<category>/<campaign>/part_<NNNN>.mp3
    if (campaign === undefined) throw new ApiError(400, 'MISSING_FIELD', 'campaign: a recorded narration part (not a .csv or .txt) needs its campaign', 'campaign');
    return ['narration', category, checkSegment('campaign', campaign)];
  }
  return [kind, category];
}

export interface UploadResult {
  /** Relative to the root. */
  path: string;
  sidecar: string | null;
  bytes: number;
  tags: string[];
}

export interface UploadLimits {
  /** The largest file one upload may carry (bytes). */
  maxBytes: number;
  /** disk.minFreeMb in bytes: an upload that could leave less free on raw/'s file system is refused (507). */
  minFreeBytes: number;
  /** How many uploads may stream at once; one more is refused (503, Retry-After). */
  maxConcurrent: number;
}

/**
 * Uploads in flight (one per server): the cap on how many stream at once, and the disk check
 * before each (free space less what this upload may write must stay above disk.minFreeMb).
 */
export class UploadGate {
  private active = 0;
  constructor(
    private readonly layout: Layout,
    readonly limits: UploadLimits,
    private readonly free: (path: string) => Promise<number> = freeBytes,
  ) {}

  async run<T>(req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limits.maxConcurrent) throw new ApiError(503, 'BUSY', `${this.active} uploads are in progress (at most ${this.limits.maxConcurrent} at once): try again shortly`);
    this.active++;
    try {
      // At most the limit, or the whole request when it says its length and that is less.
      const declared = Number(req.headers['content-length']);
      const may = Number.isFinite(declared) && declared > 0 ? Math.min(declared, this.limits.maxBytes) : this.limits.maxBytes;
      const free = await this.free(this.layout.raw);
      if (free - may < this.limits.minFreeBytes) {
        throw new ApiError(507, 'NO_SPACE', `not enough free space for this upload: ${formatBytes(free)} free on raw/'s file system, and ${formatBytes(this.limits.minFreeBytes)} must stay free (disk.minFreeMb)`, 'file');
      }
      return await fn();
    } finally {
      this.active--;
    }
  }
}

/** `.name.tmp-xxxxxxxx`: the temporaries tempPathFor makes. */
const TEMP_RE = /^\..+\.tmp-[0-9a-f]{8}$/;

/**
 * Removes temporaries older than `olderThanMs` under raw/ (an upload cut by a crash or a kill
 * leaves its `.name.tmp-…`; ingest ignores dot-names, so nothing else would). A temporary being
 * written is younger (its mtime moves with every write). Returns the paths removed.
 */
export async function sweepStaleUploads(layout: Layout, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && depth < 6) await visit(p, depth + 1);
      else if (e.isFile() && TEMP_RE.test(e.name)) {
        const st = await lstat(p).catch(() => null);
        if (st && now - st.mtimeMs > olderThanMs) {
          await rm(p, { force: true });
          removed.push(layout.rel(p));
        }
      }
    }
  };
  await visit(layout.raw, 0);
  return removed;
}

/**
 * Reads a multipart request: the fields kind, category, tags (optional), campaign (recorded
 * narration parts) and then one file. `fixedKind` is the route's own (POST /narrations).
 */
export async function receiveUpload(req: FastifyRequest, layout: Layout, fixedKind?: UploadKind): Promise<UploadResult> {
  const fields: Record<string, string> = fixedKind ? { kind: fixedKind } : {};
  let result: UploadResult | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (result) throw new ApiError(400, 'BAD_FORM', `field ${part.fieldname} after the file: send the fields first`, part.fieldname);
      if (!['kind', 'category', 'tags', 'campaign'].includes(part.fieldname)) throw new ApiError(400, 'BAD_FORM', `unknown field ${JSON.stringify(part.fieldname)}: kind, category, tags, campaign and file`, part.fieldname);
      if (!(fixedKind && part.fieldname === 'kind')) fields[part.fieldname] = String(part.value);
      continue;
    }
    if (result) throw new ApiError(400, 'BAD_FORM', 'one file per upload', 'file');
    const kind = fields.kind as UploadKind;
    if (!(UPLOAD_KINDS as readonly string[]).includes(kind)) throw new ApiError(400, 'BAD_KIND', `kind: one of ${UPLOAD_KINDS.join(', ')}, got ${JSON.stringify(fields.kind ?? null)}`, 'kind');
    if (fields.category === undefined) throw new ApiError(400, 'MISSING_FIELD', 'category: required, before the file', 'category');
    const category = checkSegment('category', fields.category);
    const name = checkSegment('file', part.filename || '', 200);
    if (name.toLowerCase().endsWith(SIDECAR_SUFFIX)) throw new ApiError(400, 'BAD_NAME', `file ${JSON.stringify(name)}: a .json name would be taken for a sidecar`, 'file');
    const tags = parseTags(fields.tags ?? '');
    const dir = join(layout.raw, ...uploadFolder(kind, category, name, fields.campaign));
    const target = join(dir, name);
    const sidecar = `${target}${SIDECAR_SUFFIX}`;
    if ((await exists(target)) || (await exists(sidecar))) throw new ApiError(409, 'EXISTS', `${layout.rel(target)} is already in raw/ (waiting for ingest): rename the file or wait`, 'file');
    await mkdir(dir, { recursive: true });
    const tmp = tempPathFor(target);
    const taken = () => new ApiError(409, 'EXISTS', `${layout.rel(target)} is already in raw/ (waiting for ingest): rename the file or wait`, 'file');
    // Ours: the sidecar this upload made (its inode), so that a failure removes only it, never
    // a sidecar an operator (or another upload) put there meanwhile.
    let ours: FileIdentity | null = null;
    try {
      const out = createWriteStream(tmp, { flags: 'wx' });
      await pipeline(part.file, out);
      if (part.file.truncated) throw new ApiError(413, 'TOO_LARGE', `${name} is larger than the upload limit`, 'file');
      await fsyncPath(tmp);
      // The sidecar first (ingest must see it with the file), never replacing one already there.
      if (tags.length) ours = await writeNewFileNoReplace(sidecar, `${JSON.stringify(RawSidecarSchema.parse({ tags }))}\n`);
      await renameNoReplace(tmp, target);
      await fsyncPath(dir);
      result = { path: layout.rel(target), sidecar: tags.length ? layout.rel(sidecar) : null, bytes: out.bytesWritten, tags };
    } catch (err) {
      await rm(tmp, { force: true });
      // A file of the same name renamed in meanwhile: our sidecar is not its own.
      if (ours) await removeIfSameFile(sidecar, ours).catch(() => false);
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'TOO_LARGE', `${name} is larger than the upload limit`, 'file');
      if ((err as { code?: string }).code === 'DUPLICATE') throw taken();
      throw err;
    }
  }
  if (!result) throw new ApiError(400, 'MISSING_FIELD', 'file: no file in the form', 'file');
  return result;
}

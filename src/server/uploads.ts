// Uploads (POST /assets, POST /narrations): written into raw/ exactly as an operator would
// drop them (DESIGN §1): the file streamed to a dot-named temporary beside its place (never
// whole in memory; ingest ignores dot-names), fsynced; its sidecar `<file>.json` (tags) written
// next, whole, before the file is renamed in, so that ingest sees both; then the rename, which
// never replaces a file already there. Over the size limit, the stream stops at the limit and
// the temporary is removed: nothing reaches raw/. Every name that becomes a path (kind,
// category, campaign, the file's name) is checked here: no separators, no dot-names, no
// control characters, no "..".
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { RawSidecarSchema } from '../shared/assets.js';
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

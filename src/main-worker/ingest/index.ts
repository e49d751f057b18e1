// One raw file, one decision: moved into scanned/, kept as an original to be converted,
// rejected into trash/invalid/, or (links, which this version does not crawl) left in place.
// A file's sidecar (<file>.json) is read first and goes where the file goes (sidecar.ts); every
// filed asset gets its asset record (<scanned file>.json) before it is renamed in.
import { basename, dirname, extname } from 'node:path';
import { parseVersionedName } from '../../shared/asset-names.js';
import { personVoiceDest, withVersionLock } from '../narrate/versions.js';
import { readlink } from 'node:fs/promises';
import { ClipmillError, errorMessage, isClipmillError, isRecoverable, mayBlameInput, type ErrorCode } from '../../shared/errors.js';
import { exists, moveFile, sameContent } from '../../shared/fs.js';
import { writeJson } from '../../shared/json.js';
import { badFolderName, classifyRaw } from '../../shared/layout.js';
import type { MainContext } from '../context.js';
import { changedSince, type RawFile } from '../scan.js';
import type { ConvertJob } from './convert.js';
import type { Agent } from 'undici';
import { validateJobFile } from './job.js';
import { ingestLink } from './link.js';
import { validateMusic } from './music.js';
import { SOURCE_SUFFIX, SourceRecordSchema, type SourceRecord } from './records.js';
import { rejectFile } from './reject.js';
import { validateClip } from './video.js';
import { validateVoice } from './voice.js';
import type { AssetRecord } from '../../shared/assets.js';
import { buildAssetRecord, writeAssetRecord, type AssetFacts } from './asset-record.js';
import { validateImage } from './image.js';
import { validateNarrationPart } from './narration.js';
import { ingestNarrationText } from './narration-text.js';
import { fileSidecar, findSidecar, ingestOrphanSidecar, readSidecar, rejectSidecarOf, sidecarChanged } from './sidecar.js';
import { validateText } from './text.js';
import { validateShort } from './short.js';

export type Validated =
  /** `facts`: the asset record's id and the kind's facts (duration, size, texts...). */
  | { kind: 'move'; dest: string; probe: Record<string, unknown>; facts: AssetFacts }
  | { kind: 'convert'; original: string; why: string; probe: Record<string, unknown>; extra: SourceRecord['extra'] };

/** What convert.ts needs to know about an original; stored beside it as <original>.source.json (schema in records.ts). */
export { SOURCE_SUFFIX, type SourceRecord };

export type IngestOutcome =
  /** `record`: the asset record written beside `dest` (none for a story link). */
  | { status: 'moved'; kind: string; dest: string; record?: AssetRecord }
  | { status: 'convert'; job: ConvertJob }
  | { status: 'rejected'; dest: string; code: string }
  | { status: 'skipped'; reason: string }
  | { status: 'changed' }
  | { status: 'retry'; message: string; code: ErrorCode }
  | { status: 'gone' };


/**
 * Keeps a validated file (`from`) as an original to convert, `v.original`: its source record
 * first, then the one rename that takes it from where it was: a crash in between leaves an
 * orphan record (removed at start-up) and the file where it was. An original with the same id
 * and the same bytes is this very file, copied by a run that stopped before removing it (moveFile
 * completes that); anything else is a duplicate. `sidecar`: facts for the asset record the
 * conversion writes (a raw sidecar's; a generated clip's tags).
 */
export async function keepOriginal(ctx: MainContext, from: string, v: Extract<Validated, { kind: 'convert' }>, rawPath: string, sidecar?: SourceRecord['sidecar']): Promise<void> {
  if ((await exists(v.original)) && !(await sameContent(from, v.original))) throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(v.original)} already exists (a file with the same id was taken before)`, { details: { destination: ctx.layout.rel(v.original) } });
  // A measurement JSON cannot hold (an infinite level) is left out: conversion measures again.
  const extra = SourceRecordSchema.shape.extra.safeParse(v.extra);
  // The sidecar's facts travel in the source record to the asset record the conversion writes.
  await writeJson(SourceRecordSchema, `${v.original}${SOURCE_SUFFIX}`, { raw_path: rawPath, moved_at: new Date().toISOString(), why: v.why, probe: v.probe, extra: extra.success ? extra.data : {}, ...(sidecar ? { sidecar } : {}) });
  await moveFile(from, v.original);
}

/**
 * `lastTry`: the file failed for machine reasons so many times that the failure is taken to be
 * the file's after all (an ffprobe that crashes on it every time): it is rejected with the reason.
 */
export async function ingestFile(ctx: MainContext, file: RawFile, signal?: AbortSignal, opts: { agent?: Agent; lastTry?: boolean } = {}): Promise<IngestOutcome> {
  const entry = classifyRaw(file.rel);
  const rawPath = `raw/${file.rel}`;
  if (file.link) {
    // Before anything reads through it: the link itself goes to trash/invalid.
    const target = await readlink(file.path).catch(() => null);
    if (target === null) return { status: 'gone' };
    const err = new ClipmillError('RAW_SYMLINK', `${rawPath} is a symbolic link (to ${target}); clipmill never follows links in raw/: copy the file itself`, { details: { target } });
    return { status: 'rejected', dest: await rejectFile(ctx, file.path, file.rel, rawPath, err), code: err.code };
  }
  try {
    if ('unexpected' in entry) throw new ClipmillError('RAW_UNEXPECTED_PATH', entry.unexpected);
    // A sidecar is taken with its file (the scan holds it back while its file is in raw/); one
    // that comes here alone has lost its file.
    if (entry.kind === 'sidecar') return await ingestOrphanSidecar(ctx, file, entry.of);
    const folders = 'story' in entry ? [entry.category, entry.story] : 'campaign' in entry ? [entry.category, entry.campaign] : 'category' in entry ? [entry.category] : [];
    for (const folder of folders) {
      const why = badFolderName(folder);
      if (why) throw new ClipmillError('RAW_BAD_NAME', why);
    }
    if (file.size === 0) throw new ClipmillError('RAW_EMPTY', 'the file is empty (0 bytes)');
    if (entry.kind === 'link' && !opts.agent) return { status: 'skipped', reason: 'no crawler in this process' };
    if (entry.kind === 'job') {
      // A job file is filed as it is (no sidecar, no asset record: it is a recipe, not an asset).
      const job = await validateJobFile(ctx, file, entry.name);
      if (await changedSince(file)) return { status: 'changed' };
      await moveFile(file.path, job.dest);
      ctx.log.info({ file: rawPath, kind: 'job' }, `Moved file ${rawPath} → ${ctx.layout.rel(job.dest)} (${job.summary})`);
      return { status: 'moved', kind: 'job', dest: job.dest };
    }
    // The sidecar first: a bad one rejects the file before any media is decoded.
    const sidecar = await readSidecar(file);
    if (entry.kind === 'link') {
      const r = await ingestLink(ctx, file, entry.category, entry.story, entry.name, opts.agent!, signal);
      if (sidecar) await fileSidecar(ctx, sidecar, r.dest);
      return { status: 'moved', kind: 'link', dest: r.dest };
    }
    if (entry.kind === 'narration-text') {
      // Parsed and planned here; voiced by the narration queue (narrate/queue.ts), never in ingest.
      const r = await ingestNarrationText(ctx, file, entry.category, entry.campaign, entry.name, sidecar?.facts ?? null);
      if (sidecar) await fileSidecar(ctx, sidecar, r.dest);
      return { status: 'moved', kind: 'narration-text', dest: r.dest };
    }
    let v: Validated;
    let assetKind: AssetRecord['kind'];
    switch (entry.kind) {
      case 'video':
      case 'frame':
        v = await validateClip(ctx, file, entry.kind, entry.category, entry.name, signal);
        assetKind = entry.kind;
        break;
      case 'music':
        v = await validateMusic(ctx, file, entry.category, entry.name, signal);
        assetKind = 'music';
        break;
      case 'voice':
        v = await validateVoice(ctx, file, entry.category, entry.story, entry.name, signal);
        assetKind = 'voice';
        break;
      case 'image':
        v = await validateImage(ctx, file, entry.category, entry.name, signal);
        assetKind = 'image';
        break;
      case 'text':
        v = await validateText(ctx, file, entry.category, entry.name);
        assetKind = 'text';
        break;
      case 'narration':
        v = await validateNarrationPart(ctx, file, entry.category, entry.campaign, entry.name, signal);
        assetKind = 'narration';
        break;
      case 'short':
        v = await validateShort(ctx, file, entry.category, entry.name, sidecar?.facts ?? null, signal);
        assetKind = 'short';
        break;
    }
    // Validation took a while: if the operator rewrote the file (or its sidecar) meanwhile, what
    // was checked is not what would be moved. Leave it; the next scans see it settle again.
    if ((await changedSince(file)) || (sidecar && (await sidecarChanged(sidecar)))) return { status: 'changed' };
    if (!sidecar && (await findSidecar(file.path))) return { status: 'changed' };
    const category = entry.category;
    const entryKind = entry.kind;
    const fileMoved = async (v: Extract<Validated, { kind: 'move' }>): Promise<IngestOutcome> => {
      // The record first, then the one rename that files the file, then its raw sidecar (see
      // sidecar.ts for why in this order). A file already there with other bytes is a duplicate
      // before anything is written; with the same bytes it is this very file, filed by a run
      // that stopped before removing it from raw/ (moveFile completes that).
      if ((await exists(v.dest)) && !(await sameContent(file.path, v.dest))) throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(v.dest)} already exists (scanned/ is immutable)`, { details: { destination: ctx.layout.rel(v.dest) } });
      const record = await writeAssetRecord(v.dest, buildAssetRecord(assetKind, category, rawPath, sidecar?.facts, v.facts));
      await moveFile(file.path, v.dest);
      ctx.log.info({ file: rawPath, kind: entryKind }, `Moved file ${rawPath} → ${ctx.layout.rel(v.dest)}${record.tags.length ? ` (tags: ${record.tags.join(', ')})` : ''}`);
      if (sidecar) await fileSidecar(ctx, sidecar, v.dest);
      return { status: 'moved', kind: entryKind, dest: v.dest, record };
    };
    if (v.kind === 'move' && assetKind === 'voice') {
      // A person's voice for a chapter already voiced by the narration engine wins: it is filed
      // as the next version (narrate/versions.ts), never rejected as a duplicate. Under the
      // voice's version lock, so that the narration queue does not file the same number.
      const moveV = v;
      return await withVersionLock(dirname(moveV.dest), basename(moveV.dest), async () => {
        const dest = await personVoiceDest(moveV.dest, file.path);
        const version = parseVersionedName(basename(dest)).version;
        const facts = { ...moveV.facts, id: `${category}/${'story' in entry ? entry.story : ''}/${basename(dest).replace(/\.mp3$/i, '')}`, origin: 'person' as const, ...(version > 1 ? { version } : {}) };
        return fileMoved({ ...moveV, dest, facts });
      });
    }
    if (v.kind === 'move') return await fileMoved(v);
    await keepOriginal(ctx, file.path, v, rawPath, sidecar?.facts);
    ctx.log.info({ file: rawPath, kind: entry.kind }, `Moved file ${rawPath} → ${ctx.layout.rel(v.original)} (to convert: ${v.why})`);
    if (sidecar) await fileSidecar(ctx, sidecar, v.original);
    const kind = entry.kind as ConvertJob['kind'];
    return {
      status: 'convert',
      job: { kind, category: entry.category, ...('story' in entry ? { story: entry.story } : {}), ...('campaign' in entry ? { campaign: entry.campaign } : {}), original: v.original, id: basename(v.original, extname(v.original)) },
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isClipmillError(err, 'RAW_CHANGED')) return { status: 'changed' };
    // The operator removed or renamed the file while we looked at it: nothing to do, no noise.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || !(await exists(file.path))) return { status: 'gone' };
    // A file rewritten while it was checked failed as what it was, not as what it is now.
    if (await changedSince(file)) return { status: 'changed' };
    // The machine failed, not the file (a killed ffprobe, a full or read-only disk): keep it.
    // On the last try only a tool failing on this very file is blamed on it (mayBlameInput).
    if (isRecoverable(err) && (!opts.lastTry || !mayBlameInput(err))) return { status: 'retry', message: errorMessage(err), code: err instanceof ClipmillError ? err.code : 'IO' };
    const dest = await rejectFile(ctx, file.path, file.rel, rawPath, err);
    // Its sidecar goes along, with a reason saying why (an invalid sidecar: its own error).
    if (!('unexpected' in entry) && entry.kind !== 'sidecar') await rejectSidecarOf(ctx, file, err);
    return { status: 'rejected', dest, code: err instanceof ClipmillError ? err.code : 'IO' };
  }
}



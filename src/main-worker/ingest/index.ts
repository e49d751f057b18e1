// One raw file, one decision: moved into scanned/, kept as an original to be converted,
// rejected into trash/invalid/, or (links, which this version does not crawl) left in place.
import { basename, extname } from 'node:path';
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

export type Validated =
  | { kind: 'move'; dest: string; probe: Record<string, unknown> }
  | { kind: 'convert'; original: string; why: string; probe: Record<string, unknown>; extra: SourceRecord['extra'] };

/** What convert.ts needs to know about an original; stored beside it as <original>.source.json (schema in records.ts). */
export { SOURCE_SUFFIX, type SourceRecord };

export type IngestOutcome =
  | { status: 'moved'; kind: string; dest: string }
  | { status: 'convert'; job: ConvertJob }
  | { status: 'rejected'; dest: string; code: string }
  | { status: 'skipped'; reason: string }
  | { status: 'changed' }
  | { status: 'retry'; message: string; code: ErrorCode }
  | { status: 'gone' };


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
    const folders = 'story' in entry ? [entry.category, entry.story] : 'campaign' in entry ? [entry.category, entry.campaign] : 'category' in entry ? [entry.category] : [];
    for (const folder of folders) {
      const why = badFolderName(folder);
      if (why) throw new ClipmillError('RAW_BAD_NAME', why);
    }
    if (file.size === 0) throw new ClipmillError('RAW_EMPTY', 'the file is empty (0 bytes)');
    if (entry.kind === 'link') {
      if (!opts.agent) return { status: 'skipped', reason: 'no crawler in this process' };
      const r = await ingestLink(ctx, file, entry.category, entry.story, entry.name, opts.agent, signal);
      return { status: 'moved', kind: 'link', dest: r.dest };
    }
    let v: Validated;
    switch (entry.kind) {
      case 'video':
      case 'frame':
        v = await validateClip(ctx, file, entry.kind, entry.category, entry.name, signal);
        break;
      case 'music':
        v = await validateMusic(ctx, file, entry.category, entry.name, signal);
        break;
      case 'voice':
        v = await validateVoice(ctx, file, entry.category, entry.story, entry.name, signal);
        break;
      case 'job':
        v = await validateJobFile(ctx, file, entry.name);
        break;
      default:
        // Kinds whose ingest is being built this session (images, texts, narration, sidecars) stay in raw/ until then.
        return { status: 'skipped', reason: `raw/${entry.kind} files are not taken by this version` };
    }
    // Validation took a while: if the operator rewrote the file meanwhile, what was checked is
    // not what would be moved. Leave it; the next scans see it settle again.
    if (await changedSince(file)) return { status: 'changed' };
    if (v.kind === 'move') {
      await moveFile(file.path, v.dest);
      ctx.log.info({ file: rawPath, kind: entry.kind }, `Moved file ${rawPath} → ${ctx.layout.rel(v.dest)}`);
      return { status: 'moved', kind: entry.kind, dest: v.dest };
    }
    // The source record first, then the one rename that takes the file out of raw/: a crash
    // in between leaves an orphan record (removed at start-up) and the file still in raw/.
    // An original with the same id and the same bytes is this very file, copied by a run that
    // stopped before removing it from raw/ (moveFile completes that); anything else is a duplicate.
    if ((await exists(v.original)) && !(await sameContent(file.path, v.original))) throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(v.original)} already exists (a file with the same id was taken before)`, { details: { destination: ctx.layout.rel(v.original) } });
    // A measurement JSON cannot hold (an infinite level) is left out: conversion measures again.
    const extra = SourceRecordSchema.shape.extra.safeParse(v.extra);
    await writeJson(SourceRecordSchema, `${v.original}${SOURCE_SUFFIX}`, { raw_path: rawPath, moved_at: new Date().toISOString(), why: v.why, probe: v.probe, extra: extra.success ? extra.data : {} });
    await moveFile(file.path, v.original);
    ctx.log.info({ file: rawPath, kind: entry.kind }, `Moved file ${rawPath} → ${ctx.layout.rel(v.original)} (to convert: ${v.why})`);
    const kind = entry.kind as ConvertJob['kind'];
    // Only footage, music and voices are converted (a job file is always moved).
    if (!('category' in entry)) throw new Error(`raw/${entry.kind} files are never converted`);
    return { status: 'convert', job: { kind, category: entry.category, ...('story' in entry ? { story: entry.story } : {}), original: v.original, id: basename(v.original, extname(v.original)) } };
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
    return { status: 'rejected', dest, code: err instanceof ClipmillError ? err.code : 'IO' };
  }
}


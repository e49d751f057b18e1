// One raw file, one decision: moved into scanned/, rejected into trash/invalid/, or (links,
// which this version does not crawl) left where it is.
import { ClipmillError } from '../../shared/errors.js';
import { exists, moveFile } from '../../shared/fs.js';
import { badFolderName, classifyRaw } from '../../shared/layout.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import { ingestMusic } from './music.js';
import { reject } from './reject.js';
import { ingestClip } from './video.js';
import { ingestVoice } from './voice.js';

/** Where a valid raw file goes, and what the probe said (for logs). */
export interface Ingested {
  dest: string;
  probe: Record<string, unknown>;
}

export type IngestOutcome =
  | { status: 'moved'; kind: string; dest: string }
  | { status: 'rejected'; dest: string; code: string }
  | { status: 'skipped'; reason: string }
  | { status: 'gone' };

export async function ingestFile(ctx: MainContext, file: RawFile, signal?: AbortSignal): Promise<IngestOutcome> {
  const entry = classifyRaw(file.rel);
  try {
    if ('unexpected' in entry) throw new ClipmillError('RAW_UNEXPECTED_PATH', entry.unexpected);
    if (entry.kind === 'link') return { status: 'skipped', reason: 'story links are not crawled by this version' };
    for (const folder of 'story' in entry ? [entry.category, entry.story] : [entry.category]) {
      const why = badFolderName(folder);
      if (why) throw new ClipmillError('RAW_BAD_NAME', why);
    }
    if (file.size === 0) throw new ClipmillError('RAW_EMPTY', 'the file is empty (0 bytes)');
    let result: Ingested;
    switch (entry.kind) {
      case 'video':
      case 'frame':
        result = await ingestClip(ctx, file, entry.kind, entry.category, entry.name, signal);
        break;
      case 'music':
        result = await ingestMusic(ctx, file, entry.category, entry.name, signal);
        break;
      case 'voice':
        result = await ingestVoice(ctx, file, entry.category, entry.story, entry.name, signal);
        break;
    }
    await moveFile(file.path, result.dest);
    ctx.log.info({ file: `raw/${file.rel}`, kind: entry.kind }, `Moved file raw/${file.rel} → ${ctx.layout.rel(result.dest)}`);
    return { status: 'moved', kind: entry.kind, dest: result.dest };
  } catch (err) {
    if (signal?.aborted) throw err;
    // The operator removed or renamed the file while we looked at it: nothing to do.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || !(await exists(file.path))) return { status: 'gone' };
    const probeDetails = err instanceof ClipmillError ? ((err.details.probe as Record<string, unknown> | undefined) ?? null) : null;
    const dest = await reject(ctx, file, err, probeDetails);
    return { status: 'rejected', dest, code: err instanceof ClipmillError ? err.code : 'IO' };
  }
}

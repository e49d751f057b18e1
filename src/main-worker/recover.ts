// Start-up recovery (DESIGN invariant 5): whatever a killed main worker left half-done is
// finished or undone. Safe because there is one main worker per root.
//  - dot-temp files in scanned/ (an interrupted move across file systems or conversion): removed;
//  - originals with no converted file yet: converted again;
//  - asset records whose file never arrived (a crash before the rename): removed;
//  - source records whose original is gone (a crash before the move): removed; raw sidecars
//    kept beside originals (<original>.sidecar.json) are raw files: never removed, never converted.
import { beatsPath } from '../shared/media/beats.js';
import { readdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isSynthesized, latestVersion } from './narrate/versions.js';
import { parseNarrationPartName, parseScannedImageName, parseScannedTextName } from '../shared/asset-names.js';
import { parseResolutionClass, parseScannedMediaName } from '../shared/layout.js';
import type { MainContext } from './context.js';
import type { ConvertJob } from './ingest/convert.js';
import { SOURCE_SUFFIX } from './ingest/index.js';
import { isManifestName, rollForward } from './ingest/link.js';
import { SIDECAR_COPY_SUFFIX } from './ingest/sidecar.js';

async function list(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/** Our temporaries are dot-files with ".tmp-" in the name (fs.tempPathFor, convert.ts). */
export function isOurTemp(name: string): boolean {
  return name.startsWith('.') && name.includes('.tmp-');
}

async function removeTemps(dir: string): Promise<number> {
  let n = 0;
  for (const e of await list(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await removeTemps(p);
    else if (isOurTemp(e.name)) {
      await rm(p, { force: true });
      n++;
    }
  }
  return n;
}

async function hasConverted(ctx: MainContext, job: ConvertJob): Promise<boolean> {
  if (job.kind === 'voice') {
    // A person's voice is filed as version 1, or as the next version of a synthesized chapter
    // (narrate/versions.ts): converted once the latest version is not a synthesized one.
    const latest = await latestVersion(ctx.layout.scannedVoiceDir(job.category, job.story ?? ''), `${job.id}.mp3`);
    return latest !== null && !isSynthesized(latest.record);
  }
  if (job.kind === 'narration') return (await list(ctx.layout.scannedNarrationDir(job.category, job.campaign ?? ''))).some((e) => e.name === `${job.id}.mp3`);
  if (job.kind === 'image') {
    const suffix = `_${job.id}${extname(job.original).toLowerCase()}`;
    return (await list(ctx.layout.scannedImageDir(job.category))).some((e) => e.isFile() && e.name.endsWith(suffix));
  }
  const suffix = `_${job.id}.${job.kind === 'music' ? 'mp3' : 'mp4'}`;
  const dirs = job.kind === 'music'
    ? [ctx.layout.scannedMusicDir(job.category)]
    : (await list(join(ctx.layout.scanned, job.kind, job.category))).filter((e) => e.isDirectory() && parseResolutionClass(e.name)).map((e) => join(ctx.layout.scanned, job.kind, job.category, e.name));
  for (const d of dirs) if ((await list(d)).some((e) => e.name.endsWith(suffix))) return true;
  return false;
}

/** Finishes story-chunk publications a crash interrupted (before their temp files are cleaned). */
async function rollForwardPublications(dir: string): Promise<number> {
  let n = 0;
  for (const e of await list(dir)) {
    if (e.isDirectory()) n += await rollForwardPublications(join(dir, e.name));
    else if (isManifestName(e.name)) {
      await rollForward(join(dir, e.name));
      n++;
    }
  }
  return n;
}

/** The originals in `dir` not converted yet; source records whose original is gone are removed. */
async function pendingIn(ctx: MainContext, dir: string, jobFor: (name: string, original: string) => ConvertJob): Promise<ConvertJob[]> {
  const entries = await list(dir);
  const names = new Set(entries.map((e) => e.name));
  const out: ConvertJob[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.isFile()) continue;
    if (e.name.endsWith(SOURCE_SUFFIX)) {
      if (!names.has(e.name.slice(0, -SOURCE_SUFFIX.length))) await rm(join(dir, e.name), { force: true });
      continue;
    }
    // The raw sidecar kept beside its original (ingest/sidecar.ts): a raw file, never removed.
    if (e.name.endsWith(SIDECAR_COPY_SUFFIX)) continue;
    const job = jobFor(e.name, join(dir, e.name));
    if (!(await hasConverted(ctx, job))) out.push(job);
  }
  return out;
}

/** Whether `name` (a file of scanned/<top>/...) is a filed asset, whose record is `<name>.json`. */
function isAssetName(top: string, name: string): boolean {
  if (top === 'video' || top === 'frame' || top === 'music') return parseScannedMediaName(name) !== null;
  if (top === 'image') return parseScannedImageName(name) !== null;
  if (top === 'text') return parseScannedTextName(name) !== null;
  if (top === 'narration') return parseNarrationPartName(name) !== null;
  return top === 'story' && name.toLowerCase().endsWith('.mp3');
}

/**
 * Asset records (<file>.json, ingest/asset-record.ts) whose file never arrived: ingest writes the
 * record, then renames the file in; a crash in between, and the raw file removed since, leave
 * a record describing nothing. Only the farm's own records are removed: a name that is not the
 * record of an asset name (a kept raw sidecar, a source record, word timings) is left alone.
 */
const BEATS_SUFFIX = beatsPath('');

async function removeOrphanRecords(dir: string, top: string): Promise<number> {
  let n = 0;
  const entries = await list(dir);
  const names = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    if (e.isDirectory()) n += await removeOrphanRecords(join(dir, e.name), top);
    else if (e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.')) {
      // A track's beats file (<track>.beats.json) is written before the track too.
      const asset = e.name.endsWith(BEATS_SUFFIX) ? e.name.slice(0, -BEATS_SUFFIX.length) : e.name.slice(0, -'.json'.length);
      if (isAssetName(top, asset) && !names.has(asset)) {
        await rm(join(dir, e.name), { force: true });
        n++;
      }
    }
  }
  return n;
}

export async function recover(ctx: MainContext): Promise<{ temps: number; publications: number; records: number; pending: ConvertJob[] }> {
  const publications = await rollForwardPublications(join(ctx.layout.scanned, 'story'));
  const temps = await removeTemps(ctx.layout.scanned);
  let records = 0;
  for (const top of ['video', 'frame', 'music', 'story', 'image', 'text', 'narration']) records += await removeOrphanRecords(join(ctx.layout.scanned, top), top);
  const pending: ConvertJob[] = [];
  for (const kind of ['video', 'frame', 'music', 'image'] as const) {
    for (const cat of await list(join(ctx.layout.scanned, kind))) {
      if (!cat.isDirectory()) continue;
      pending.push(...(await pendingIn(ctx, ctx.layout.scannedOriginalDir(kind, cat.name), (name, original) => ({ kind, category: cat.name, original, id: name.slice(0, name.length - extname(name).length) }))));
    }
  }
  // Voices re-encoded because their header lied: scanned/story/<c>/<s>/voice/original/.
  for (const cat of await list(join(ctx.layout.scanned, 'story'))) {
    if (!cat.isDirectory()) continue;
    for (const story of await list(join(ctx.layout.scanned, 'story', cat.name))) {
      if (!story.isDirectory()) continue;
      pending.push(...(await pendingIn(ctx, ctx.layout.scannedVoiceOriginalDir(cat.name, story.name), (name, original) => ({ kind: 'voice', category: cat.name, story: story.name, original, id: name.slice(0, name.length - extname(name).length) }))));
    }
  }
  // Narration parts re-encoded because their header lied: scanned/narration/<c>/<campaign>/original/.
  for (const cat of await list(join(ctx.layout.scanned, 'narration'))) {
    if (!cat.isDirectory()) continue;
    for (const campaign of await list(join(ctx.layout.scanned, 'narration', cat.name))) {
      if (!campaign.isDirectory()) continue;
      pending.push(...(await pendingIn(ctx, join(ctx.layout.scannedNarrationDir(cat.name, campaign.name), 'original'), (name, original) => ({ kind: 'narration', category: cat.name, campaign: campaign.name, original, id: name.slice(0, name.length - extname(name).length) }))));
    }
  }
  return { temps, publications, records, pending };
}

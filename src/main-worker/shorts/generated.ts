// The stage `generating` of a short (shorts.generate): a still or a clip (shorts.generationKind)
// made by the generation service for each beat whose words match no tag, validated as a dropped
// still (ingest/image.ts) or a dropped clip (ingest/video.ts: probe, decode check, conformed to
// the concat-safe profile by ingest/convert.ts when it does not fit it) is, and filed under
// scanned/image/<category>/ or scanned/video/<category>/mp4_w<W>_h<H>/ with an asset record
// tagged with one tag of all the beat's keywords (a later beat matches it only when it says
// them all), then added to the catalog: the re-planned short shows it, and later shorts can too.
// The download waits under scanned/.generating/ (a dot-folder no reader lists) and is named by a
// UUID derived from the short and the beat, so a beat generated once is never asked for again
// once filed. A failure leaves the beat with its catalog match, with a warning.
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ClipmillError, errorMessage } from '../../shared/errors.js';
import { exists, moveFile } from '../../shared/fs.js';
import { stableUuid } from '../../shared/ids.js';
import type { Catalog } from '../../shared/catalog.js';
import type { MainContext } from '../context.js';
import { buildAssetRecord, writeAssetRecord } from '../ingest/asset-record.js';
import { convertOriginal } from '../ingest/convert.js';
import { IMAGE_TYPES, validateImage } from '../ingest/image.js';
import { keepOriginal } from '../ingest/index.js';
import { validateClip } from '../ingest/video.js';
import type { BeatVisual } from '../planners/short.js';
import type { GenerationKind, GenerationProvider } from './generation.js';
import type { ProviderBreaker } from './provider-breaker.js';

/**
 * Validates a downloaded still or clip (by its extension) and files it tagged; returns its
 * root-relative path. PROVIDER_INVALID when it is not a good still or clip. A clip that does not
 * fit the concat-safe profile is kept as an original and conformed now, as ingest's convert
 * queue would: one that fails to conform goes to trash/invalid/ with its reason; one that fails
 * for a machine reason stays under original/ for the next start-up's recovery (tagged, then).
 */
export async function fileGenerated(ctx: MainContext, catalog: Catalog, file: string, category: string, tags: string[], taskId: string, signal?: AbortSignal): Promise<string> {
  const name = basename(file);
  const kind = IMAGE_TYPES[extname(name).toLowerCase()] ? 'image' : 'video';
  const rawPath = `generated/${taskId}`;
  try {
    const st = await stat(file);
    const raw = { path: file, rel: `${kind}/${category}/${name}`, size: st.size, mtimeMs: st.mtimeMs };
    const v = kind === 'image' ? await validateImage(ctx, raw, category, name, signal) : await validateClip(ctx, raw, 'video', category, name, signal);
    if (v.kind === 'convert') {
      if (kind === 'image') throw new ClipmillError('PROVIDER_INVALID', `the generated image would need converting (${v.why}): not filed`);
      await keepOriginal(ctx, file, v, rawPath, { tags });
      const r = await convertOriginal(ctx, { kind: 'video', category, original: v.original, id: basename(v.original, extname(v.original)) }, signal);
      if (r.status !== 'done') {
        if (r.status === 'failed') throw new ClipmillError('PROVIDER_INVALID', `the generated clip could not be conformed (${v.why}): moved to trash/invalid/ with its reason`);
        // A machine failure (logged by convertOriginal): the original and its source record stay.
        throw new ClipmillError('IO', `the generated clip could not be conformed now (${v.why}): ${ctx.layout.rel(v.original)} is conformed at the next start`);
      }
      catalog.add(ctx.layout.rel(r.dest), r.record);
      return ctx.layout.rel(r.dest);
    }
    if (await exists(v.dest)) throw new ClipmillError('PROVIDER_INVALID', `${ctx.layout.rel(v.dest)} already exists`);
    const record = await writeAssetRecord(v.dest, buildAssetRecord(kind, category, rawPath, { tags }, v.facts));
    await moveFile(file, v.dest);
    catalog.add(ctx.layout.rel(v.dest), record);
    return ctx.layout.rel(v.dest);
  } catch (err) {
    await rm(file, { force: true });
    if (err instanceof ClipmillError && err.code !== 'PROVIDER_INVALID' && err.errorClass === 'fatal') throw new ClipmillError('PROVIDER_INVALID', `the generated ${kind === 'image' ? 'image is not a valid still' : 'file is not a valid clip'}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Generates and files a still or a clip for each beat that matched no tag; returns what was
 * filed and the warnings of what was not. With `kind` "video", a beat the LLM planner asked a
 * still for gets a still (a clip would not be shown there while the catalog has stills).
 */
export async function generateVisuals(ctx: MainContext, gen: { provider: GenerationProvider; breaker: ProviderBreaker; kind: GenerationKind }, catalog: Catalog, key: string, category: string, visuals: readonly BeatVisual[], aspect: string, signal?: AbortSignal): Promise<{ filed: string[]; warnings: string[] }> {
  const filed: string[] = [];
  const warnings: string[] = [];
  const dir = join(ctx.layout.scanned, '.generating');
  for (const v of visuals) {
    if (v.matched.length || !v.beat.keywords.length) continue;
    await mkdir(dir, { recursive: true });
    const out = join(dir, stableUuid('clipmill-generated', key, String(v.beat.start)));
    const kind = v.beat.assetType === 'still' ? 'image' : gen.kind;
    const prompt = `${kind === 'image' ? 'A photograph' : 'A video clip'} for a vertical video, showing: ${v.beat.keywords.join(', ')}. Context: ${v.beat.text}`;
    try {
      const got = await gen.breaker.run(key, () => gen.provider.generate(kind, prompt, aspect, out, key, signal), signal);
      // One tag of all the beat's keywords: a later beat matches it only when it says every one of
      // them (a tag matches when all its words are among the beat's keywords), never on one word.
      filed.push(await fileGenerated(ctx, catalog, got.file, category, [v.beat.keywords.join(' ')], got.taskId, signal));
    } catch (err) {
      if (signal?.aborted) throw err;
      warnings.push(`generation for the beat at ${v.beat.start} s: ${errorMessage(err)}; the catalog's match is shown`);
    }
  }
  return { filed, warnings };
}

// The stage `generating` of a short (shorts.generate): a still made by the generation service
// for each beat whose words match no tag, validated as a dropped still is (ingest/image.ts) and
// filed under scanned/image/<category>/ with an asset record tagged with one tag of all the beat's
// keywords (a later beat matches it only when it says them all),
// then added to the catalog: the re-planned short shows it, and later shorts can too. The
// download waits under scanned/.generating/ (a dot-folder no reader lists) and is named by a
// UUID derived from the short and the beat, so a beat generated once is never asked for again
// once filed. A failure leaves the beat with its catalog match, with a warning.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError, errorMessage } from '../../shared/errors.js';
import { exists, moveFile } from '../../shared/fs.js';
import { stableUuid } from '../../shared/ids.js';
import type { Catalog } from '../../shared/catalog.js';
import type { MainContext } from '../context.js';
import { buildAssetRecord, writeAssetRecord } from '../ingest/asset-record.js';
import { validateImage } from '../ingest/image.js';
import type { BeatVisual } from '../planners/short.js';
import type { GenerationProvider } from './generation.js';
import type { ProviderBreaker } from './provider-breaker.js';

/** Validates a downloaded image and files it as a tagged still; returns its root-relative path. PROVIDER_INVALID when it is not a good still. */
export async function fileGenerated(ctx: MainContext, catalog: Catalog, file: string, category: string, tags: string[], taskId: string, signal?: AbortSignal): Promise<string> {
  const name = file.slice(file.lastIndexOf('/') + 1);
  try {
    const st = await stat(file);
    const v = await validateImage(ctx, { path: file, rel: `image/${category}/${name}`, size: st.size, mtimeMs: st.mtimeMs }, category, name, signal);
    if (v.kind !== 'move') throw new ClipmillError('PROVIDER_INVALID', `the generated image would need converting (${v.why}): not filed`);
    if (await exists(v.dest)) throw new ClipmillError('PROVIDER_INVALID', `${ctx.layout.rel(v.dest)} already exists`);
    const record = await writeAssetRecord(v.dest, buildAssetRecord('image', category, `generated/${taskId}`, { tags }, v.facts));
    await moveFile(file, v.dest);
    catalog.add(ctx.layout.rel(v.dest), record);
    return ctx.layout.rel(v.dest);
  } catch (err) {
    await rm(file, { force: true });
    if (err instanceof ClipmillError && err.code !== 'PROVIDER_INVALID' && err.errorClass === 'fatal') throw new ClipmillError('PROVIDER_INVALID', `the generated image is not a valid still: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Generates and files a still for each beat that matched no tag; returns what was filed and the warnings of what was not. */
export async function generateVisuals(ctx: MainContext, gen: { provider: GenerationProvider; breaker: ProviderBreaker }, catalog: Catalog, key: string, category: string, visuals: readonly BeatVisual[], aspect: string, signal?: AbortSignal): Promise<{ filed: string[]; warnings: string[] }> {
  const filed: string[] = [];
  const warnings: string[] = [];
  const dir = join(ctx.layout.scanned, '.generating');
  for (const v of visuals) {
    if (v.matched.length || !v.beat.keywords.length) continue;
    await mkdir(dir, { recursive: true });
    const out = join(dir, stableUuid('clipmill-generated', key, String(v.beat.start)));
    try {
      const got = await gen.breaker.run(key, () => gen.provider.generate(`A photograph for a vertical video, showing: ${v.beat.keywords.join(', ')}. Context: ${v.beat.text}`, aspect, out, key, signal), signal);
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

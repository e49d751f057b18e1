// The stage `generating` of a short (shorts.generate): a still or a clip (shorts.generationKind)
// made by the generation service for each beat whose words match no tag, validated as a dropped
// still (ingest/image.ts) or a dropped clip (ingest/video.ts: probe, decode check, conformed to
// the concat-safe profile by ingest/convert.ts when it does not fit it) is, and filed under
// scanned/image/<category>/ or scanned/video/<category>/mp4_w<W>_h<H>/ with an asset record
// tagged with one tag of all the beat's keywords (a later beat matches it only when it says
// them all), then added to the catalog: the re-planned short shows it, and later shorts can too.
// The download waits under scanned/.generating/ (a dot-folder no reader lists) and is named by a
// UUID derived from the short, the beat's start, the kind and the beat's keywords (an LLM plan
// made again after a restart may differ: another request is another file): before the provider
// is asked, an asset (or an original awaiting its conforming) with that id already filed is used,
// so a beat generated once is never paid for again. A failure leaves the beat with its catalog
// match, with a warning. The provider's circuit breaker counts a failed generation and a
// downloaded file that is refused (PROVIDER_INVALID): a service handing back broken files is
// left alone like one that is down; a machine failure while filing counts for nothing.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
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
import { providerFault, type ProviderBreaker } from './provider-breaker.js';

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
        if (r.status === 'failed') throw new ClipmillError('PROVIDER_INVALID', `the generated clip could not be conformed (${v.why}): ${r.why ?? 'its reason is in trash/invalid/'}; moved to trash/invalid/ with its reason`);
        // A machine failure (logged by convertOriginal): the original and its source record stay.
        throw new ClipmillError('IO', `the generated clip could not be conformed now, for a reason of this machine (${r.why ?? 'see the log'}): ${ctx.layout.rel(v.original)} stays and is conformed at the next start`);
      }
      catalog.add(ctx.layout.rel(r.dest), r.record);
      return ctx.layout.rel(r.dest);
    }
    if (await exists(v.dest)) throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(v.dest)} already exists (a file with the same id was filed before)`, { details: { destination: ctx.layout.rel(v.dest) } });
    const record = await writeAssetRecord(v.dest, buildAssetRecord(kind, category, rawPath, { tags }, v.facts));
    await moveFile(file, v.dest);
    catalog.add(ctx.layout.rel(v.dest), record);
    return ctx.layout.rel(v.dest);
  } catch (err) {
    await rm(file, { force: true });
    // A DUPLICATE is no fault of the file: it says so as it is.
    if (err instanceof ClipmillError && err.code !== 'PROVIDER_INVALID' && err.code !== 'DUPLICATE' && err.errorClass === 'fatal') throw new ClipmillError('PROVIDER_INVALID', `the generated ${kind === 'image' ? 'image is not a valid still' : 'file is not a valid clip'}: ${err.message}`, { cause: err });
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
    const kind = v.beat.assetType === 'still' ? 'image' : gen.kind;
    // One tag of all the beat's keywords: a later beat matches it only when it says every one of
    // them (a tag matches when all its words are among the beat's keywords), never on one word.
    const tag = v.beat.keywords.join(' ');
    const id = stableUuid('clipmill-generated', key, String(v.beat.start), kind, tag);
    try {
      const before = catalog.byId(id);
      if (before) {
        filed.push(before.path);
        continue;
      }
      const waiting = await awaitingConversion(ctx, kind, category, id);
      if (waiting) {
        warnings.push(`the ${kind === 'image' ? 'still' : 'clip'} generated before for the beat at ${v.beat.start} s (${ctx.layout.rel(waiting)}) is conformed at the next start, not generated again; the catalog's match is shown`);
        continue;
      }
      await mkdir(dir, { recursive: true });
      const prompt = `${kind === 'image' ? 'A photograph' : 'A video clip'} for a vertical video, showing: ${v.beat.keywords.join(', ')}. Context: ${v.beat.text}`;
      // Only the provider's own failures count against it (a refused download is PROVIDER_INVALID);
      // a failure of this machine (a write of the download, its filing: IO and the like) does not.
      const path = await gen.breaker.run(
        key,
        async () => {
          const got = await gen.provider.generate(kind, prompt, aspect, join(dir, id), key, signal);
          return fileGenerated(ctx, catalog, got.file, category, [tag], got.taskId, signal);
        },
        signal,
        providerFault,
      );
      filed.push(path);
    } catch (err) {
      if (signal?.aborted) throw err;
      warnings.push(`generation for the beat at ${v.beat.start} s: ${errorMessage(err)}; the catalog's match is shown`);
    }
  }
  return { filed, warnings };
}

/** An original of `id` kept under scanned/<kind>/<category>/original/ for its conforming (the next start converts it), or null. */
async function awaitingConversion(ctx: MainContext, kind: GenerationKind, category: string, id: string): Promise<string | null> {
  const dir = ctx.layout.scannedOriginalDir(kind, category);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  // Not its source record nor a sidecar's copy (<name>.source.json, <name>.json).
  const name = names.find((n) => n.startsWith(`${id}.`) && !n.endsWith('.json'));
  return name ? join(dir, name) : null;
}

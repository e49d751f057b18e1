// Start-up recovery: a main worker can be killed at any instant (DESIGN §1, invariant 5), so
// before it takes new work it finishes or clears what an earlier run left half-done: story
// chunk publications are rolled forward, temporaries in scanned/ and half-built task folders in
// tasks/ are removed, dead nodes and stale leases are dealt with, a missing ledger is rebuilt,
// and the originals whose conversion never finished are returned to be converted. Then the
// catalog of scanned/ is loaded, and the tracks filed before beat analysis are analysed in the
// background (ingest/beats-backfill.ts).
import { Catalog } from '../shared/catalog.js';
import type { MainContext } from './context.js';
import { backfillBeats, tracksWithoutBeats } from './ingest/beats-backfill.js';
import type { ConvertJob } from './ingest/convert.js';
import type { Ledger } from './ledger.js';
import { recover } from './recover.js';
import { cleanPublishTemps } from '../shared/protocol/publish.js';

/** `health`: the health check (dead nodes, stale leases), run after the clean-up and before the ledger is rebuilt. */
export async function recoverAtStart(ctx: MainContext, ledger: Ledger, health: () => Promise<void>): Promise<{ pending: ConvertJob[] }> {
  const { log, layout } = ctx;
  const { temps, publications, records, pending } = await recover(ctx);
  if (publications) log.warn(`Finished ${publications} story chunk publication(s) an interrupted run had started`);
  if (temps) log.warn(`Removed ${temps} temporary file(s) an interrupted run left in scanned/`);
  if (records) log.warn(`Removed ${records} asset record(s) whose file an interrupted run never filed`);
  const removed = await cleanPublishTemps(layout);
  if (removed) log.warn(`Removed ${removed} half-built task folder(s) an interrupted run left in tasks/`);
  await health();
  const rebuilt = await ledger.rebuildIfMissing();
  if (rebuilt !== null && rebuilt > 0) log.warn(`Rebuilt the task ledger (tasks/.ledger/) from ${rebuilt} task folder(s)`);
  return { pending };
}

/**
 * The catalog of scanned/ (`known` when this run has one already), its size logged; the tracks
 * in it without beats analysed in the background (`track` keeps that work for close() to wait
 * for; `analysed` is called after each track gets its beats).
 */
export async function catalogAtStart(ctx: MainContext, known: Catalog | null, opts: { signal: AbortSignal; track: (p: Promise<unknown>) => unknown; analysed: () => void }): Promise<Catalog> {
  const { log, layout } = ctx;
  const catalog = known ?? (await Catalog.load(layout));
  const size = catalog.size;
  log.info(`Catalog of scanned/: ${size.clips} clip(s), ${size.music} music track(s), ${size.voices} voice file(s), ${size.images} image(s), ${size.texts} text(s), ${size.narration} narration part(s)`);
  const ffmpeg = ctx.bins?.ffmpeg.path;
  if (ffmpeg && tracksWithoutBeats(catalog).length) opts.track(backfillBeats({ ffmpeg, layout, catalog, log, signal: opts.signal, analysed: opts.analysed }));
  return catalog;
}

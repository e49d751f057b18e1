// Beats for the tracks filed before beat analysis existed (scanned/music/ tracks without a
// `<track>.beats.json`): at the main worker's start-up, after the catalog is loaded, each is
// analysed once, in the background (start-up does not wait; the analysis itself runs in a
// worker thread), one track at a time. The beats file is written atomically (temp + rename)
// only where there is none yet, and the catalog entry is refreshed: later plans cut on its
// beats. A track that does not decode gets a beats file saying so (usable: false), so it is
// not analysed again; a machine failure (a full disk) leaves no file: tried at the next start.
import { BeatsSchema, beatsPath } from '../../shared/media/beats.js';
import { errorMessage } from '../../shared/errors.js';
import { exists } from '../../shared/fs.js';
import { readJsonOrNull, writeJson } from '../../shared/json.js';
import type { Logger } from '../../shared/log.js';
import type { Layout } from '../../shared/layout.js';
import type { Catalog } from '../../shared/catalog.js';
import { analyseBeats } from './beats.js';

/** The catalog's tracks without a beats file, by path. */
export function tracksWithoutBeats(catalog: Catalog): string[] {
  return catalog.assets().flatMap((a) => (a.kind === 'music' && !a.beats ? [a.path] : []));
}

/** Analyses every catalog track without beats; returns the paths given beats. Never throws (each failure is logged). */
export async function backfillBeats(opts: { ffmpeg: string; layout: Layout; catalog: Catalog; log: Logger; signal?: AbortSignal; analysed?: (rel: string) => void }): Promise<string[]> {
  const { layout, catalog, log, signal } = opts;
  const done: string[] = [];
  for (const rel of tracksWithoutBeats(catalog)) {
    if (signal?.aborted) break;
    const abs = layout.abs(rel);
    try {
      if (!(await exists(abs))) continue;
      // Written meanwhile (a run before this one stopped after writing it): read, not analysed again.
      let beats = await readJsonOrNull(BeatsSchema, beatsPath(abs));
      if (!beats) {
        beats = await analyseBeats(opts.ffmpeg, abs, { signal, log });
        if (await exists(beatsPath(abs))) beats = (await readJsonOrNull(BeatsSchema, beatsPath(abs))) ?? beats;
        else await writeJson(BeatsSchema, beatsPath(abs), beats);
      }
      catalog.add(rel, undefined, beats);
      done.push(rel);
      log.info({ file: rel }, `Beats of ${rel} (filed before beat analysis): ${beats.usable ? `${beats.onsets.length} onsets, ${beats.tempo} bpm` : `no usable beats (${beats.reason})`}`);
      opts.analysed?.(rel);
    } catch (err) {
      if (signal?.aborted) break;
      log.warn({ file: rel, err }, `Beat analysis of ${rel} failed (${errorMessage(err)}): it is tried again at the next start`);
    }
  }
  return done;
}

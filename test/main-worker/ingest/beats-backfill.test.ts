// Tracks filed before beat analysis (no <track>.beats.json): analysed once at start-up
// (backfillBeats), the beats file written beside the track and the catalog entry refreshed;
// an undecodable track gets a file saying so; a second run finds nothing to do.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src/shared/catalog.js';
import { backfillBeats, tracksWithoutBeats } from '../../../src/main-worker/ingest/beats-backfill.js';
import { readBeats } from '../../../src/main-worker/ingest/beats.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import { binaries, tempDir } from '../../helpers.js';
import { clickTrack } from '../../shared/media/click-track.js';

test('backfillBeats: each track without a beats file analysed once, written beside it, the catalog refreshed; undecodable: a file saying so; nothing left to do afterwards', async (t) => {
  const layout = new Layout(await tempDir(t));
  const good = 'scanned/music/beats/mp3/6.0_0b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f10.mp3';
  const bad = 'scanned/music/beats/mp3/6.0_1b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f11.mp3';
  await mkdir(dirname(layout.abs(good)), { recursive: true });
  const clicks = await clickTrack(layout.abs(good), 120, 0.4, 6);
  await writeFile(layout.abs(bad), 'not audio');
  const catalog = await Catalog.load(layout);
  assert.deepEqual(tracksWithoutBeats(catalog), [good, bad]);
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const seen: string[] = [];
  const { ffmpeg } = await binaries();
  assert.deepEqual(await backfillBeats({ ffmpeg: ffmpeg.path, layout, catalog, log, analysed: (r) => seen.push(r) }), [good, bad]);
  assert.deepEqual(seen, [good, bad]);
  const beats = (await readBeats(layout.abs(good)))!;
  assert.equal(beats.usable, true);
  assert.equal(beats.onsets.length, clicks.length);
  assert.equal((await readBeats(layout.abs(bad)))!.usable, false);
  // The catalog: by id and by category.
  const byId = catalog.byId('0b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f10');
  assert.ok(byId?.kind === 'music' && byId.beats?.usable === true);
  assert.deepEqual(tracksWithoutBeats(catalog), []);
  assert.match(lines.join(''), /Beats of scanned\/music\/beats\/mp3\/6\.0_0b1c.*: \d+ onsets, 12\d(\.\d+)? bpm/);
  // Only the tracks and their beats files: no temporary left.
  assert.deepEqual((await readdir(dirname(layout.abs(good)))).sort(), [bad, `${bad}.beats.json`, good, `${good}.beats.json`].map((p) => p.split('/').pop()!).sort());
  assert.deepEqual(await backfillBeats({ ffmpeg: ffmpeg.path, layout, catalog: await Catalog.load(layout), log }), []);
});

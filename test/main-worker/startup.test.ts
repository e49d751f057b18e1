import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import type { MainContext } from '../../src/main-worker/context.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { catalogAtStart, recoverAtStart } from '../../src/main-worker/startup.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { binaries, tempDir, testConfig } from '../helpers.js';
import { clickTrack } from '../shared/media/click-track.js';

test('start-up: temporaries and half-built tasks removed, health checked, the ledger rebuilt, unfinished conversions returned', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig(), layout, log, bins: null as never };
  // An interrupted conversion: its dot-temp and the original with its source record.
  const originals = layout.scannedOriginalDir('video', 'c');
  await mkdir(originals, { recursive: true });
  await writeFile(join(layout.scanned, 'video', 'c', '.x.tmp-0123abcd.mp4'), 'half');
  await writeFile(join(originals, 'x.mov'), 'original');
  await writeFile(join(originals, 'x.mov.source.json'), JSON.stringify({ raw_path: 'raw/video/c/x.mov', moved_at: '', why: 'fps', probe: {}, extra: {} }));
  // A half-built task folder, and a finished task the ledger must learn again.
  await mkdir(join(layout.tasks, '.tmp-task'), { recursive: true });
  const id = '0b6f3c5e-6d1a-4c3b-9a57-2f1e0d9c8b7a';
  await mkdir(layout.outputTask(id), { recursive: true });
  await writeFile(join(layout.outputTask(id), 'metadata.json'), JSON.stringify({ task_id: id, voice_source: 'scanned/story/c/s/voice/chapter_0001.mp3', variation: 0 }));
  const order: string[] = [];
  const ledger = new Ledger(layout);
  const { pending } = await recoverAtStart(ctx, ledger, async () => {
    order.push('health');
    assert.deepEqual(await readdir(layout.tasks), [], 'the health check runs after the clean-up');
  });
  assert.deepEqual(order, ['health']);
  assert.deepEqual(
    pending.map((j) => j.original),
    [join(originals, 'x.mov')],
  );
  assert.deepEqual(await readdir(layout.ledger), [`${id}.json`]);
  const log_ = lines.join('');
  assert.match(log_, /Removed 1 temporary file\(s\) an interrupted run left in scanned\//);
  assert.match(log_, /Removed 1 half-built task folder\(s\)/);
  assert.match(log_, /Rebuilt the task ledger \(tasks\/\.ledger\/\) from 1 task folder\(s\)/);
});

test('catalogAtStart: the catalog loaded and its size logged; a track without beats analysed in the background (tracked, then the catalog has its beats)', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const bins = await binaries();
  const ctx: MainContext = { config: testConfig(), layout, log, bins };
  const rel = 'scanned/music/beats/mp3/6.0_0b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f10.mp3';
  await mkdir(dirname(layout.abs(rel)), { recursive: true });
  await clickTrack(layout.abs(rel), 120, 0.4, 6);
  const background: Promise<unknown>[] = [];
  let analysed = 0;
  const catalog = await catalogAtStart(ctx, null, { signal: new AbortController().signal, track: (p) => background.push(p), analysed: () => analysed++ });
  assert.match(lines.join(''), /Catalog of scanned\/: 0 clip\(s\), 1 music track\(s\)/);
  assert.equal(background.length, 1);
  await Promise.all(background);
  assert.equal(analysed, 1);
  const track = catalog.byId('0b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f10');
  assert.ok(track?.kind === 'music' && track.beats?.usable === true, JSON.stringify(track));
  // A second start: nothing left to analyse.
  const again: Promise<unknown>[] = [];
  await catalogAtStart(ctx, null, { signal: new AbortController().signal, track: (p) => again.push(p), analysed: () => {} });
  assert.equal(again.length, 0);
});

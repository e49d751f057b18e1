import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { Catalog } from '../../src/shared/catalog.js';
import type { MainContext } from '../../src/main-worker/context.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { busyAssets, busyCategories, Planner, WaitingVoices } from '../../src/main-worker/planner.js';
import { StatusFile } from '../../src/main-worker/status-file.js';
import { readJson } from '../../src/shared/json.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { MainWorkerStatusSchema } from '../../src/shared/node-files.js';
import { tempDir, testConfig } from '../helpers.js';

test('busy categories: footage or music settling, being checked, or being converted', () => {
  const layout = new Layout('/farm');
  const busy = busyCategories(
    layout,
    ['/farm/raw/video/a/x.mp4', '/farm/raw/music/b/y.mp3', '/farm/raw/story/c/s/voice/chapter_0001.mp3', '/farm/raw/frame/d/z.mp4', '/farm/raw/video/stray.mp4'],
    ['/farm/scanned/video/e/original/u.mov', '/farm/scanned/music/f/original/v.wav', '/farm/scanned/frame/g/original/w.mov'],
  );
  assert.deepEqual([...busy].sort(), ['a', 'b', 'e', 'f']);
  assert.deepEqual([...busyCategories(layout, [], [])], []);
});

test('busy assets, by kind: stills, texts, narration parts (recorded, or text to voice) and sidecars count too', () => {
  const layout = new Layout('/farm');
  const busy = busyAssets(
    layout,
    ['/farm/raw/image/logos/a.png', '/farm/raw/text/hooks/h.csv.json', '/farm/raw/narration/cars/spring/part_0001.mp3', '/farm/raw/narration/cars/winter.csv', '/farm/raw/frame/d/z.mp4', '/farm/raw/job/j.json'],
    ['/farm/scanned/image/logos2/original/u.jpg', '/farm/scanned/narration/cars/fall/original/part_0002.mp3'],
  );
  assert.deepEqual([...busy].sort(), ['frame/d', 'image/logos', 'image/logos2', 'narration/cars/fall', 'narration/cars/spring', 'narration/cars/winter', 'text/hooks']);
  assert.deepEqual([...busyCategories(layout, ['/farm/raw/image/logos/a.png', '/farm/raw/text/c/h.txt'], [])], [], 'stills and texts do not hold voice-overs up');
});

test('waiting voices keep their "since" while the reason stays, restart it when it changes, and leave when planned', () => {
  const w = new WaitingVoices();
  const t0 = new Date('2030-01-01T00:00:00Z');
  const t1 = new Date('2030-01-01T00:05:00Z');
  assert.equal(w.isNew('v1', 'no footage'), true);
  w.update(new Map([['v1', 'no footage'], ['v2', 'no music']]), t0);
  assert.equal(w.size, 2);
  assert.equal(w.isNew('v1', 'no footage'), false, 'logged once per reason');
  assert.equal(w.isNew('v1', 'no music'), true);
  w.update(new Map([['v1', 'no footage'], ['v2', 'render.logo missing']]), t1);
  assert.deepEqual(w.list(), [
    { voice: 'v1', reason: 'no footage', since: t0.toISOString() },
    { voice: 'v2', reason: 'render.logo missing', since: t1.toISOString() },
  ]);
  w.update(new Map([['v2', 'render.logo missing']]), t1);
  assert.deepEqual(w.list().map((x) => x.voice), ['v2']);
  w.update(new Map());
  assert.equal(w.size, 0);
});

test('passes asked for while one is queued fold into it (one runs, one waits); each pass writes the status file', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const log = createLogger({ format: 'line', level: 'fatal' });
  const ctx: MainContext = { config: testConfig(), layout, log, bins: null as never };
  const totals = emptyTotals();
  const catalog = await Catalog.load(layout);
  let passes = 0;
  const planner = new Planner({
    ctx,
    ledger: new Ledger(layout),
    totals,
    metrics: null,
    status: new StatusFile(layout, log),
    catalog: () => {
      passes++;
      return catalog;
    },
    busyAssets: () => new Set(),
  });
  planner.schedule();
  planner.schedule();
  planner.schedule();
  assert.equal(planner.depth(), 2, 'the first pass started at once; the next two asks made one queued pass');
  await planner.idle();
  assert.equal(passes, 2);
  const status = await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO');
  assert.deepEqual(status.waiting, []);
  assert.equal(status.totals?.waiting, 0);
  planner.stop();
  planner.schedule();
  await planner.idle();
  assert.equal(passes, 2, 'stopped: no new pass');
});

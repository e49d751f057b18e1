// The job planning pass: each (job, source, variation) published once ever, also across a crash
// between publishing and the ledger record; a job waits with its reason until its assets arrive.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import type { MainContext } from '../../src/main-worker/context.js';
import { jobAssetKeys, JobPlanning, listJobFiles } from '../../src/main-worker/job-planning.js';
import { JobSchema } from '../../src/shared/job.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { jobTaskIdFor } from '../../src/main-worker/write-job-task.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { fixtureCatalog, fixtureId, fixturePath, type FixtureAsset } from '../job-fixtures.js';
import { tempDir, testConfig } from '../helpers.js';

const ASSETS: FixtureAsset[] = [
  { kind: 'video', category: 'promo', seconds: 2 },
  ...[1, 2, 3].map((n) => ({ kind: 'video' as const, category: 'cars', seconds: 3, n })),
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 1.5 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 2, seconds: 1.2 },
];
const NARRATION_2 = ASSETS[5]!;
const JOB = {
  variations: 3,
  priority: 5,
  sources: [{ category: 'promo' }],
  parts: [1, 2].map((part) => ({ footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.5, max: 1 }, narration: { category: 'cars', campaign: 'spring', part } })),
};

async function env(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'spring sale.json'), JSON.stringify(JOB));
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx = { config: testConfig({ render: { resolution: '160x90', fps: 25 } }), layout, log, bins: null } as unknown as MainContext;
  const planning = (ledger = new Ledger(layout)) => new JobPlanning({ ctx, ledger, totals: emptyTotals(), metrics: null, fonts: async () => ['DejaVu Sans'] });
  return { layout, planning, log: () => lines.join('') };
}

const sourceId = fixtureId(ASSETS[0]!);
const ids = () => [0, 1, 2].map((v) => jobTaskIdFor('spring sale', sourceId, v));

test('listJobFiles: the names of scanned/job/*.json', async (t) => {
  const { layout } = await env(t);
  await writeFile(join(layout.scannedJobs, '.tmp.json'), '');
  await writeFile(join(layout.scannedJobs, 'notes.txt'), '');
  assert.deepEqual(await listJobFiles(layout.scannedJobs), ['spring sale']);
  assert.deepEqual(await listJobFiles(join(layout.root, 'nowhere')), []);
});

test('every variation is published once, with the job field, the priority and a valid timeline', async (t) => {
  const { layout, planning } = await env(t);
  const waiting = new Map<string, string>();
  await planning().run(fixtureCatalog(ASSETS), new Set(), waiting);
  assert.deepEqual(waiting, new Map());
  assert.deepEqual((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).sort(), [...ids()].sort());
  const metas = await Promise.all(ids().map((id) => readMetadata(layout.task(id))));
  metas.forEach((m, v) => {
    assert.equal(m.job?.name, 'spring sale');
    assert.equal(m.job?.variation, v);
    assert.equal(m.job?.source, sourceId);
    assert.equal(m.priority, 5);
    assert.equal(m.voice_file, null);
    assert.ok(m.timeline && Math.abs(m.timeline.output.duration - 4.7) < 1e-6);
  });
  assert.equal(new Set(metas.map((m) => JSON.stringify(m.video_files))).size, 3, 'distinct shot lists');
  // A second pass (another process) publishes nothing more.
  await planning().run(fixtureCatalog(ASSETS), new Set(), new Map());
  assert.equal((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).length, 3);
});

test('a crash between publishing and the ledger record: planned again, nothing lost or doubled', async (t) => {
  const { layout, planning } = await env(t);
  const ledger = new Ledger(layout);
  let calls = 0;
  // The process "dies" right after publishing variation 1 (its ledger record never written).
  const crashing = Object.assign(Object.create(ledger) as Ledger, {
    record: async (e: Parameters<Ledger['record']>[0]) => {
      if (++calls === 2) throw new Error('killed');
      return ledger.record(e);
    },
  });
  await planning(crashing).run(fixtureCatalog(ASSETS), new Set(), new Map());
  const first = (await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).sort();
  assert.equal(first.length, 2, 'variations 0 and 1 published, 2 not yet');
  const v1 = await readMetadata(layout.task(ids()[1]!));
  // Variation 1 moves on meanwhile (claimed and rendered) without its ledger record.
  await rm(join(layout.ledger, `${ids()[1]}.json`), { force: true });
  await planning().run(fixtureCatalog(ASSETS), new Set(), new Map());
  assert.deepEqual((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).sort(), [...ids()].sort(), 'all three, once each');
  assert.deepEqual((await readMetadata(layout.task(ids()[1]!))).created_at, v1.created_at, 'variation 1 not published again');
  assert.deepEqual((await readdir(layout.ledger)).sort(), ids().map((id) => `${id}.json`).sort(), 'the ledger repaired');
});

test('a job whose assets are missing waits with the reason and is planned when they arrive', async (t) => {
  const { layout, planning, log } = await env(t);
  const p = planning();
  const waiting = new Map<string, string>();
  const without = ASSETS.filter((a) => a !== NARRATION_2);
  await p.run(fixtureCatalog(without), new Set(), waiting);
  assert.match(waiting.get(`spring sale (source ${fixturePath(ASSETS[0]!)})`) ?? '', /parts\[1\]: no narration part 2 in scanned\/narration\/cars\/spring\//);
  assert.equal((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).length, 0);
  const none = new Map<string, string>();
  await planning().run(fixtureCatalog([]), new Set(), none);
  assert.match(none.get('spring sale') ?? '', /sources\[0\] \(category promo\) selects no footage/);
  // Busy categories: nothing planned yet.
  await p.run(fixtureCatalog(ASSETS), new Set(['narration/cars/spring']), new Map());
  assert.equal((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).length, 0);
  await p.run(fixtureCatalog(ASSETS), new Set(), new Map());
  assert.equal((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).length, 3);
  assert.match(log(), /Created task tasks\/\S+ for job spring sale/);
});

test('a job file that no longer parses is reported once and skipped', async (t) => {
  const { layout, planning, log } = await env(t);
  await writeFile(join(layout.scannedJobs, 'broken.json'), '{"variatons": 1}');
  const p = planning();
  await p.run(fixtureCatalog(ASSETS), new Set(), new Map());
  await p.run(fixtureCatalog(ASSETS), new Set(), new Map());
  assert.equal(log().match(/Job broken cannot be planned: .*variatons: unknown key/g)?.length, 1);
});

test('jobAssetKeys: what a job selects from, as busyAssets keys', () => {
  const job = JobSchema.parse({ ...JOB, parts: [{ ...JOB.parts[0]!, text: { category: 'hooks' } }, JOB.parts[1]!], soundtrack: { music: { category: 'upbeat' } }, logo: { category: 'logos' }, sources: [{ category: 'promo' }, { id: 'x' }] });
  assert.deepEqual([...jobAssetKeys(job)].sort(), ['image/logos', 'music/upbeat', 'narration/cars/spring', 'text/hooks', 'video/cars', 'video/promo']);
});

// The golden-frame planning pass through JobPlanning: each variation published once ever (a
// second pass publishes nothing), metadata.json valid with its job field and notes; a job waits
// while its assets are being filed, and says why when they select nothing.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import type { MainContext } from '../../src/main-worker/context.js';
import { GOLDEN_FRAME_SOURCE, goldenFrameAssetKeys } from '../../src/main-worker/golden-frame-planning.js';
import { JobPlanning } from '../../src/main-worker/job-planning.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import { jobTaskIdFor } from '../../src/main-worker/write-job-task.js';
import { GoldenFrameJobSchema } from '../../src/shared/jobs/golden-frame.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../job-fixtures.js';
import { tempDir, testConfig } from '../helpers.js';

const ASSETS: FixtureAsset[] = [1, 2, 3].map((n) => ({ kind: 'image' as const, category: 'products', n }));
const JOB = { template: 'golden-frame', images: [{ category: 'products' }], variations: 2, priority: 7, duration: 6, text: 'New in' };

async function env(t: Parameters<typeof tempDir>[0], job: object = JOB) {
  const root = join(await tempDir(t), 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'lux.json'), JSON.stringify(job));
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx = { config: testConfig(), layout, log, bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => ['DejaVu Sans'] });
  return { layout, planning, log: () => lines.join('') };
}

test('each variation once: ids from (job, variation), valid metadata with the job field, the priority and the notes; a second pass publishes nothing', async (t) => {
  const { layout, planning, log } = await env(t);
  const catalog = fixtureCatalog(ASSETS);
  const waiting = new Map<string, string>();
  await planning.run(catalog, new Set(), waiting);
  await planning.run(catalog, new Set(), waiting);
  assert.deepEqual(waiting, new Map());
  const ids = [0, 1].map((v) => jobTaskIdFor('lux', GOLDEN_FRAME_SOURCE, v));
  assert.deepEqual((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')).sort(), [...ids].sort());
  const meta = await readMetadata(layout.task(ids[1]!));
  assert.deepEqual([meta.priority, meta.variation, meta.job?.name, meta.job?.source, meta.job?.source_path, meta.job?.texts], [7, 1, 'lux', 'golden-frame', 'scanned/job/lux.json', ['New in']]);
  assert.ok(meta.video_files.every((f) => ASSETS.some((a) => fixturePath(a) === f.path)));
  assert.deepEqual(meta.notes?.map((n) => n.code), ['BEATS_FALLBACK', 'BORDER_FALLBACK']);
  // No music: no music volume; stills padded, no logo file (a frame is a layer of the timeline).
  assert.deepEqual([meta.audio, meta.render], [
    { voice_volume: 1, music_volume: 0, fade_out_seconds: 0 },
    { resolution: '1080x1920', frame_rate: 30, fit: 'pad', logo: null, logo_width: 0, output_format: 'mp4' },
  ]);
  assert.equal(log().match(/Created task/g)?.length, 2);
  assert.match(log(), /WARN.*Job lux, task .*: the job has no audio: shots cut at fixed lengths/);
});

test('waits while an asset it selects is being filed; says why when nothing matches', async (t) => {
  const { layout, planning } = await env(t, { ...JOB, audio: { category: 'beats' } });
  const waiting = new Map<string, string>();
  const { template: _t, ...fields } = JOB;
  const job = GoldenFrameJobSchema.parse({ ...fields, audio: { category: 'beats' }, frame: { category: 'frames' }, atmosphere: { category: 'glitter' } });
  assert.deepEqual([...goldenFrameAssetKeys(job)].sort(), ['frame/glitter', 'image/frames', 'image/products', 'music/beats']);
  await planning.run(fixtureCatalog(ASSETS), new Set(['music/beats']), waiting);
  assert.deepEqual(waiting, new Map());
  await planning.run(fixtureCatalog(ASSETS), new Set(), waiting);
  assert.deepEqual(waiting, new Map([['lux', 'audio (category beats) selects no music in scanned/music/']]));
  assert.deepEqual((await readdir(layout.tasks)).filter((n) => !n.startsWith('.')), []);
  // The music filed: the tasks are published with its track's volume and fade-out.
  const music: FixtureAsset = { kind: 'music', category: 'beats', seconds: 10 };
  waiting.clear();
  await planning.run(fixtureCatalog([...ASSETS, music]), new Set(), waiting);
  assert.deepEqual(waiting, new Map());
  const meta = await readMetadata(layout.task(jobTaskIdFor('lux', GOLDEN_FRAME_SOURCE, 0)));
  assert.deepEqual(meta.timeline?.audio.map((a) => a.file), [fixturePath(music)]);
  assert.deepEqual([meta.audio, meta.render.fit, meta.render.logo_width], [{ voice_volume: 1, music_volume: 1, fade_out_seconds: 1 }, 'pad', 0]);
});

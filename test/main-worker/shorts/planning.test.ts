// The shorts pass for job files with "template": "short": the voice's word timings come from
// its words file (a narration part or a story voice); stages are written to shorts/<task id>.json; a missing narration or a voice
// without words and transcript waits with the reason; the task is published once ever.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import type { MainContext } from '../../../src/main-worker/context.js';
import { JobPlanning } from '../../../src/main-worker/job-planning.js';
import { Ledger } from '../../../src/main-worker/ledger.js';
import { emptyTotals } from '../../../src/main-worker/metrics.js';
import { shortTaskIdFor } from '../../../src/main-worker/shorts/planning.js';
import type { Config, DeepPartial } from '../../../src/shared/config.js';
import { Layout } from '../../../src/shared/layout.js';
import { readJson } from '../../../src/shared/json.js';
import { createLogger } from '../../../src/shared/log.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { ShortStateSchema } from '../../../src/shared/short-state.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../../job-fixtures.js';
import { tempDir, testConfig } from '../../helpers.js';

const ASSETS: FixtureAsset[] = [
  { kind: 'image', category: 'cars', tags: ['red car'], n: 1 },
  { kind: 'image', category: 'cars', tags: ['sea'], n: 2 },
  { kind: 'music', category: 'cars', seconds: 20, n: 3 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 6 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 2, seconds: 4 },
];
const WORDS = { source: 'espeak-ng', words: [['A', 0.2], ['red', 0.5], ['car.', 0.8], ['The', 3.2], ['sea', 3.5], ['again.', 3.8]].map(([w, s]) => ({ word: w, start: s, end: (s as number) + 0.25 })) };

test('a short job: waits for its narration, then for words; published once with its stages recorded', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'spring short.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 }, priority: 3 }));
  await writeFile(join(layout.scannedJobs, 'missing.json'), JSON.stringify({ template: 'short', audio: { id: 'cars/spring/part_0009' } }));
  await writeFile(join(layout.scannedJobs, 'wordless.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 2 } }));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192' } }), layout, log: createLogger({ format: 'line', level: 'error' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const catalog = fixtureCatalog(ASSETS);
  const voice = join(root, fixturePath(ASSETS[3]!));
  await mkdir(join(voice, '..'), { recursive: true });
  await writeFile(`${voice}.words.json`, JSON.stringify(WORDS));

  // A pass offers the shorts to their queue and returns; why one waits is known once it has run.
  const waiting = new Map<string, string>();
  await planning.run(catalog, new Set(), waiting);
  assert.equal(waiting.size, 1, 'a missing narration is known at once');
  await planning.shorts.queue.idle();
  await planning.run(catalog, new Set(), waiting);
  await planning.shorts.queue.idle();
  assert.deepEqual([...waiting].sort(), [
    ['missing', 'audio: no narration cars/spring/part_0009'],
    ['wordless', `no transcript: ${fixturePath(ASSETS[4]!)} has no word timings and no "transcript" (give the audio a sidecar <name>.json with "transcript"; no speech-to-text provider is configured)`],
  ]);
  const id = shortTaskIdFor('job/spring short');
  const meta = await readMetadata(layout.task(id));
  assert.equal(meta.priority, 3);
  assert.equal(meta.short?.words, `${fixturePath(ASSETS[3]!)}.words.json`);
  assert.deepEqual(meta.short?.beats.map((b) => [b.text, b.visual, b.matched]), [
    ['A red car.', fixturePath(ASSETS[0]!), ['red car']],
    ['The sea again.', fixturePath(ASSETS[1]!), ['sea']],
  ]);
  const state = await readJson(ShortStateSchema, layout.shortState(id), 'IO');
  assert.deepEqual(state.history.map((h) => h.stage), ['uploaded', 'planning', 'compiling']);
  const wordless = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/wordless')), 'IO');
  assert.equal(wordless.stage, 'transcribing');
  assert.match(wordless.waiting!, /no transcript/);

  // Rendered: the next pass marks it completed; a new planning (a restarted worker) publishes nothing again.
  await mkdir(layout.outputTask(id), { recursive: true });
  await writeFile(join(layout.outputTask(id), 'final.mp4'), '');
  const { rename } = await import('node:fs/promises');
  await rename(layout.task(id), join(layout.outputTask(id), '.gone'));
  const again = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  await again.run(catalog, new Set(), new Map());
  await again.shorts.queue.idle();
  const done = await readJson(ShortStateSchema, layout.shortState(id), 'IO');
  assert.equal(done.stage, 'completed');
  assert.deepEqual(done.history.map((h) => h.stage), ['uploaded', 'planning', 'compiling', 'completed']);
});

test('a filed short without a transcript: transcribed by the configured provider; a failing provider makes it wait, then opens its breaker', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const answer = { text: 'A red car. The sea again.', words: [['A', 0.2], ['red', 0.5], ['car', 0.8], ['The', 3.2], ['sea', 3.5], ['again', 3.8]].map(([w, s]) => ({ word: w, start: s, end: (s as number) + 0.25 })) };
  const { url } = await fakeServer(t, [json(200, answer), json(503, 'down')]);
  const shortDir = layout.scannedShortDir('cars');
  await mkdir(shortDir, { recursive: true });
  for (const name of ['a.wav', 'b.wav']) {
    await writeFile(join(shortDir, name), 'audio');
    await writeFile(join(shortDir, `${name}.json`), JSON.stringify({ schema_version: 1, kind: 'short', id: `cars/${name}`, category: 'cars', raw_path: `raw/short/cars/${name}`, filed_at: '2026-01-01T00:00:00Z', tags: [], duration: 5 }));
  }
  const ctx = { config: testConfig({ shorts: { resolution: '108x192', transcriptionBaseUrl: url, providerTries: 1, breakerFailures: 1, breakerCooldownMs: 60_000 } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const waiting = new Map<string, string>();
  await planning.shorts.runFiled(fixtureCatalog(ASSETS), new Set(), waiting);
  await planning.shorts.queue.idle();
  await planning.shorts.runFiled(fixtureCatalog(ASSETS), new Set(), waiting);
  const a = await readMetadata(layout.task(shortTaskIdFor('short/cars/a.wav')));
  assert.deepEqual(a.short?.beats.map((b) => b.text), ['A red car.', 'The sea again.']);
  const aState = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('short/cars/a.wav')), 'IO');
  assert.deepEqual(aState.history.map((h) => h.stage), ['uploaded', 'transcribing', 'planning', 'compiling']);
  const words = JSON.parse(await readFile(join(shortDir, 'a.wav.words.json'), 'utf8')) as { source: string };
  assert.equal(words.source, 'transcription');
  assert.match(waiting.get('short/cars/b.wav')!, /transcription answered HTTP 503/);
  const b = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('short/cars/b.wav')), 'IO');
  assert.equal(b.stage, 'transcribing');
  assert.deepEqual(planning.shorts.providerStatus().map((p) => [p.provider, p.state]), [['transcription', 'open']]);
  await planning.shorts.queue.idle();
  waiting.clear();
  await planning.shorts.runFiled(fixtureCatalog(ASSETS), new Set(), waiting);
  assert.match(waiting.get('short/cars/b.wav')!, /left alone until/);
  await planning.shorts.queue.idle();
});

test('shorts.planner "llm": its plan when it answers well; a malformed answer plans locally with a warning in the status', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const plan = { beats: [{ start: 0, end: 3, description: 'a red car', visual_prompt: 'red car', asset_type: 'still', transition: 'wipeleft' }, { start: 3, end: 6, description: 'the sea', visual_prompt: 'sea', asset_type: 'any', transition: 'fade' }] };
  const { url } = await fakeServer(t, [json(200, { choices: [{ message: { content: JSON.stringify(plan) } }] }), json(200, { choices: [{ message: { content: 'Sure! Here is your plan: beats...' } }] })]);
  await mkdir(layout.scannedJobs, { recursive: true });
  for (const n of ['one', 'two']) await writeFile(join(layout.scannedJobs, `${n}.json`), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 } }));
  const voice = join(root, fixturePath(ASSETS[3]!));
  await mkdir(join(voice, '..'), { recursive: true });
  await writeFile(`${voice}.words.json`, JSON.stringify(WORDS));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192', planner: 'llm', llmBaseUrl: url, providerTries: 1 } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  await planning.run(fixtureCatalog(ASSETS), new Set(), new Map());
  await planning.shorts.queue.idle();
  const one = await readMetadata(layout.task(shortTaskIdFor('job/one')));
  assert.equal(one.short?.planner, 'llm');
  assert.equal(one.timeline!.video[1]!.transition?.type, 'fade', 'the transition into the second beat');
  const two = await readMetadata(layout.task(shortTaskIdFor('job/two')));
  assert.equal(two.short?.planner, 'local');
  const state = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/two')), 'IO');
  assert.match(state.warnings![0]!, /^LLM planner: .*not a JSON object.*planned by the local planner$/);
});

/**
 * The shorts.generate tests' root under `dir`, planned once: narration part 1 says "A red car. A
 * big tree." (the second beat matches no tag of ASSETS), part 2 says "A <part2>" in one beat; a
 * job file for each of `jobs` (name: part), planned in that order against the fake service.
 */
async function generatedShorts(dir: string, bins: unknown, shorts: DeepPartial<Config['shorts']>, jobs: Record<string, 1 | 2>, part2: string): Promise<Layout> {
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  const voice = join(root, fixturePath(ASSETS[3]!));
  await mkdir(join(voice, '..'), { recursive: true });
  const words = { source: 'espeak-ng', words: [['A', 0.2], ['red', 0.5], ['car.', 0.8], ['A', 3.2], ['big', 3.5], ['tree.', 3.8]].map(([w, s]) => ({ word: w, start: s, end: (s as number) + 0.25 })) };
  await writeFile(`${voice}.words.json`, JSON.stringify(words));
  for (const [n, part] of Object.entries(jobs)) await writeFile(join(layout.scannedJobs, `${n}.json`), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part } }));
  const [w1, w2] = part2.split(' ');
  await writeFile(`${join(root, fixturePath(ASSETS[4]!))}.words.json`, JSON.stringify({ source: 'espeak-ng', words: [{ word: 'A', start: 0.5, end: 0.7 }, { word: w1, start: 0.8, end: 1.1 }, { word: w2, start: 1.2, end: 1.5 }] }));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192', generate: true, generationPollMs: 1, providerTries: 1, ...shorts } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  await planning.run(fixtureCatalog(ASSETS), new Set(), new Map());
  await planning.shorts.queue.idle();
  return layout;
}

test('shorts.generate: a beat that matches no tag gets a generated still, filed tagged with its keywords; a failing service leaves the catalog match with a warning', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const { execa } = await import('execa');
  const { binaries } = await import('../../helpers.js');
  const bins = await binaries();
  const dir = await tempDir(t);
  const png = join(dir, 'g.png');
  await execa(bins.ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=green:s=36x64', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', png]);
  const image = await readFile(png);
  let base = '';
  const { url } = await fakeServer(t, [
    json(200, { data: { task_id: 'g1' } }),
    (req, res) => json(200, { data: { task_id: 'g1', task_status: 'succeed', task_result: { images: [{ url: `${base}/img/g1.png` }] } } })(req, res, ''),
    (_req, res) => {
      res.writeHead(200);
      res.end(image);
    },
    json(500, 'down'),
  ]);
  base = url;
  const layout = await generatedShorts(dir, bins, { generationBaseUrl: url }, { one: 1, two: 1, three: 2 }, 'big boat.');
  const one = await readMetadata(layout.task(shortTaskIdFor('job/one')));
  assert.deepEqual(one.short?.beats.map((b) => b.matched), [['red car'], ['big tree']], 'one tag of the whole beat: a later beat that says only "big" does not match it');
  assert.match(one.short!.beats[1]!.visual, /^scanned\/image\/cars\/36x64_[0-9a-f-]{36}\.png$/);
  const state = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/one')), 'IO');
  assert.deepEqual(state.history.map((h) => h.stage), ['uploaded', 'planning', 'generating', 'compiling']);
  // The second short reuses the generated still (it is tagged): nothing to generate.
  const two = await readMetadata(layout.task(shortTaskIdFor('job/two')));
  assert.equal(two.short!.beats[1]!.visual, one.short!.beats[1]!.visual);
  // The third says "big" but not "tree": the generated still does not match it; the service
  // fails for it: its beat shows a catalog asset, and the short says why.
  const three = await readMetadata(layout.task(shortTaskIdFor('job/three')));
  assert.deepEqual(three.short!.beats.map((b) => b.matched), [[]]);
  assert.ok([fixturePath(ASSETS[0]!), fixturePath(ASSETS[1]!), one.short!.beats[1]!.visual].includes(three.short!.beats[0]!.visual), three.short!.beats[0]!.visual);
  const s3 = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/three')), 'IO');
  assert.match(s3.warnings![0]!, /^generation for the beat at 0 s: generation answered HTTP 500.*the catalog's match is shown$/);
});

test('shorts.generationKind "video": a beat that matches no tag gets a generated clip, cut into the timeline like any footage; a failed task leaves the catalog match', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const { binaries } = await import('../../helpers.js');
  const { FIXTURES } = await import('../../media.js');
  const bins = await binaries();
  const dir = await tempDir(t);
  const clip = join(dir, 'g.mp4');
  await FIXTURES.clip(clip, 2, '108x192');
  const mp4 = await readFile(clip);
  let base = '';
  const { url, seen } = await fakeServer(t, [
    json(200, { code: 0, data: { task_id: 'v1' } }),
    json(200, { code: 0, data: { task_id: 'v1', task_status: 'processing' } }),
    (req, res) => json(200, { code: 0, data: { task_id: 'v1', task_status: 'succeed', task_result: { videos: [{ id: 'x', url: `${base}/vid/v1.mp4`, duration: '5' }] } } })(req, res, ''),
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(mp4);
    },
    json(200, { code: 0, data: { task_id: 'v2' } }),
    json(200, { code: 0, data: { task_id: 'v2', task_status: 'failed', task_status_msg: 'policy' } }),
  ]);
  base = url;
  const layout = await generatedShorts(dir, bins, { generationBaseUrl: url, generationKind: 'video' }, { one: 1, two: 2 }, 'blue boat.');
  const one = await readMetadata(layout.task(shortTaskIdFor('job/one')));
  assert.deepEqual(one.short?.beats.map((b) => b.matched), [['red car'], ['big tree']]);
  const generated = one.short!.beats[1]!.visual;
  assert.match(generated, /^scanned\/video\/cars\/mp4_w108_h192\/[0-9.]+_[0-9a-f-]{36}\.mp4$/);
  // The clip (2 s) is cut into the second beat, again and again as footage shorter than its beat is.
  const pieces = one.timeline!.video.filter((s) => s.type === 'clip' && s.file === generated);
  assert.ok(pieces.length >= 1, JSON.stringify(one.timeline!.video));
  assert.ok(pieces.every((s) => s.type === 'clip' && s.fit === 'crop' && s.out <= 2 + 1e-6));
  assert.equal(seen[0]!.path, '/v1/videos/text2video');
  assert.equal(JSON.parse(seen[0]!.body).duration, '5');
  // The second short's task fails: its beat shows a catalog asset, and the short says why.
  const two = await readMetadata(layout.task(shortTaskIdFor('job/two')));
  assert.deepEqual(two.short!.beats.map((b) => b.matched), [[]]);
  const s2 = await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/two')), 'IO');
  assert.match(s2.warnings![0]!, /^generation for the beat at 0 s: .*task v2 failed.*the catalog's match is shown$/);
});

test('shorts.planner "llm": a short that waits for pictures or music never asks the LLM; it is asked once when the short can be planned', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const plan = { beats: [{ start: 0, end: 3, description: 'a red car', visual_prompt: 'red car', asset_type: 'still', transition: 'fade' }, { start: 3, end: 6, description: 'the sea', visual_prompt: 'sea', asset_type: 'any', transition: 'fade' }] };
  const { url, seen } = await fakeServer(t, [json(200, { choices: [{ message: { content: JSON.stringify(plan) } }] })]);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'one.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 } }));
  await writeFile(join(layout.scannedJobs, 'tune.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 }, music: { id: 'cars/none' } }));
  const voice = join(root, fixturePath(ASSETS[3]!));
  await mkdir(join(voice, '..'), { recursive: true });
  await writeFile(`${voice}.words.json`, JSON.stringify(WORDS));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192', planner: 'llm', llmBaseUrl: url, providerTries: 1 } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const waiting = new Map<string, string>();
  const noPictures = fixtureCatalog(ASSETS.filter((a) => a.kind !== 'image'));
  for (let pass = 0; pass < 3; pass++) {
    await planning.run(noPictures, new Set(), waiting);
    await planning.shorts.queue.idle();
  }
  assert.equal(seen.length, 0, 'the LLM is not asked while the short waits');
  assert.equal((await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/one')), 'IO')).stage, 'planning');
  for (let pass = 0; pass < 3; pass++) {
    await planning.run(fixtureCatalog(ASSETS), new Set(), waiting);
    await planning.shorts.queue.idle();
  }
  assert.equal(seen.length, 1, 'asked once, for the short that can be planned; never for the one whose music selects none');
  assert.equal((await readMetadata(layout.task(shortTaskIdFor('job/one')))).short?.planner, 'llm');
  assert.match((await readJson(ShortStateSchema, layout.shortState(shortTaskIdFor('job/tune')), 'IO')).waiting!, /music/);
});

test('a short whose task failed is failed; retried with clipmill retry, it is compiling again, then completed', async (t) => {
  const { retryFailed } = await import('../../../src/shared/protocol/retry.js');
  const { rename } = await import('node:fs/promises');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'one.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 } }));
  const voice = join(root, fixturePath(ASSETS[3]!));
  await mkdir(join(voice, '..'), { recursive: true });
  await writeFile(`${voice}.words.json`, JSON.stringify(WORDS));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192' } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const catalog = fixtureCatalog(ASSETS);
  const pass = async () => {
    await planning.run(catalog, new Set(), new Map());
    await planning.shorts.queue.idle();
    return readJson(ShortStateSchema, layout.shortState(id), 'IO');
  };
  const id = shortTaskIdFor('job/one');
  assert.equal((await pass()).stage, 'compiling');
  await mkdir(layout.trashFailed, { recursive: true });
  await rename(layout.task(id), layout.failedTask(id));
  await writeFile(join(layout.failedTask(id), 'error.json'), JSON.stringify({ code: 'RENDER_FAILED', message: 'ffmpeg exited 1' }));
  const failed = await pass();
  assert.deepEqual([failed.stage, failed.failed], ['failed', { stage: 'compiling', code: 'RENDER_FAILED', message: 'ffmpeg exited 1' }]);
  await retryFailed(layout, id);
  const again = await pass();
  assert.equal(again.stage, 'compiling');
  assert.equal(again.failed, undefined);
  await mkdir(layout.outputTask(id), { recursive: true });
  await rename(layout.task(id), join(layout.outputTask(id), '.gone'));
  await writeFile(join(layout.outputTask(id), 'final.mp4'), '');
  const done = await pass();
  assert.deepEqual(done.history.map((h) => h.stage), ['uploaded', 'planning', 'compiling', 'failed', 'compiling', 'completed']);
});

test('a short that waited and then fails for good: failed, with its history and without the old waiting', async (t) => {
  const { fakeServer, json } = await import('./fake-server.js');
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const { url } = await fakeServer(t, [json(503, 'down'), json(401, 'no')]);
  const shortDir = layout.scannedShortDir('cars');
  await mkdir(shortDir, { recursive: true });
  await writeFile(join(shortDir, 'c.wav'), 'audio');
  await writeFile(join(shortDir, 'c.wav.json'), JSON.stringify({ schema_version: 1, kind: 'short', id: 'cars/c.wav', category: 'cars', raw_path: 'raw/short/cars/c.wav', filed_at: '2026-01-01T00:00:00Z', tags: [], duration: 5 }));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192', transcriptionBaseUrl: url, providerTries: 1, breakerFailures: 5 } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const id = shortTaskIdFor('short/cars/c.wav');
  await planning.shorts.runFiled(fixtureCatalog(ASSETS), new Set(), new Map());
  await planning.shorts.queue.idle();
  const waited = await readJson(ShortStateSchema, layout.shortState(id), 'IO');
  assert.deepEqual([waited.stage, /HTTP 503/.test(waited.waiting ?? '')], ['transcribing', true]);
  await planning.shorts.runFiled(fixtureCatalog(ASSETS), new Set(), new Map());
  await planning.shorts.queue.idle();
  const failed = await readJson(ShortStateSchema, layout.shortState(id), 'IO');
  assert.equal(failed.stage, 'failed');
  assert.equal(failed.waiting, undefined);
  assert.deepEqual([failed.failed?.stage, failed.failed?.code], ['transcribing', 'PROVIDER_REJECTED']);
  assert.deepEqual(failed.history.map((h) => h.stage), ['uploaded', 'transcribing', 'failed']);
});

test('a short job of a story voice ({"category", "story", "voice"}): its latest version with its word timings; a missing one waits', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(layout.scannedJobs, { recursive: true });
  await writeFile(join(layout.scannedJobs, 'tale.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', story: 'tale', voice: 'chapter_0001' } }));
  await writeFile(join(layout.scannedJobs, 'lost.json'), JSON.stringify({ template: 'short', audio: { category: 'cars', story: 'tale', voice: 'chapter_0009' } }));
  const voiceDir = join(root, 'scanned/story/cars/tale/voice');
  await mkdir(voiceDir, { recursive: true });
  const catalog = fixtureCatalog(ASSETS);
  for (const [name, duration] of [['chapter_0001.mp3', 9], ['chapter_0001.v2.mp3', 6]] as const) {
    const record = { schema_version: 1 as const, kind: 'voice' as const, id: `cars/tale/${name.replace(/\.mp3$/, '')}`, category: 'cars', raw_path: `raw/story/cars/tale/voice/${name}`, filed_at: '2026-01-01T00:00:00Z', tags: [], duration };
    await writeFile(join(voiceDir, name), 'mp3');
    await writeFile(join(voiceDir, `${name}.json`), JSON.stringify(record));
    catalog.add(`scanned/story/cars/tale/voice/${name}`, record);
  }
  await writeFile(join(voiceDir, 'chapter_0001.v2.mp3.words.json'), JSON.stringify(WORDS));
  const ctx = { config: testConfig({ shorts: { resolution: '108x192' } }), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null } as unknown as MainContext;
  const planning = new JobPlanning({ ctx, ledger: new Ledger(layout), totals: emptyTotals(), metrics: null, fonts: async () => [] });
  const waiting = new Map<string, string>();
  await planning.run(catalog, new Set(), waiting);
  await planning.shorts.queue.idle();
  const meta = await readMetadata(layout.task(shortTaskIdFor('job/tale')));
  assert.equal(meta.short?.audio, 'scanned/story/cars/tale/voice/chapter_0001.v2.mp3');
  assert.deepEqual(meta.short?.beats.map((b) => b.text), ['A red car.', 'The sea again.']);
  assert.equal(waiting.get('lost'), 'audio: no voice chapter_0009 in scanned/story/cars/tale/voice/');
});

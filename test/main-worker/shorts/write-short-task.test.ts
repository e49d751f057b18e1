// A short's task: metadata.json that validates (no voice file, no clip list: a timeline and the
// `short` field), every picture in video_files, published once (a second publish finds it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { planShort } from '../../../src/main-worker/planners/short.js';
import { buildShortMetadata, writeShortTask } from '../../../src/main-worker/shorts/write-short-task.js';
import { Layout } from '../../../src/shared/layout.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { createRng } from '../../../src/shared/rng.js';
import { metadataVersionFor, validateMetadata } from '../../../src/shared/task.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../../job-fixtures.js';
import { tempDir } from '../../helpers.js';
import { speak } from '../planners/speak.js';

const ASSETS: FixtureAsset[] = [
  { kind: 'image', category: 'city', tags: ['car'], n: 1 },
  { kind: 'video', category: 'city', tags: ['sea'], seconds: 8, n: 2 },
];

test('buildShortMetadata validates; writeShortTask publishes once', async (t) => {
  const words = speak('A fast car on the road. The sea is calm and blue.');
  const r = planShort({ audio: 'scanned/short/city/a.wav', duration: 6, wordsFile: 'scanned/short/city/a.wav.words.json', words, category: 'city' }, fixtureCatalog(ASSETS), { width: 108, height: 192, fps: 30, quality: 'draft', captionStyle: 'line', musicVolume: 0.3, duckDb: 18, transition: 'cut', transitionSeconds: 0.3 }, createRng(3));
  assert.ok(r.ok);
  const input = { id: '44444444-4444-4444-8444-444444444444', key: 'short/city/a.wav', category: 'city', audio: 'scanned/short/city/a.wav', words: 'scanned/short/city/a.wav.words.json', seed: 3, priority: 2, planner: 'local' as const, plan: r.plan };
  const meta = validateMetadata(JSON.parse(JSON.stringify(buildShortMetadata(input, new Date('2026-01-01T00:00:00Z')))));
  // The category has no music: no music volume; pictures cropped to the frame, no logo.
  assert.deepEqual([meta.audio, meta.render], [
    { voice_volume: 1, music_volume: 0, fade_out_seconds: 0 },
    { resolution: '108x192', frame_rate: 30, fit: 'crop', logo: null, logo_width: 0, output_format: 'mp4' },
  ]);
  assert.deepEqual(meta.video_files.map((v) => v.path), [fixturePath(ASSETS[0]!), fixturePath(ASSETS[1]!)]);
  assert.deepEqual(meta.short?.beats.map((b) => b.matched), [['car'], ['sea']]);
  assert.equal(meta.video_class, 'mp4_w108_h192');
  // schema_version 3: a render worker that reads up to 2 hands the task back (TASK_NEWER_VERSION) rather than failing it.
  assert.equal(meta.schema_version, 3);
  assert.throws(() => validateMetadata({ ...JSON.parse(JSON.stringify(meta)), schema_version: 2 }), (e: ClipmillError) => e.code === 'TASK_INVALID' && e.details.field === 'schema_version' && /3 \(the task has short\)/.test(e.message));
  assert.equal(metadataVersionFor({ timeline: { audio: [{ file: 'music.mp3' }, { file: 'bed.mp3', duck: { db: 12, spans: [] } }] } }), 3, 'a ducked track');
  assert.equal(metadataVersionFor({ timeline: { audio: [{ file: 'music.mp3' }] } }), 2);
  assert.equal(metadataVersionFor({ timeline: null }), 2);
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  assert.ok(await writeShortTask(layout, input));
  assert.equal(await writeShortTask(layout, input), null);
  assert.equal((await readMetadata(layout.task(input.id))).short?.key, 'short/city/a.wav');
});

test('buildShortMetadata: the music track\'s volume and fade-out', () => {
  const words = speak('A fast car on the road. The sea is calm and blue.');
  const music: FixtureAsset = { kind: 'music', category: 'city', seconds: 10 };
  const r = planShort({ audio: 'scanned/short/city/a.wav', duration: 6, wordsFile: 'scanned/short/city/a.wav.words.json', words, category: 'city' }, fixtureCatalog([...ASSETS, music]), { width: 108, height: 192, fps: 30, quality: 'draft', captionStyle: 'line', musicVolume: 0.3, duckDb: 18, transition: 'cut', transitionSeconds: 0.3 }, createRng(3));
  assert.ok(r.ok);
  assert.equal(r.plan.music?.path, fixturePath(music));
  const track = r.plan.timeline.audio.find((a) => a.file === fixturePath(music));
  assert.ok(track && track.fade_out > 0);
  const meta = buildShortMetadata({ id: '44444444-4444-4444-8444-444444444444', key: 'short/city/a.wav', category: 'city', audio: 'scanned/short/city/a.wav', words: 'scanned/short/city/a.wav.words.json', seed: 3, priority: 2, planner: 'local', plan: r.plan }, new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual([meta.audio, meta.render.fit, meta.render.logo_width], [{ voice_volume: 1, music_volume: 0.3, fade_out_seconds: track.fade_out }, 'crop', 0]);
});

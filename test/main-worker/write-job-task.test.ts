// A job task's id, seed and metadata.json; the ledger rebuilt from job task folders.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { Ledger } from '../../src/main-worker/ledger.js';
import { jobSources, planJob } from '../../src/main-worker/planners/job.js';
import { buildJobMetadata, jobSeed, jobTaskIdFor, timelineAudioRenderFields, writeJobTask } from '../../src/main-worker/write-job-task.js';
import { JobSchema } from '../../src/shared/job.js';
import { Layout } from '../../src/shared/layout.js';
import { createRng } from '../../src/shared/rng.js';
import { MetadataSchema, validateMetadata } from '../../src/shared/task.js';
import { fixtureCatalog, type FixtureAsset } from '../job-fixtures.js';
import { tempDir, testConfig } from '../helpers.js';

const ASSETS: FixtureAsset[] = [
  { kind: 'video', category: 'promo', seconds: 2 },
  { kind: 'music', category: 'upbeat', seconds: 8 },
  { kind: 'image', category: 'logos' },
];
const job = JobSchema.parse({ variations: 2, priority: -3, sources: [{ category: 'promo' }], audio: { music: { category: 'upbeat' } }, logo: { category: 'logos' }, text: { text: 'Hi' }, uniqueness: { speed: [1.1, 1.2] } });

function input(variation: number) {
  const catalog = fixtureCatalog(ASSETS);
  const source = jobSources(job, catalog).sources[0]!;
  const seed = jobSeed('j', source.id, variation);
  const r = planJob({ job, source }, catalog, { width: 160, height: 90, fps: 25, fonts: ['DejaVu Sans'] }, createRng(seed));
  assert.ok(r.ok);
  return { id: jobTaskIdFor('j', source.id, variation), jobName: 'j', job, source, variation, seed, plan: r.plan };
}

test('ids and seeds: derived from (job, source, variation), distinct for each', () => {
  assert.equal(jobTaskIdFor('a', 's', 0), jobTaskIdFor('a', 's', 0));
  assert.equal(new Set([jobTaskIdFor('a', 's', 0), jobTaskIdFor('a', 's', 1), jobTaskIdFor('b', 's', 0), jobTaskIdFor('a', 't', 0)]).size, 4);
  assert.equal(jobSeed('a', 's', 1), jobSeed('a', 's', 1));
  assert.notEqual(jobSeed('a', 's', 1), jobSeed('a', 's', 2));
  assert.ok(Number.isInteger(jobSeed('a', 's', 0)) && jobSeed('a', 's', 0) >= 0);
});

test('metadata.json of a job task: valid v2, the spec fields filled for a job', () => {
  const i = input(1);
  const m = validateMetadata(buildJobMetadata(i, testConfig(), new Date('2026-01-01T00:00:00Z')));
  assert.equal(m.schema_version, 2);
  assert.equal(m.story_name, 'j');
  assert.equal(m.category, 'promo');
  assert.equal(m.priority, -3);
  assert.equal(m.seed, i.seed);
  assert.deepEqual([m.voice_file, m.voice_source, m.video_list, m.music_file], [null, null, null, null]);
  assert.equal(m.music_source, i.plan.music!.path);
  assert.ok(Math.abs(m.voice_duration - 2 / m.timeline!.effects.speed) < 1e-6, 'the video seconds after speed');
  assert.deepEqual(m.job, { name: 'j', source: i.source.id, source_path: i.source.path, variation: 1, variations: 2, narrations: [], texts: ['Hi'], logo: i.plan.logo });
  assert.equal(m.render.resolution, '160x90');
  const track = m.timeline!.audio.find((a) => a.file === i.plan.music!.path)!;
  assert.deepEqual([m.audio.music_volume, m.audio.fade_out_seconds, m.render.fit, m.render.logo], [i.plan.music!.volume, track.fade_out, 'crop', null]);
  // A voice-over task still needs its voice and its list.
  const voiceOver = { ...m, job: undefined };
  for (const f of ['voice_file', 'voice_source', 'video_list']) assert.match(MetadataSchema.safeParse(voiceOver).error?.issues.map((x) => x.path.join('.')).join(' ') ?? '', new RegExp(f));
});

test('timelineAudioRenderFields: the volume and fade-out of the music path\'s track (none: 0), the output\'s size and rate, the fit and logo width given', () => {
  const output = { width: 160, height: 90, fps: 25 };
  const audio = [{ file: 'scanned/music/calm/other.mp3', volume: 0.9, fade_out: 0 }, { file: 'scanned/music/calm/song.mp3', volume: 0.4, fade_out: 1.5 }];
  assert.deepEqual(timelineAudioRenderFields({ output, audio }, 'scanned/music/calm/song.mp3', { fit: 'pad', logoWidth: 0 }), {
    audio: { voice_volume: 1, music_volume: 0.4, fade_out_seconds: 1.5 },
    render: { resolution: '160x90', frame_rate: 25, fit: 'pad', logo: null, logo_width: 0, output_format: 'mp4' },
  });
  // No music path: no music track, even when the timeline has audio tracks (a voice, say).
  const none = timelineAudioRenderFields({ output, audio }, undefined, { fit: 'crop', logoWidth: 120 });
  assert.deepEqual([none.audio, none.render.fit, none.render.logo_width], [{ voice_volume: 1, music_volume: 0, fade_out_seconds: 0 }, 'crop', 120]);
});

test('the ledger is rebuilt from job task folders too', async (t) => {
  const root = join(await tempDir(t), 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const i = input(0);
  assert.ok(await writeJobTask(layout, i, testConfig()));
  assert.equal(await writeJobTask(layout, i, testConfig()), null, 'the same id again: nothing');
  await rm(layout.ledger, { recursive: true, force: true });
  assert.equal(await new Ledger(layout).rebuildIfMissing(), 1);
  const entry = JSON.parse(await readFile(join(layout.ledger, `${i.id}.json`), 'utf8')) as Record<string, unknown>;
  assert.deepEqual([entry.job, entry.source, entry.variation, entry.voice], ['j', i.source.id, 0, undefined]);
});

// The source's own sound in job videos (docs/jobs.md): footage is filed without audio (the
// concat-safe profile), its kept original holds the sound, the asset record names it, and a job
// variation mixes it under the music in the same single ffmpeg pass, in sync with the picture.
//
// The original: 2 s of black turning white at 1.0 s (25 fps, so the conform changes the frame
// rate), and a PCM track whose first sample lies at 0.2 s, silent until a 1000 Hz tone starts
// at 1.0 s of the file's time. The music is a 440 Hz tone.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { Catalog } from '../../../src/shared/catalog.js';
import { convertOriginal } from '../../../src/main-worker/ingest/convert.js';
import { jobSources, planJob, type VideoAsset } from '../../../src/main-worker/planners/job.js';
import { sourceSoundTrack } from '../../../src/main-worker/planners/job-sound.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { JobSchema, type JobInput } from '../../../src/shared/job.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { probe } from '../../../src/shared/media/probe.js';
import { createRng } from '../../../src/shared/rng.js';
import { prepareRender } from '../../../src/shared/timeline/prepare.js';
import { timelineFiles, type Timeline } from '../../../src/shared/timeline/schema.js';
import { fixturePath, fixtureRecord, type FixtureAsset } from '../../job-fixtures.js';
import { FIXTURES } from '../../media.js';
import { binaries, testConfig } from '../../helpers.js';
import { frameAt, samples } from '../../shared/timeline/render-media.js';
import { ingestEnv, type IngestEnv } from '../ingest/env.js';

const ID = '3f2b8c1e-5a4d-4e6f-9b7a-0c1d2e3f4a5b';
const SILENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const RULES = { width: 160, height: 90, fps: 30, fonts: ['DejaVu Sans'] };
const MUSIC: FixtureAsset = { kind: 'music', category: 'upbeat', seconds: 3 };

async function ff(args: string[]): Promise<void> {
  const { ffmpeg } = await binaries();
  await execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

/** Amplitude of the `hz` component of `s` (Goertzel; a pure sine of amplitude A reads A). */
function amplitude(s: Float32Array, hz: number, rate = 48000): number {
  const w = (2 * Math.PI * hz) / rate;
  const c = 2 * Math.cos(w);
  let [p1, p2] = [0, 0];
  for (const x of s) [p1, p2] = [x + c * p1 - p2, p1];
  return (2 * Math.sqrt(Math.max(0, p1 * p1 + p2 * p2 - c * p1 * p2))) / s.length;
}

/** The original with sound, and one without, converted for real; the catalog loaded from scanned/. */
async function filed(t: Parameters<typeof ingestEnv>[0]): Promise<{ env: IngestEnv; catalog: Catalog; original: string }> {
  const env = await ingestEnv(t);
  const dir = env.layout.scannedOriginalDir('video', 'promo');
  await mkdir(dir, { recursive: true });
  const tone = join(env.stage, 'tone.wav');
  await ff(['-f', 'lavfi', '-i', 'sine=f=1000:r=48000:d=1.8', '-af', "volume=volume=0:enable='lt(t,0.8)'", '-c:a', 'pcm_s16le', tone]);
  const original = join(dir, `${ID}.mkv`);
  await ff(['-f', 'lavfi', '-i', 'color=c=black:s=160x90:r=25:d=2', '-itsoffset', '0.2', '-i', tone, '-vf', "drawbox=x=0:y=0:w=160:h=90:color=white:t=fill:enable='gte(t,1)'", '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-f', 'matroska', original]);
  const silent = join(dir, `${SILENT_ID}.mp4`);
  await FIXTURES.clip25fps(silent);
  for (const [o, id] of [[original, ID], [silent, SILENT_ID]] as const) assert.equal((await convertOriginal(env.ctx, { kind: 'video', category: 'promo', original: o, id })).status, 'done');
  const music = join(env.layout.root, fixturePath(MUSIC));
  await mkdir(dirname(music), { recursive: true });
  await ff(['-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=3', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '96k', '-f', 'mp3', music]);
  await writeFile(`${music}.json`, JSON.stringify(fixtureRecord(MUSIC)));
  return { env, catalog: await Catalog.load(env.layout), original: env.layout.rel(original) };
}

test('footage with sound: its asset record and the catalog name the kept original, its audio length and offset; footage without has none', async (t) => {
  const { env, catalog, original } = await filed(t);
  const clips = catalog.assets().filter((a): a is VideoAsset => a.kind === 'video');
  const withSound = clips.find((c) => c.id === ID)!;
  const record = AssetRecordSchema.parse(JSON.parse(await readFile(join(env.layout.root, `${withSound.path}.json`), 'utf8')));
  assert.deepEqual(record.sound, { path: original, duration: 1.8, offset: 0.2 });
  assert.deepEqual(withSound.sound, record.sound);
  assert.equal(clips.find((c) => c.id === SILENT_ID)!.sound, undefined, 'an original without audio: no sound');
  assert.match(env.log(), /its sound \(1\.80 s\) stays in the original/);
  // The filed clip itself stays video-only and starts at 0, like the original's picture.
  const { ffprobe } = await binaries();
  const info = await probe(ffprobe.path, join(env.layout.root, withSound.path));
  assert.equal(info.audio, null);
  assert.equal(info.video?.startTime, 0);
});

test('the source track: cut to the source segment, placed by the offset, silent at volume 0 or without sound', () => {
  const source = { kind: 'video', path: 'scanned/video/p/mp4_w160_h90/2.0_x.mp4', id: 'x', duration: 2, tags: [], category: 'p', videoClass: 'mp4_w160_h90', width: 160, height: 90 } as VideoAsset;
  const withSound = (offset: number, duration = 2): VideoAsset => ({ ...source, sound: { path: 'scanned/video/p/original/x.mov', duration, offset } });
  assert.deepEqual(sourceSoundTrack(withSound(0), 0.8), { file: 'scanned/video/p/original/x.mov', start: 0, in: 0, out: 2, volume: 0.8 });
  assert.deepEqual(sourceSoundTrack(withSound(0.25, 1.5), 1), { file: 'scanned/video/p/original/x.mov', start: 0.25, in: 0, out: 1.5, volume: 1 });
  assert.deepEqual(sourceSoundTrack(withSound(-0.1, 3), 1), { file: 'scanned/video/p/original/x.mov', start: 0, in: 0.1, out: 2.1, volume: 1 });
  assert.equal(sourceSoundTrack(withSound(0), 0), null);
  assert.equal(sourceSoundTrack(source, 1), null);
});

test('multi-part: the source\'s sound under the source segment only, before the narrations, at soundtrack.source_volume', () => {
  const src: FixtureAsset = { kind: 'video', category: 'promo', seconds: 2 };
  const rest: FixtureAsset[] = [
    { kind: 'video', category: 'cars', seconds: 3 },
    { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 1.5 },
    MUSIC,
  ];
  const catalog = new Catalog();
  const sound = { path: 'scanned/video/promo/original/x.mov', duration: 2, offset: 0 };
  assert.ok(catalog.add(fixturePath(src), { ...fixtureRecord(src), sound }));
  for (const a of rest) assert.ok(catalog.add(fixturePath(a), fixtureRecord(a)));
  const job = (soundtrack: object) =>
    JobSchema.parse({ sources: [{ category: 'promo' }], parts: [{ footage: [{ category: 'cars' }], clips: 1, clip_seconds: { min: 1, max: 2 }, narration: { category: 'cars', campaign: 'spring', part: 1 } }], soundtrack: { music: { category: 'upbeat' }, ...soundtrack } });
  const audioOf = (j: ReturnType<typeof job>) => {
    const r = planJob({ job: j, source: jobSources(j, catalog).sources[0]! }, catalog, RULES, createRng(3));
    assert.ok(r.ok, r.ok ? '' : r.waiting);
    return r.plan.timeline.audio.map((a) => [a.file, a.start, a.in, a.out ?? null, a.volume]);
  };
  assert.deepEqual(audioOf(job({ source_volume: 0.5 })), [
    [sound.path, 0, 0, 2, 0.5],
    [fixturePath(rest[1]!), 2, 0, null, 1],
    [fixturePath(MUSIC), 2, 0, null, 0.25],
  ]);
  assert.deepEqual(audioOf(job({ source_volume: 0 })).map((a) => a[0]), [fixturePath(rest[1]!), fixturePath(MUSIC)]);
});

test('a one-part variation: the source tone in sync under the music, in one ffmpeg pass; source_volume 0 removes it', async (t) => {
  const { env, catalog, original } = await filed(t);
  const { ffmpeg, ffprobe } = await binaries();
  const plan = (input: JobInput, name: string) => {
    const job = JobSchema.parse(input);
    const source = jobSources(job, catalog).sources.find((s) => s.id === ID)!;
    const r = planJob({ job, source }, catalog, RULES, createRng(7));
    assert.ok(r.ok, r.ok ? '' : r.waiting);
    return { tl: r.plan.timeline, name };
  };
  const render = async ({ tl, name }: { tl: Timeline; name: string }) => {
    const output = join(env.stage, `${name}.mp4`);
    const paths = new Map(timelineFiles(tl).map((f) => [f, env.layout.abs(f)]));
    const compiled = await prepareRender(tl, { paths, workDir: join(env.stage, `${name}.work`), output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '128k', fontsDirs: [], progress: false });
    await execa(ffmpeg.path, compiled.argv);
    return output;
  };
  const mixed = plan({ sources: [{ id: ID }], audio: { music: { category: 'upbeat' }, volume: 0.3, source_volume: 1 } }, 'mixed');
  assert.deepEqual(mixed.tl.audio[0], { file: original, start: 0.2, in: 0, out: 1.8, volume: 1, loop: false, fade_in: 0, fade_out: 0 });
  // The default source_volume is 1.
  assert.deepEqual(plan({ sources: [{ id: ID }], audio: { music: { category: 'upbeat' } } }, 'd').tl.audio[0], mixed.tl.audio[0]);
  const out = await render(mixed);
  const info = await probe(ffprobe.path, out);
  assert.ok(Math.abs(info.duration - 2) <= 1 / 30 + 0.03, `${info.duration} s`);
  // The picture turns white at 1.0 s...
  assert.ok((await frameAt(out, 0.9, 160, 90, 30)).at(80, 45)[0] < 40);
  assert.ok((await frameAt(out, 1.1, 160, 90, 30)).at(80, 45)[0] > 215);
  // ...and the tone starts there too, under the music all along.
  const [before] = await samples(out, 0.4, 0.5);
  const [after] = await samples(out, 1.2, 0.5);
  assert.ok(amplitude(before!, 1000) < 0.01, `no tone before 1 s: ${amplitude(before!, 1000)}`);
  assert.ok(amplitude(after!, 1000) > 0.08, `the source's tone after 1 s: ${amplitude(after!, 1000)}`);
  for (const s of [before!, after!]) assert.ok(amplitude(s, 440) > 0.02, `the music: ${amplitude(s, 440)}`);
  const [around] = await samples(out, 0.8, 0.4);
  const step = 480;
  let onset = -1;
  for (let i = 0; i + step <= around!.length && onset < 0; i += step / 4) if (amplitude(around!.subarray(i, i + step), 1000) > 0.05) onset = 0.8 + (i + step / 2) / 48000;
  assert.ok(Math.abs(onset - 1) <= 0.03, `the tone starts at ${onset} s, with the picture (1 s)`);
  // Speed changes it with the picture (the tone now starts at 1.0 / 1.25 s), keeping its pitch.
  const fast = plan({ sources: [{ id: ID }], audio: { music: { category: 'upbeat' }, volume: 0.3 }, uniqueness: { speed: [1.25, 1.25] } }, 'fast');
  const fastOut = await render(fast);
  const [early] = await samples(fastOut, 0.6, 0.15);
  const [late] = await samples(fastOut, 0.85, 0.3);
  assert.ok(amplitude(early!, 1000) < 0.01 && amplitude(late!, 1000) > 0.08, `sped up: ${amplitude(early!, 1000)} before 0.8 s, ${amplitude(late!, 1000)} after`);
  // source_volume 0: the music alone.
  const quiet = plan({ sources: [{ id: ID }], audio: { music: { category: 'upbeat' }, volume: 0.3, source_volume: 0 } }, 'quiet');
  assert.equal(quiet.tl.audio.length, 1);
  const [q] = await samples(await render(quiet), 1.2, 0.5);
  assert.ok(amplitude(q!, 1000) < 0.01 && amplitude(q!, 440) > 0.02, `music only: ${amplitude(q!, 1000)} / ${amplitude(q!, 440)}`);
});

// Job plans rendered for real at 160x90: durations within a frame, the source flipped (pixel
// probe), text only over the part that asks for it, distinct variations, and uniqueness values
// that change the pixels and the pitch. Media: solid colours and sine tones made by ffmpeg.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { jobSources, planJob, type JobPlan } from '../../../src/main-worker/planners/job.js';
import { JobSchema, type JobInput } from '../../../src/shared/job.js';
import { probe } from '../../../src/shared/media/probe.js';
import { createRng } from '../../../src/shared/rng.js';
import { EffectsSchema, TimelineSchema, timelineFiles, type Timeline } from '../../../src/shared/timeline/schema.js';
import { fixtureCatalog, writeFixtures, type FixtureAsset } from '../../job-fixtures.js';
import { binaries, sha256, tempDir, testConfig } from '../../helpers.js';
import { frameAt, samples, toneHz, type Frame } from '../../shared/timeline/render-media.js';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { prepareRender } from '../../../src/shared/timeline/prepare.js';

const FPS = 25;
const RULES = { width: 160, height: 90, fps: FPS, fonts: ['DejaVu Sans'] };

const ASSETS: FixtureAsset[] = [
  // The source: left half red, right half blue.
  { kind: 'video', category: 'promo', seconds: 1, color: 'halves', tags: ['spring'] },
  { kind: 'video', category: 'cars', seconds: 2, color: 'green', n: 1 },
  { kind: 'video', category: 'cars', seconds: 2, color: '0x00c000', n: 2 },
  { kind: 'video', category: 'cars', seconds: 2, color: '0x00a000', n: 3 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 1, freq: 440 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, take: 2, seconds: 1.2, freq: 440 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 2, seconds: 0.8, freq: 440 },
  { kind: 'music', category: 'upbeat', seconds: 3, freq: 220 },
  { kind: 'image', category: 'logos', color: 'red' },
  { kind: 'text', category: 'hooks', text: 'SALE', tags: ['spring'] },
];

const MULTI: JobInput = {
  variations: 2,
  sources: [{ category: 'promo' }],
  flip_source: true,
  parts: [
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.4, max: 0.7 }, narration: { category: 'cars', campaign: 'spring', part: 1 }, text: { text: 'WOW', sizes: [28] } },
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.3, max: 0.5 }, narration: { category: 'cars', campaign: 'spring', part: 2 } },
  ],
  soundtrack: { music: { category: 'upbeat' }, volume: 0.1 },
  uniqueness: { brightness: [0.12, 0.18], speed: [0.95, 1.05], pitch: [1.15, 1.2] },
};

async function make(a: FixtureAsset, path: string): Promise<void> {
  const { ffmpeg } = await binaries();
  const run = (args: string[]) => execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, path]);
  if (a.kind === 'video') {
    const src = a.color === 'halves' ? ['-f', 'lavfi', '-i', `color=c=red:s=160x90:r=${FPS}:d=${a.seconds}`, '-vf', 'drawbox=x=80:y=0:w=80:h=90:color=blue:t=fill'] : ['-f', 'lavfi', '-i', `color=c=${a.color}:s=160x90:r=${FPS}:d=${a.seconds}`];
    await run([...src, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4']);
  } else if (a.kind === 'image') await run(['-f', 'lavfi', '-i', `color=c=${a.color}:s=32x32`, '-frames:v', '1', '-f', 'image2']);
  else if (a.kind === 'narration' || a.kind === 'music') await run(['-f', 'lavfi', '-i', `sine=f=${a.freq}:d=${a.seconds}:r=48000`, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '96k', '-f', 'mp3']);
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  await writeFixtures(dir, ASSETS, make);
  const catalog = fixtureCatalog(ASSETS);
  const planOf = (jobIn: JobInput, seed: number, avoid: string[][] = []): JobPlan => {
    const job = JobSchema.parse(jobIn);
    const r = planJob({ job, source: jobSources(job, catalog).sources[0]! }, catalog, RULES, createRng(seed), avoid);
    assert.ok(r.ok, r.ok ? '' : r.waiting);
    return r.plan;
  };
  const renderTl = async (tl: Timeline, name: string) => {
    const { ffmpeg, ffprobe } = await binaries();
    const output = join(dir, `${name}.mp4`);
    const paths = new Map(timelineFiles(tl).map((f) => [f, join(dir, f)]));
    const compiled = await prepareRender(tl, { paths, workDir: join(dir, `${name}.work`), output, encoder: encoderSpec('libx264', testConfig()), ffprobe: ffprobe.path, audioBitrate: '128k', fontsDirs: [], progress: false });
    await execa(ffmpeg.path, compiled.argv);
    return output;
  };
  return { dir, planOf, renderTl };
}

const greenish = (f: Frame) => {
  let n = 0;
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) {
    const [r, g, b] = f.at(x, y);
    if (g > r + 60 && g > b + 60) n++;
  }
  return n / (f.width * f.height);
};
const meanLevel = (f: Frame) => f.data.reduce((s, v) => s + v, 0) / f.data.length;

test('multi-part variations rendered: durations, the flipped source, text on part 1 only, distinct, effects that show', async (t) => {
  const { ffprobe } = await binaries();
  const { planOf, renderTl } = await setup(t);
  const v0 = planOf(MULTI, 1);
  const v1 = planOf(MULTI, 2, [v0.sequence]);
  assert.notDeepEqual(v0.sequence, v1.sequence, 'different shot lists');
  assert.notEqual(v0.timeline.effects.speed, v1.timeline.effects.speed, 'different effect values');
  const [out0, out1] = [await renderTl(v0.timeline, 'v0'), await renderTl(v1.timeline, 'v1')];
  assert.notEqual(await sha256(out0), await sha256(out1));
  for (const [p, out] of [[v0, out0], [v1, out1]] as const) {
    const info = await probe(ffprobe.path, out);
    assert.ok(Math.abs(info.duration - p.seconds) <= 1 / FPS + 0.03, `${info.duration} s for ${p.seconds} s`);
    assert.ok(Math.abs(info.video!.duration! - p.seconds) <= 1 / FPS + 1e-3, `video ${info.video!.duration} s for ${p.seconds} s`);
  }
  const tl = v0.timeline;
  const speed = tl.effects.speed;
  const at = (t: number) => frameAt(out0, t / speed, 160, 90, FPS);
  // The source, flipped: blue on the left, red on the right (brightened).
  const src = await at(0.5);
  const [l, r] = [src.at(20, 45), src.at(140, 45)];
  assert.ok(l[2] > l[0] + 80 && r[0] > r[2] + 80, `left ${l}, right ${r}`);
  // Part 1 (text) vs part 2 (none): the part's footage is green but for the text.
  const p1 = tl.layers.find((x) => x.type === 'text')!;
  const f1 = await at((p1.start + p1.end!) / 2);
  const f2 = await at((p1.end! + tl.output.duration) / 2);
  assert.ok(greenish(f1) < 0.97 && greenish(f1) > 0.5, `part 1 has text: ${greenish(f1)}`);
  assert.ok(greenish(f2) > 0.99, `part 2 has none: ${greenish(f2)}`);
  // Uniqueness: the same timeline without effects is darker, and its narration lower.
  const plain = TimelineSchema.parse({ ...tl, effects: EffectsSchema.parse({}) });
  const outPlain = await renderTl(plain, 'plain');
  const g0 = await frameAt(outPlain, (p1.end! + tl.output.duration) / 2, 160, 90, FPS);
  assert.ok(meanLevel(f2) > meanLevel(g0) + 15, `brightness: ${meanLevel(f2)} vs ${meanLevel(g0)}`);
  const narr = (await samples(out0, (tl.audio[1]!.start + 0.2) / speed, 0.3))[0]!;
  const narrPlain = (await samples(outPlain, tl.audio[1]!.start + 0.2, 0.3))[0]!;
  const ratio = toneHz(narr) / toneHz(narrPlain);
  assert.ok(Math.abs(ratio - tl.effects.pitch) < 0.03, `pitch ${ratio} for ${tl.effects.pitch} (${toneHz(narrPlain)} Hz plain)`);
});

test('a one-part variation rendered: the source with music, the hook matching its tags, the logo', async (t) => {
  const { ffprobe } = await binaries();
  const { planOf, renderTl } = await setup(t);
  const p = planOf({ sources: [{ category: 'promo' }], audio: { music: { category: 'upbeat' }, volume: 0.5 }, text: { category: 'hooks', sizes: [30] }, logo: { category: 'logos' } }, 5);
  assert.deepEqual(p.texts.map((x) => x.text), ['SALE']);
  const out = await renderTl(p.timeline, 'one');
  const info = await probe(ffprobe.path, out);
  assert.ok(Math.abs(info.duration - 1) <= 1 / FPS + 0.03, `${info.duration} s`);
  assert.ok(info.audio, 'the music');
  const f = await frameAt(out, 0.5, 160, 90, FPS);
  const logo = f.at(160 - 4 - 8, 4 + 8);
  assert.ok(logo[0] > 200 && logo[2] < 60, `the logo in the top-right corner: ${logo}`);
  const mid = f.at(80, 45);
  assert.ok(mid.some((c) => c > 200) || mid.every((c) => c < 60), `text at the centre: ${mid}`);
  const plainFrame = await frameAt(await renderTl(TimelineSchema.parse({ ...p.timeline, layers: [] }), 'bare'), 0.5, 160, 90, FPS);
  let changed = 0;
  for (let x = 40; x < 120; x++) if (Math.abs(f.at(x, 45)[0] - plainFrame.at(x, 45)[0]) > 60 || Math.abs(f.at(x, 45)[2] - plainFrame.at(x, 45)[2]) > 60) changed++;
  assert.ok(changed > 5, `the text changes the middle row (${changed} pixels)`);
});

// The "done when": a job file with 3 variations of a 2-part video dropped into raw/job
// yields 3 verified, distinct outputs, each rendered in one ffmpeg process (main worker --once,
// then render worker --once, as child processes); a bad job file is rejected naming the field.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { makeClip, makeTone } from '../../src/shared/media/generate.js';
import { probe } from '../../src/shared/media/probe.js';
import { parseMetadata } from '../../src/shared/task.js';
import { binaries, cli, sha256, tempDir, visible, writeScript } from '../helpers.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '200',
  CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1',
  CLIPMILL_INGEST_VOICE_MIN_SECONDS: '0.5',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
};

const JOB = {
  variations: 3,
  priority: 2,
  sources: [{ category: 'promo' }],
  flip_source: true,
  parts: [
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.4, max: 0.8 }, narration: { category: 'cars', campaign: 'spring', part: 1 }, text: { text: 'Spring deals', sizes: [16] } },
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 0.3, max: 0.6 }, narration: { category: 'cars', campaign: 'spring', part: 2 } },
  ],
  soundtrack: { music: { category: 'upbeat' }, from_part: 1, to_part: 2, volume: 0.25 },
  uniqueness: { contrast: [0.95, 1.05], brightness: [-0.03, 0.03], speed: [0.97, 1.03], pitch: [0.97, 1.03] },
};

test('a 3-variation 2-part job: 3 verified distinct outputs, one ffmpeg process each; a bad job rejected', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const { ffmpeg } = await binaries();
  const stage = join(dir, 'stage');
  await mkdir(stage);
  const put = async (rel: string, make: (p: string) => Promise<unknown>) => {
    const staged = join(stage, rel.replaceAll('/', '_'));
    await make(staged);
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await rename(staged, join(root, rel));
  };
  await put('raw/video/promo/source.mp4', (p) => makeClip(ffmpeg.path, p, { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 1 }));
  for (const [i, src] of ['smptebars', 'rgbtestsrc', 'testsrc', 'yuvtestsrc'].entries()) await put(`raw/video/cars/car${i}.mp4`, (p) => makeClip(ffmpeg.path, p, { source: src, width: 160, height: 90, fps: 30, seconds: 1.5 }));
  await put('raw/music/upbeat/bed.mp3', (p) => makeTone(ffmpeg.path, p, { seconds: 2, freqs: [220, 330] }));
  // Recorded narration parts: part 1 in two takes.
  for (const [name, seconds] of [['part_0001.mp3', 1], ['part_0001_2.mp3', 1.3], ['part_0002.mp3', 0.8]] as const) await put(`raw/narration/cars/spring/${name}`, (p) => makeTone(ffmpeg.path, p, { seconds, freqs: [440] }));
  await put('raw/job/spring promo.json', (p) => writeFile(p, JSON.stringify(JOB)));
  await put('raw/job/bad.json', (p) => writeFile(p, JSON.stringify({ ...JOB, parts: [JOB.parts[0], { ...JOB.parts[1], clip_seconds: { min: -1, max: 2 } }] })));

  const main = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  const reason = JSON.parse(await readFile(join(root, 'trash/invalid/job/bad.json.reason.json'), 'utf8')) as { code: string; message: string };
  assert.equal(reason.code, 'JOB_INVALID');
  assert.match(reason.message, /parts\[1\]\.clip_seconds\.min: a number > 0, got -1/);
  assert.ok((await readdir(join(root, 'scanned/job'))).includes('spring promo.json'));
  assert.deepEqual((await readdir(join(root, 'scanned/narration/cars/spring'))).filter((n) => n.endsWith('.mp3')).sort(), ['part_0001.mp3', 'part_0001_2.mp3', 'part_0002.mp3']);
  const tasks = await visible(join(root, 'tasks'));
  assert.equal(tasks.length, 3);
  const metas = await Promise.all(tasks.map(async (id) => parseMetadata(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8'))));
  assert.deepEqual(metas.map((m) => m.job?.variation).sort(), [0, 1, 2]);
  assert.ok(metas.every((m) => m.priority === 2 && m.job?.name === 'spring promo'));
  assert.equal(new Set(metas.map((m) => JSON.stringify(m.video_files.map((c) => c.path)))).size, 3, 'distinct shot lists');

  // The render worker's ffmpeg logs every render (an argv with -filter_complex) it runs.
  const calls = join(dir, 'renders.log');
  const wrapper = await writeScript(join(dir, 'ffmpeg'), `#!/bin/sh\ncase "$*" in *filter_complex*) echo render >> '${calls}';; esac\nexec '${ffmpeg.path}' "$@"\n`);
  const render = await cli(['render-worker', '--once', '--root', root], { ...ENV, FFMPEG_PATH: wrapper });
  assert.equal(render.exitCode, 0, render.stderr);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
  assert.equal((await readFile(calls, 'utf8')).trim().split('\n').length, 3, 'one ffmpeg process per variation');
  const { ffprobe } = await binaries();
  const hashes = new Set<string>();
  for (const m of metas) {
    const out = join(root, 'output', m.task_id, 'final.mp4');
    const info = await probe(ffprobe.path, out);
    assert.ok(info.video && info.audio);
    const seconds = m.timeline!.output.duration / m.timeline!.effects.speed;
    assert.ok(Math.abs(info.video.duration! - seconds) <= 1 / 30 + 1e-3, `${info.video.duration} s for ${seconds} s`);
    const report = JSON.parse(await readFile(join(root, 'output', m.task_id, 'report.json'), 'utf8')) as { checks: { ok: boolean }[] };
    assert.ok(report.checks.every((c) => c.ok));
    hashes.add(await sha256(out));
  }
  assert.equal(hashes.size, 3, 'three distinct videos');

  const jobs = await cli(['jobs', '--root', root, '--json']);
  const report = JSON.parse(jobs.stdout) as { jobs: { name: string; planned: number; rendered: number; tasks: { output: string }[] }[]; rejected: { file: string }[] };
  assert.deepEqual(report.jobs.map((j) => [j.name, j.planned, j.rendered]), [['spring promo', 3, 3]]);
  assert.ok(report.jobs[0]!.tasks.every((x) => /^output\/[0-9a-f-]{36}\/final\.mp4$/.test(x.output)));
  assert.deepEqual(report.rejected.map((r) => r.file), ['raw/job/bad.json']);

  // Planned once ever: a second main worker run publishes nothing.
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
});

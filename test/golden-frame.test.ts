// The golden-frame template end to end, as an operator runs it: five product photos, a click
// track and a job file dropped into raw/; `clipmill main-worker --once` files them (the track
// normalized and its beats analysed), plans the job; `clipmill render-worker --once` renders the
// task. The video is verified; its cuts, detected from the output frames, fall within one frame
// of the planned cuts, which lie on the track's onsets; there is no frame PNG, so the procedural
// border is drawn and report.json says so; the hostile hook is drawn.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BeatsSchema, beatsPath } from '../src/shared/media/beats.js';
import { probe } from '../src/shared/media/probe.js';
import { validateMetadata } from '../src/shared/task.js';
import { binaries, cli, tempDir, visible } from './helpers.js';
import { clickTrack } from './shared/media/click-track.js';
import { frameAt, pixelTrack, runFfmpeg, type Rgb } from './shared/timeline/render-media.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0' };
const COLORS = ['red', '0x00ff00', 'blue', 'white', 'magenta'];
const HOOK = 'Sale\u0000 {\\an8}\\N<b>\u202e -50% 🔥 مرحبا 你好\n\n\nline 2\nline 3\nline 4';

test('a golden-frame job: 5 photos and a click track render a verified video cut on the beats, with the procedural border (noted in report.json) and the hook', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  await mkdir(join(root, 'raw/image/products'), { recursive: true });
  await mkdir(join(root, 'raw/music/beats'), { recursive: true });
  for (const [i, c] of COLORS.entries()) await runFfmpeg(['-y', '-f', 'lavfi', '-i', `color=c=${c}:s=64x48`, '-frames:v', '1', join(root, `raw/image/products/p${i + 1}.png`)]);
  // 120 bpm from 0.37 s, 8 s (music shorter than ingest.musicMinSeconds is refused).
  await clickTrack(join(root, 'raw/music/beats/click.wav'), 120, 0.37, 8);
  const job = { template: 'golden-frame', images: [{ category: 'products' }], audio: { category: 'beats' }, text: HOOK, duration: 6, output: { resolution: '108x192', fps: 30 }, shot_seconds: { min: 0.8, max: 1.6 } };
  await writeFile(join(root, 'raw/job/showcase.json'), JSON.stringify(job));

  const main = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  const [id] = await visible(join(root, 'tasks'));
  assert.ok(id, `a task: ${main.stdout}${main.stderr}`);
  const meta = validateMetadata(JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')));
  assert.deepEqual(meta.notes?.map((n) => n.code), ["BORDER_FALLBACK"], JSON.stringify(meta.notes));
  assert.match(main.stdout + main.stderr, /WARN.*the job names no frame PNG: a procedural border is drawn/);
  const musicDir = join(root, 'scanned/music/beats/mp3');
  const track = (await readdir(musicDir)).find((n) => n.endsWith('.mp3'))!;
  const beats = BeatsSchema.parse(JSON.parse(await readFile(beatsPath(join(musicDir, track)), 'utf8')));
  assert.equal(beats.usable, true);

  const render = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(render.exitCode, 0, render.stderr);
  const out = join(root, 'output', id);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { checks: { ok: boolean }[]; notes?: { code: string; message: string }[] };
  assert.ok(report.checks.every((c) => c.ok), JSON.stringify(report.checks));
  assert.deepEqual(report.notes, meta.notes);
  const video = join(out, 'final.mp4');
  const info = await probe((await binaries()).ffprobe.path, video);
  assert.deepEqual([info.video?.width, info.video?.height, info.video?.fps], [108, 192, 30]);
  assert.ok(info.audio, 'the music is mixed in');

  // The planned cuts: the starts of the shots after the first, each on an onset (within a frame).
  const shots = meta.timeline!.layers.filter((l) => l.type === 'image');
  assert.equal(shots.length, meta.video_files.length);
  const planned = shots.slice(1).map((l) => l.start);
  assert.ok(planned.length >= 3, `${planned.length} cuts`);
  for (const c of planned) assert.ok(beats.onsets.some((o) => Math.abs(o - c) <= 1 / 30), `planned cut ${c} is not on an onset: ${beats.onsets.join(', ')}`);
  // The cuts of the output: frames where the middle of the picture changes colour.
  const track2 = await pixelTrack(video, 54, 96);
  const detected: number[] = [];
  for (let k = 1; k < track2.length; k++) if (track2[k]!.reduce((s, v, i) => s + Math.abs(v - track2[k - 1]![i]!), 0) > 120) detected.push(k / 30);
  assert.equal(detected.length, planned.length, `detected ${detected.join(', ')} for planned ${planned.join(', ')}`);
  detected.forEach((d, i) => assert.ok(Math.abs(d - planned[i]!) <= 1 / 30 + 1e-9, `cut ${i}: detected at ${d} s, planned at ${planned[i]} s`));

  // The border: gold (#D4AF37) around the 90x160 content box, the near-black background outside.
  const f = await frameAt(video, 0.5, 108, 192);
  const near = (a: Rgb, b: Rgb, tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);
  assert.ok(near(f.at(8, 120), [212, 175, 55], 40), `border: ${f.at(8, 120)}`);
  assert.ok(near(f.at(3, 120), [5, 5, 5], 12), `background: ${f.at(3, 120)}`);
  // The hook: drawn at the top of the safe area (white text with a black outline: bright pixels in its band, none there without it).
  let bright = 0;
  for (let y = 19; y < 60; y++) for (let x = 0; x < 108; x++) if (f.at(x, y).every((v) => v > 200)) bright++;
  assert.ok(bright > 10, `the hook's pixels: ${bright}`);
});

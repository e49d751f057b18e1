// `clipmill render`: real renders of tiny generated media (160x90, 2 s, libx264 ultrafast
// through --quality draft): a bare timeline and a v1 task folder render and verify; bad
// input is refused before ffmpeg starts, naming the file, the field and the value; a failed,
// unverified or canceled render leaves nothing at the output's name.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeLogo } from '../../../src/shared/media/generate.js';
import { probe } from '../../../src/shared/media/probe.js';
import type { TimelineInput } from '../../../src/shared/timeline/schema.js';
import { sampleMetadata } from '../../fixtures.js';
import { binaries, cli, tempDir, writeScript } from '../../helpers.js';
import { FIXTURES } from '../../media.js';
import { runInProcess } from '../in-process.js';

const ENV = { CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_LOG_LEVEL: 'warn' };

/** clip.mp4 (1.5 s), logo.png and tone.mp3 (2 s) in `dir`. */
async function media(dir: string): Promise<void> {
  await FIXTURES.clip(join(dir, 'clip.mp4'), 1.5);
  await makeLogo((await binaries()).ffmpeg.path, join(dir, 'logo.png'), 32);
  await FIXTURES.voice(join(dir, 'tone.mp3'), 2);
}

function timeline(over: Partial<TimelineInput> = {}): TimelineInput {
  return {
    output: { width: 160, height: 90, fps: 30, duration: 2, quality: 'normal' },
    video: [
      { type: 'clip', file: 'clip.mp4', in: 0.25, out: 1.25 },
      { type: 'color', color: '#204060', duration: 1, transition: { type: 'fade', duration: 0.25 } },
    ],
    layers: [{ type: 'image', file: 'logo.png', position: 'top-right', margin: 4, scale: 0.2 }],
    audio: [{ file: 'tone.mp3', volume: 0.8, fade_out: 0.5 }],
    ...over,
  };
}

async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value, null, 2));
  return path;
}

/** What a folder holds, dot-files (the temporary .part) included. */
const entries = async (dir: string) => (await readdir(dir)).sort();

test('a bare timeline.json (clip, colour with a fade, image layer, audio) renders, verified, with its summary', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  await writeJson(join(dir, 'timeline.json'), timeline());
  await mkdir(join(dir, 'out'));
  // Through bin/clipmill, from another working folder: the files are found beside the JSON.
  const r = await cli(['render', join(dir, 'timeline.json'), '-o', join(dir, 'out', 'video.mp4'), '--quality', 'draft'], ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await entries(join(dir, 'out')), ['video.mp4'], 'only the output: no temporary left');
  const info = await probe((await binaries()).ffprobe.path, join(dir, 'out', 'video.mp4'));
  assert.deepEqual([info.video?.width, info.video?.height, info.video?.fps], [160, 90, 30]);
  assert.ok(Math.abs((info.video?.duration ?? 0) - 2) <= 1 / 30 + 0.001, `duration ${info.video?.duration}`);
  assert.equal(info.audio?.codec, 'aac');
  assert.match(r.stdout, new RegExp(`output +${join(dir, 'out', 'video.mp4').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
  const shown = /video +(\d\.\d{3}) s, 160x90 @ 30\.00 fps, h264 \+ aac, \d+ KB\n/.exec(r.stdout);
  assert.ok(shown && Math.abs(Number(shown[1]) - (info.video?.duration ?? 0)) < 0.001, r.stdout);
  assert.match(r.stdout, /verified +ok: video_stream h264, audio_stream aac, duration \d\.\d{3} s, size 160x90, frame_rate 30\.000$/m);
  assert.match(r.stderr, /Rendering .*timeline\.json: 2 s at 160x90@30 \(quality draft\) with libx264/);
  // Not a terminal: no bar redrawn in place.
  assert.doesNotMatch(r.stderr, /\r|\x1b\[K/);
});

test('a v1 task in trash/failed/<id>/ renders: task files beside metadata.json, scanned/ paths from the root found by the layout', async (t) => {
  const root = await tempDir(t);
  const id = sampleMetadata().task_id;
  const taskDir = join(root, 'trash', 'failed', id);
  const clips = join(root, 'scanned', 'video', 'fantasy', 'mp4_w160_h90');
  await mkdir(taskDir, { recursive: true });
  await mkdir(clips, { recursive: true });
  await FIXTURES.clip(join(clips, 'a.mp4'), 1.5);
  await FIXTURES.voice(join(taskDir, 'voice.mp3'), 2);
  await FIXTURES.musicMp3(join(taskDir, 'music.mp3'), 1);
  await makeLogo((await binaries()).ffmpeg.path, join(taskDir, 'logo.png'), 32);
  const clip = (i: number) => ({ path: 'scanned/video/fantasy/mp4_w160_h90/a.mp4', duration: 1.5, in: 0.5 * i, out: 1.5 });
  const meta = sampleMetadata({ voice_duration: 2, music_duration: 1, video_class: 'mp4_w160_h90', video_files: [clip(0), clip(2)], render: { ...sampleMetadata().render, resolution: '160x90', logo_width: 0.2 } });
  await writeJson(join(taskDir, 'metadata.json'), meta);
  const out = join(root, 'renders', 'task.mp4');
  const r = await runInProcess(['render', join(taskDir, 'metadata.json'), '-o', out, '--encoder', 'libx264', '--quality', 'draft'], ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  const info = await probe((await binaries()).ffprobe.path, out);
  assert.deepEqual([info.video?.width, info.video?.height], [160, 90]);
  assert.ok(Math.abs((info.video?.duration ?? 0) - 2) <= 1 / 30 + 0.001, `duration ${info.video?.duration}`);
  assert.ok(info.audio, 'the voice and the music');

  // Outside a root's layout, a scanned/ path needs --root; with it the task renders.
  const loose = await tempDir(t);
  await writeJson(join(loose, 'metadata.json'), meta);
  for (const f of ['voice.mp3', 'music.mp3', 'logo.png']) await writeFile(join(loose, f), '');
  const noRoot = await runInProcess(['render', join(loose, 'metadata.json'), '-o', join(loose, 'x.mp4')], ENV);
  assert.equal(noRoot.exitCode, 2);
  assert.match(noRoot.stderr, /metadata\.json: names files relative to a project root .*pass --root <dir> \[TASK_INVALID\]/);
  const missing = await runInProcess(['render', join(loose, 'metadata.json'), '-o', join(loose, 'x.mp4'), '--root', loose], ENV);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /missing input files?: video_files\[0\]\.path "scanned\/video\/fantasy\/mp4_w160_h90\/a\.mp4": .* does not exist/);
});

test('a bad timeline is refused before ffmpeg starts, naming the file, the field and the value (exit 2)', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  const tl = timeline();
  const typo = { ...tl, video: [{ ...tl.video![0], fitt: 'pad' }, tl.video![1]] };
  const reversed = { ...tl, video: [{ type: 'clip', file: 'clip.mp4', in: 1.2, out: 0.5 }, tl.video![1]] };
  const cases: [string, unknown, RegExp][] = [
    ['typo.json', typo, /typo\.json: unknown key "video\[0\]\.fitt" \[TASK_INVALID\]/],
    ['reversed.json', reversed, /reversed\.json: video\[0\]\.out must be a number above in \(1\.2\), got 0\.5/],
    ['quality.json', { ...tl, output: { ...tl.output, quality: 'best' } }, /quality\.json: output\.quality must be "draft", "normal" or "high", got "best"/],
    ['notjson.json', '{ "output": ', /notjson\.json: not valid JSON/],
  ];
  for (const [name, value, re] of cases) {
    if (typeof value === 'string') await writeFile(join(dir, name), value);
    else await writeJson(join(dir, name), value);
    const r = await runInProcess(['render', join(dir, name), '-o', join(dir, 'out.mp4')], ENV);
    assert.equal(r.exitCode, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /Rendering/, 'ffmpeg never started');
  }
  const none = await runInProcess(['render', join(dir, 'nothing.json'), '-o', join(dir, 'out.mp4')], ENV);
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /nothing\.json: cannot read it \(no such file\)/);
  assert.ok(!(await entries(dir)).some((n) => n.startsWith('out') || n.includes('.part')));
});

test('missing media files are all named, with the field, before ffmpeg starts; a clip that is not media too', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  await writeJson(join(dir, 'timeline.json'), timeline({ audio: [{ file: 'sounds/missing.mp3' }], layers: [{ type: 'image', file: join(dir, 'gone.png') }] }));
  const r = await runInProcess(['render', join(dir, 'timeline.json'), '-o', join(dir, 'out.mp4')], ENV);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /timeline\.json: missing input files: layers\[0\]\.file ".*gone\.png": .*gone\.png does not exist; audio\[0\]\.file "sounds\/missing\.mp3": .*sounds\/missing\.mp3 does not exist \[TASK_INVALID\]/);
  // A clip that is not media: ffprobe's words, with the file and the field.
  await writeFile(join(dir, 'clip.mp4'), 'not a video\n');
  await writeJson(join(dir, 'timeline.json'), timeline());
  const notMedia = await runInProcess(['render', join(dir, 'timeline.json'), '-o', join(dir, 'out.mp4')], ENV);
  assert.equal(notMedia.exitCode, 2, notMedia.stderr);
  assert.match(notMedia.stderr, /timeline\.json: video\[0\]\.file "clip\.mp4": ffprobe cannot read .*clip\.mp4: .*Invalid data found when processing input \[PROBE_FAILED\]/);
  assert.ok(!(await entries(dir)).some((n) => n.startsWith('out') || n.includes('.part')));
  const folder = await runInProcess(['render', join(dir, 'timeline.json'), '-o', dir], ENV);
  assert.equal(folder.exitCode, 2);
  assert.match(folder.stderr, /--output .* is a folder/);
  const over = await runInProcess(['render', join(dir, 'timeline.json'), '-o', join(dir, 'tone.mp3')], ENV);
  assert.equal(over.exitCode, 2);
  assert.match(over.stderr, /--output .*tone\.mp3 is one of the render's inputs \[USAGE\]/);
  const usage = await runInProcess(['render', join(dir, 'timeline.json')], ENV);
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /missing -o\/--output/);
});

test('an ffmpeg failure shows its stderr and leaves no output; --keep keeps the work folder and prints the command line', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  await writeFile(join(dir, 'logo.png'), 'not an image\n');
  await writeJson(join(dir, 'timeline.json'), timeline());
  await mkdir(join(dir, 'out'));
  const r = await runInProcess(['render', join(dir, 'timeline.json'), '-o', join(dir, 'out', 'video.mp4'), '--quality', 'draft', '--keep'], ENV);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /ffmpeg's stderr \(last lines\):\n(.*\n)*.*Invalid PNG signature/);
  assert.match(r.stderr, /clipmill render: error: ffmpeg failed \(exit code 1\): .* \[RENDER_FAILED\]/);
  assert.deepEqual(await entries(join(dir, 'out')), []);
  const work = /Work folder \(kept\): (\S+)/.exec(r.stderr)?.[1];
  assert.ok(work, r.stderr);
  t.after(() => import('node:fs/promises').then((fs) => fs.rm(work, { recursive: true, force: true })));
  assert.ok((await entries(work)).some((n) => n.endsWith('.ffconcat')), 'the concat list is kept');
  assert.match(r.stderr, /ffmpeg command line:\n\S*ffmpeg .*-filter_complex '.*' .*\.part\n/);
});

test('an output that fails verification is not renamed into place', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  await writeJson(join(dir, 'timeline.json'), timeline());
  // The real ffmpeg, but the output's -t cut to 1 s: the file is whole and one second short.
  const real = (await binaries()).ffmpeg.path;
  const short = await writeScript(join(dir, 'ffmpeg'), `n=$#; prev=\nfor a in "$@"; do if [ "$prev" = "-t" ]; then set -- "$@" 1; else set -- "$@" "$a"; fi; prev=$a; done\nshift $n\nexec '${real}' "$@"`);
  await mkdir(join(dir, 'out'));
  const r = await runInProcess(['render', join(dir, 'timeline.json'), '-o', join(dir, 'out', 'video.mp4'), '--quality', 'draft'], { ...ENV, FFMPEG_PATH: short });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /the output failed verification: duration: expected 2\.000 s ± 0\.033, got (0\.9|1\.0)\d+ s \[VERIFY_FAILED\]/);
  assert.deepEqual(await entries(join(dir, 'out')), []);
});

test('a canceled render (Ctrl-C) stops ffmpeg and removes the partial output', async (t) => {
  const dir = await tempDir(t);
  await media(dir);
  await writeJson(join(dir, 'timeline.json'), timeline());
  // Writes a partial file at the output path, then reports progress forever.
  const fake = await writeScript(join(dir, 'ffmpeg'), `case "$*" in\n  *-version*) echo 'ffmpeg version fake'; exit 0;;\n  *filter_complex*) for last; do :; done; echo partial > "$last"; i=0; while true; do i=$((i+1)); echo "out_time_us=\${i}00000"; sleep 0.1; done;;\nesac\nexit 0`);
  const out = join(dir, 'out');
  await mkdir(out);
  const ac = new AbortController();
  const running = runInProcess(['render', join(dir, 'timeline.json'), '-o', join(out, 'video.mp4')], { ...ENV, FFMPEG_PATH: fake }, ac.signal);
  const deadline = Date.now() + 10_000;
  while (!(await entries(out)).some((n) => n.endsWith('.part')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok((await entries(out)).some((n) => n.endsWith('.part')), 'the render started');
  ac.abort();
  const r = await running;
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /render canceled; the partial output was removed \[RENDER_CANCELED\]/);
  assert.deepEqual(await entries(out), []);
});

test('--help documents the inputs, every option and an example; render is listed in the commands', async () => {
  const r = await runInProcess(['render', '--help']);
  assert.equal(r.exitCode, 0);
  for (const s of ['Usage: clipmill render <timeline.json|metadata.json> -o <out.mp4>', '--output', '--encoder', '--quality', '--keep', '--root', '--config', 'scanned/', 'Example:', 'Exit codes']) assert.ok(r.stdout.includes(s), `--help mentions ${s}`);
  const top = await runInProcess(['--help']);
  assert.match(top.stdout, /\n {2}render +render one timeline/);
  const bad = await runInProcess(['render', 'x.json', '-o', 'y.mp4', '--quality', 'best']);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--quality must be draft, normal or high, got "best" \[USAGE\]/);
});

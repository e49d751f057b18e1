// `clipmill demo`: a sample root generated from nothing, both workers run on it once, the
// rendered video printed. espeak-ng is not needed: a stand-in on PATH writes a tone where the
// speech would be. The full run uses the real ffmpeg behind a wrapper that makes the sample
// clips at a quarter of their size (some 8 s instead of 15 on two busy cores); the failure
// paths run with a fake ffmpeg that makes empty files at once.
import assert from 'node:assert/strict';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { demo, DEMO_OVERRIDES } from '../../../src/cli/commands/demo.js';
import { COMMON_OPTIONS } from '../../../src/cli/common.js';
import { probe } from '../../../src/shared/media/probe.js';
import { TREE } from '../../../src/shared/layout.js';
import { binaries, cli, tempDir, walk, writeScript } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

/** The top folders of a fresh root (server/ holds the API's token, made by init). */
const TOP = [...new Set([...TREE.map((d) => d.split('/')[0]!), 'server'])].sort();

/** Runs `fn` with process.env changed (espeak-ng and mkdtemp read the process's own env). */
async function withProcessEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A folder with an `espeak-ng` that writes 3 s of tone where -w says, as the real one writes speech. */
async function toneSpeaker(dir: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeScript(join(bin, 'espeak-ng'), `exec '${(await binaries()).ffmpeg.path}' -hide_banner -nostdin -v error -y -f lavfi -i sine=f=220:d=3 -c:a pcm_s16le "$6"`);
  return bin;
}

test('the demo runs with a short ingest stability window and the logo it draws', () => {
  assert.deepEqual(DEMO_OVERRIDES, { ingest: { stableMs: 1000 }, render: { logo: 'assets/logo.png' } });
  assert.deepEqual(demo.options, COMMON_OPTIONS);
  assert.equal(demo.allowPositionals, undefined, 'no positional argument');
  assert.match(demo.help, /CLIPMILL_ROOT is ignored/);
});

/**
 * The real ffmpeg, but lavfi sources asked for at 1280x720 or 640x360 (the demo's clips) made
 * at 320x180 and 160x90: everything else, and every other call, as it is.
 */
async function smallFfmpeg(dir: string): Promise<string> {
  const real = (await binaries()).ffmpeg.path;
  return writeScript(
    join(dir, 'ffmpeg-small'),
    [
      'for a; do',
      '  shift',
      '  case "$a" in',
      "    *s=1280x720*|*s=640x360*) a=$(printf '%s' \"$a\" | sed -e 's/s=1280x720/s=320x180/' -e 's/s=640x360/s=160x90/');;",
      '  esac',
      '  set -- "$@" "$a"',
      'done',
      `exec '${real}' "$@"`,
    ].join('\n'),
  );
}

test('demo: a full run on a new root renders one video and prints where it is', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'demo root');
  const bin = await toneSpeaker(dir);
  const r = await cli(['demo', '--root', root], {
    PATH: `${bin}:${process.env.PATH}`,
    FFMPEG_PATH: await smallFfmpeg(dir),
    // The demo's own 1 s stability window is not needed: the samples are renamed into raw/ whole.
    CLIPMILL_INGEST_STABLE_MS: '0',
    // The render worker's scratch goes under TMPDIR: inside this test's folder.
    TMPDIR: dir,
    CLIPMILL_RENDER_RESOLUTION: '320x180',
    CLIPMILL_RENDER_ENCODERS: 'libx264',
    CLIPMILL_DISK_MIN_FREE_MB: '0',
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const [id] = await readdir(join(root, 'output'));
  assert.ok(id);
  const final = join(root, 'output', id, 'final.mp4');
  assert.deepEqual(lines.slice(0, 3), ['', 'clipmill demo: done', `  root       ${root}`]);
  assert.match(lines[3]!, /^ {2}samples {4}5 clips in 2 categories, 1 music bed, 1 spoken chapter, 1 logo \(\d+\.\d s to generate\)$/);
  assert.equal(lines[4], '  ingested   7 files filed into scanned/ (1 converted), 0 rejected; 1 task published');
  assert.match(lines[5]!, new RegExp(`^ {2}task {7}${id}: 3\\.0 s of voice over \\d+ clips from mp4_w(320_h180|160_h90), rendered at 320x180@30$`));
  assert.equal(lines[6], '  encoder    libx264');
  assert.match(lines[7]!, /^ {2}render {5}\d+\.\d s, \d+\.\d\dx realtime$/);
  assert.equal(lines[8], `  output     ${final}`);
  assert.equal(lines.at(-1), `Run the daemons on this root:  bin/clipmill main-worker --root ${root}   and   bin/clipmill render-worker --root ${root}`);
  // Everything dropped into raw/ was taken; the video is real.
  assert.deepEqual(await walk(join(root, 'raw')), []);
  assert.deepEqual((await readdir(root)).filter((n) => n.startsWith('.demo-staging')), []);
  assert.ok((await stat(join(root, 'assets', 'logo.png'))).size > 0);
  const info = await probe((await binaries()).ffprobe.path, final);
  assert.deepEqual([info.video?.codec, info.video?.width, info.video?.height, info.audio?.codec], ['h264', 320, 180, 'aac']);
  assert.ok(Math.abs(info.duration - 3) < 0.2, `duration ${info.duration}`);
});

test('demo without --root: a new folder under the temp folder; CLIPMILL_ROOT is never given samples', async (t) => {
  const dir = await tempDir(t);
  const farm = join(dir, 'farm');
  const tmp = join(dir, 'tmp');
  await mkdir(farm);
  await mkdir(tmp);
  // Stops right after the root is made: no ffmpeg.
  const r = await withProcessEnv({ TMPDIR: tmp }, () => runInProcess(['demo'], { CLIPMILL_ROOT: farm, FFMPEG_PATH: join(dir, 'no-ffmpeg'), CLIPMILL_LOG_LEVEL: 'fatal' }));
  assert.deepEqual(r, { exitCode: 1, stdout: '', stderr: `clipmill demo: error: FFMPEG_PATH is ${join(dir, 'no-ffmpeg')}, which is not a runnable ffmpeg [FFMPEG_NOT_FOUND]\n` });
  assert.deepEqual(await readdir(farm), [], 'the farm root is untouched');
  const made = await readdir(tmp);
  assert.equal(made.length, 1);
  assert.match(made[0]!, /^clipmill-demo-\w{6}$/);
  assert.deepEqual((await readdir(join(tmp, made[0]!))).sort(), TOP);
});

test('demo: a sample that cannot be made leaves raw/ empty and no staging folder', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  const bin = join(dir, 'bin');
  await mkdir(bin);
  // An ffmpeg that makes every sample as an empty file at once, and an espeak-ng that fails.
  const ffmpeg = await writeScript(join(dir, 'ffmpeg'), ['case "$*" in *-version*) echo "ffmpeg version fake-demo"; exit 0;; esac', 'for last; do :; done', ': > "$last"'].join('\n'));
  await writeScript(join(bin, 'espeak-ng'), "echo 'voice en-us not found' >&2\nexit 1");
  const r = await withProcessEnv({ PATH: `${bin}:${process.env.PATH}` }, () => runInProcess(['demo', '--root', root], { FFMPEG_PATH: ffmpeg, CLIPMILL_LOG_LEVEL: 'fatal' }));
  assert.deepEqual(r, { exitCode: 1, stdout: '', stderr: 'clipmill demo: error: espeak-ng failed: voice en-us not found [RENDER_FAILED]\n' });
  assert.deepEqual(await walk(join(root, 'raw')), [], 'no sample reached raw/');
  assert.deepEqual((await readdir(root)).sort(), TOP, 'no staging folder left, no assets');
});

test('demo: wrong usage exits 2', async () => {
  const r = await runInProcess(['demo', 'extra']);
  assert.deepEqual(r, { exitCode: 2, stdout: '', stderr: 'clipmill demo: error: unexpected argument "extra"; see clipmill demo --help [USAGE]\n' });
});

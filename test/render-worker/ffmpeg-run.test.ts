// Running one ffmpeg render against fake ffmpegs (STYLE 11): progress from -progress pipe:1,
// the stall watchdog, cancellation, and the outcome told by flags with a bounded stderr tail.
import assert from 'node:assert/strict';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFfmpeg } from '../../src/render-worker/ffmpeg-run.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { tempDir, writeScript } from '../helpers.js';

/** The fakes act on a render, i.e. an argv with -filter_complex. */
const RENDER = ['-filter_complex', '[0:v]null[v]', '-progress', 'pipe:1', 'out.mp4'];

async function script(t: Parameters<typeof tempDir>[0], body: string): Promise<string> {
  return writeScript(join(await tempDir(t), 'ffmpeg'), body);
}

test('a render that reports progress and exits 0: every out_time reported in seconds; ok', async (t) => {
  const ffmpeg = await script(t, [
    'echo frame=1',
    'echo out_time_us=N/A',
    'echo out_time_us=500000',
    'echo out_time_ms=1000000', // a key that merely looks alike is not taken
    'echo out_time_us=1000000',
    'echo out_time_us=1000000',
    'echo progress=end',
    'echo "frame=  30 fps=0.0 q=-1.0 Lsize=       1kB" >&2',
  ].join('\n'));
  const progress: number[] = [];
  const r = await runFfmpeg(ffmpeg, RENDER, { onProgress: (s) => progress.push(s) });
  assert.deepEqual(progress, [0.5, 1, 1]);
  assert.deepEqual(r, { ok: true, canceled: false, stalled: false, exitCode: 0, signal: undefined, stderrTail: 'frame=  30 fps=0.0 q=-1.0 Lsize=       1kB\n' });
});

test('a progress line split across two reads is read whole', async (t) => {
  const ffmpeg = await script(t, "printf 'out_time_us=12'\nsleep 0.2\nprintf '34567\\nout_time_us=2'\nsleep 0.2\nprintf '000000\\n'");
  const progress: number[] = [];
  await runFfmpeg(ffmpeg, RENDER, { onProgress: (s) => progress.push(s) });
  assert.deepEqual(progress, [1.234567, 2]);
});

test('a nonzero exit: failed, with its exit code and its stderr', async (t) => {
  const ffmpeg = await fakeFfmpeg(await tempDir(t), { exitCode: 69, stderr: '[libx264 @ 0x1] broken pipe' });
  const r = await runFfmpeg(ffmpeg, RENDER, {});
  assert.deepEqual(r, { ok: false, canceled: false, stalled: false, exitCode: 69, signal: undefined, stderrTail: '[libx264 @ 0x1] broken pipe\n' });
});

test('an ffmpeg that cannot be started: failed, no exit code', async (t) => {
  const r = await runFfmpeg(join(await tempDir(t), 'no-such-ffmpeg'), RENDER, {});
  assert.deepEqual({ ok: r.ok, canceled: r.canceled, stalled: r.stalled, exitCode: r.exitCode }, { ok: false, canceled: false, stalled: false, exitCode: undefined });
});

test('it runs in the given working directory', async (t) => {
  const dir = await tempDir(t);
  const ffmpeg = await script(t, 'pwd -P >&2');
  const r = await runFfmpeg(ffmpeg, RENDER, { cwd: dir });
  assert.equal(r.stderrTail, `${await realpath(dir)}\n`);
});

test('stall: no progress at all for stallTimeoutMs is killed with SIGKILL and said so', async (t) => {
  const ffmpeg = await fakeFfmpeg(await tempDir(t), 'hang');
  const r = await runFfmpeg(ffmpeg, RENDER, { stallTimeoutMs: 300 });
  assert.deepEqual(r, { ok: false, canceled: false, stalled: true, exitCode: undefined, signal: 'SIGKILL', stderrTail: 'fake ffmpeg: waiting forever\n' });
});

test('stall: progress that repeats the same time is no progress', async (t) => {
  const ffmpeg = await script(t, 'while true; do echo out_time_us=1000000; sleep 0.05; done');
  const progress: number[] = [];
  const r = await runFfmpeg(ffmpeg, RENDER, { stallTimeoutMs: 300, onProgress: (s) => progress.push(s) });
  assert.deepEqual([r.stalled, r.signal, r.ok], [true, 'SIGKILL', false]);
  assert.ok(progress.length > 0 && progress.every((s) => s === 1), String(progress));
});

test('stall: a render that keeps advancing runs past stallTimeoutMs', async (t) => {
  // 0.1 s between reports, 0.8 s in all, against a 0.6 s watchdog.
  const ffmpeg = await script(t, 'i=1; while [ $i -le 8 ]; do echo "out_time_us=${i}00000"; sleep 0.1; i=$((i+1)); done');
  const progress: number[] = [];
  const r = await runFfmpeg(ffmpeg, RENDER, { stallTimeoutMs: 600, onProgress: (s) => progress.push(s) });
  assert.deepEqual([r.ok, r.stalled, r.exitCode], [true, false, 0]);
  assert.deepEqual(progress, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
});

test('cancel: an abort stops the render (SIGTERM) and says canceled, not stalled nor failed by itself', async (t) => {
  const ffmpeg = await fakeFfmpeg(await tempDir(t), 'slow');
  const ac = new AbortController();
  const progress: number[] = [];
  const r = await runFfmpeg(ffmpeg, RENDER, {
    signal: ac.signal,
    stallTimeoutMs: 60_000,
    onProgress: (s) => {
      progress.push(s);
      if (progress.length === 2) ac.abort();
    },
  });
  assert.deepEqual({ ok: r.ok, canceled: r.canceled, stalled: r.stalled, signal: r.signal }, { ok: false, canceled: true, stalled: false, signal: 'SIGTERM' });
  assert.deepEqual(progress.slice(0, 2), [0.1, 0.2]);
});

test('cancel: a signal aborted before the start: canceled at once', async (t) => {
  const ffmpeg = await fakeFfmpeg(await tempDir(t), 'slow');
  const ac = new AbortController();
  ac.abort();
  const r = await runFfmpeg(ffmpeg, RENDER, { signal: ac.signal });
  assert.deepEqual([r.ok, r.canceled], [false, true]);
});

test('the stderr tail is bounded: the last 64 KiB of a chatty ffmpeg', async (t) => {
  // 200 KiB of "a", then "END": far more than the tail keeps.
  const ffmpeg = await script(t, "head -c 204800 /dev/zero | tr '\\0' a >&2\necho END >&2\nexit 1");
  const r = await runFfmpeg(ffmpeg, RENDER, {});
  assert.equal(r.stderrTail.length, 64 * 1024);
  assert.ok(r.stderrTail.endsWith('aaaEND\n'));
  assert.equal(r.stderrTail, `${'a'.repeat(64 * 1024 - 4)}END\n`);
  assert.deepEqual([r.ok, r.exitCode], [false, 1]);
});

test('a character split across two reads of stderr is kept whole in the tail', async (t) => {
  // "é" is C3 A9 in UTF-8: the two bytes are written 0.2 s apart, so they arrive in two reads.
  const ffmpeg = await script(t, "printf 'caf\\303' >&2\nsleep 0.2\nprintf '\\251.mp4: No such file or directory\\n' >&2\nexit 1");
  const r = await runFfmpeg(ffmpeg, RENDER, {});
  assert.equal(r.stderrTail, 'café.mp4: No such file or directory\n');
});

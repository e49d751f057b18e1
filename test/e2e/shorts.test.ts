// The "done when": audio with its transcript dropped into raw/short/ becomes a verified
// captioned vertical short whose scenes follow its words, offline (main worker --once, then
// render worker --once, as child processes; 108x192 instead of 1080x1920 to stay small). The
// music is measured in the output: at least 12 dB lower while words are spoken than in the
// pauses. A short without a transcript waits, and says why in `clipmill status`.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { makeClip } from '../../src/shared/media/generate.js';
import { probe } from '../../src/shared/media/probe.js';
import { parseMetadata } from '../../src/shared/task.js';
import { WordsFileSchema } from '../../src/shared/words.js';
import { binaries, cli, tempDir, visible } from '../helpers.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '200',
  CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1',
  CLIPMILL_SHORTS_RESOLUTION: '108x192',
  CLIPMILL_SHORTS_CAPTION_STYLE: 'line',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
};

/** Three sentences, three 2.2 s bursts of a 440 Hz "voice" with 0.6 s pauses between them (beats last 2 s at least). */
const TRANSCRIPT = 'I saw a red car. The sea at night. A quiet forest.';
const VOICE = "aevalsrc='if(lt(mod(t,2.8),2.2),0.5*sin(2*PI*440*t),0)':s=44100:d=8.4";

/** Mean level (dB) of the music's band (220 Hz) of `file` between `from` and `to` seconds. */
async function musicLevel(ffmpeg: string, file: string, from: number, to: number): Promise<number> {
  const band = 'bandpass=f=220:width_type=h:w=30';
  const r = await execa(ffmpeg, ['-hide_banner', '-nostdin', '-ss', String(from), '-t', String(to - from), '-i', file, '-vn', '-af', `${band},${band},${band},volumedetect`, '-f', 'null', '-']);
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr);
  assert.ok(m, r.stderr);
  return m[1] === '-inf' ? -200 : Number(m[1]);
}

test('audio + transcript dropped in raw/short/ -> a verified captioned vertical short whose beats show what is said; music ducked >= 12 dB under the words', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const { ffmpeg, ffprobe } = await binaries();
  const ff = (args: string[]) => execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  const put = async (rel: string, make: (p: string) => Promise<unknown>, sidecar?: unknown) => {
    const staged = join(stage, rel.replaceAll('/', '_'));
    await make(staged);
    await mkdir(dirname(join(root, rel)), { recursive: true });
    if (sidecar) await writeFile(join(root, `${rel}.json`), JSON.stringify(sidecar));
    await rename(staged, join(root, rel));
  };
  const still = (color: string) => (p: string) => ff(['-f', 'lavfi', '-i', `color=c=${color}:s=64x48`, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', p]);
  await put('raw/image/city/car.png', still('red'), { tags: ['Red Car'] });
  await put('raw/image/city/sea.png', still('navy'), { tags: ['sea', 'night'] });
  await put('raw/image/city/other.png', still('gray'), { tags: ['desk'] });
  await put('raw/video/city/woods.mp4', (p) => makeClip(ffmpeg.path, p, { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 1.5 }), { tags: ['forest'] });
  await put('raw/music/city/bed.mp3', (p) => ff(['-f', 'lavfi', '-i', 'sine=f=220:d=10', '-c:a', 'libmp3lame', '-f', 'mp3', p]));
  const name = 'my "first" short ü.wav';
  await put(`raw/short/city/${name}`, (p) => ff(['-f', 'lavfi', '-i', VOICE, '-c:a', 'pcm_s16le', '-f', 'wav', p]), { transcript: TRANSCRIPT, tags: ['promo'] });
  // No transcript and no provider: it waits, and says why.
  await put('raw/short/city/untold.mp3', (p) => ff(['-f', 'lavfi', '-i', VOICE, '-c:a', 'libmp3lame', '-f', 'mp3', p]));
  // Not audio: rejected with a reason.
  await put('raw/short/city/notes.m4a', (p) => writeFile(p, 'not audio at all\n'));

  const main = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  const reason = JSON.parse(await readFile(join(root, 'trash/invalid/short/city/notes.m4a.reason.json'), 'utf8')) as { code: string; message: string };
  assert.equal(reason.code, 'PROBE_FAILED', reason.message);
  assert.match(reason.message, /moov atom not found|Invalid data/);
  // Each drop is filed as <uuid>_<name>: a short of its own.
  const filedNames = await readdir(join(root, 'scanned/short/city'));
  const filed = filedNames.find((n) => n.endsWith(`_${name}`))!;
  const untold = filedNames.find((n) => n.endsWith('_untold.mp3'))!;
  assert.match(filed ?? '', /^[0-9a-f-]{36}_/, filedNames.join(', '));
  assert.ok(filedNames.includes(`${filed}.words.json`), 'the transcript was aligned into word timings');
  const words = WordsFileSchema.parse(JSON.parse(await readFile(join(root, 'scanned/short/city', `${filed}.words.json`), 'utf8')));
  assert.equal(words.source, 'transcript');
  assert.equal(words.words.length, 12);

  const tasks = await visible(join(root, 'tasks'));
  assert.equal(tasks.length, 1);
  const meta = parseMetadata(await readFile(join(root, 'tasks', tasks[0]!, 'metadata.json'), 'utf8'));
  assert.equal(meta.short?.key, `short/city/${filed}`);
  assert.equal(meta.timeline!.output.width, 108);
  assert.equal(meta.timeline!.output.height, 192);
  // The scenes follow the words: each sentence's beat shows the asset tagged with what it says.
  const beats = meta.short!.beats;
  assert.equal(beats.length, 3, JSON.stringify(beats));
  assert.deepEqual(beats.map((b) => b.matched), [['red car'], ['sea', 'night'], ['forest']]);
  assert.match(beats[2]!.visual, /^scanned\/video\/city\//);
  assert.ok(meta.timeline!.layers.some((l) => l.type === 'captions'));

  let status = JSON.parse((await cli(['status', '--root', root, '--json'])).stdout) as { shorts: { key: string; stage: string; waiting?: string }[] };
  const byKey = (k: string) => status.shorts.find((s) => s.key === k)!;
  assert.deepEqual(status.shorts.map((s) => [s.key, s.stage]).sort(), [[`short/city/${filed}`, 'compiling'], [`short/city/${untold}`, 'transcribing']].sort());
  assert.match(byKey(`short/city/${untold}`).waiting!, /no transcript/);

  const render = await cli(['render-worker', '--once', '--root', root], ENV);
  assert.equal(render.exitCode, 0, render.stderr);
  const out = join(root, 'output', meta.task_id, 'final.mp4');
  const info = await probe(ffprobe.path, out);
  assert.equal(info.video?.width, 108);
  assert.equal(info.video?.height, 192);
  assert.ok(info.audio);
  assert.ok(Math.abs(info.video!.duration! - meta.timeline!.output.duration) <= 1 / 30 + 1e-3);
  status = JSON.parse((await cli(['status', '--root', root, '--json'])).stdout) as typeof status;
  assert.equal(byKey(`short/city/${filed}`).stage, 'completed');
  const text = (await cli(['status', '--root', root])).stdout;
  assert.match(text, /short\/city\/[0-9a-f-]{36}_untold\.mp3: transcribing, waiting: no transcript/);

  // Ducking, measured: the music's band while words are spoken vs in the pauses between sentences.
  const spoken: number[] = [];
  const pauses: number[] = [];
  for (const w of words.words) if (w.end - w.start >= 0.2) spoken.push(await musicLevel(ffmpeg.path, out, w.start + 0.05, w.end - 0.05));
  for (let i = 0; i + 1 < words.words.length; i++) {
    const [a, b] = [words.words[i]!, words.words[i + 1]!];
    if (b.start - a.end >= 0.45) pauses.push(await musicLevel(ffmpeg.path, out, a.end + 0.15, b.start - 0.1));
  }
  assert.ok(spoken.length >= 3 && pauses.length >= 2, `${spoken.length} word windows, ${pauses.length} pauses`);
  const loudestSpoken = Math.max(...spoken);
  const quietestPause = Math.min(...pauses);
  assert.ok(quietestPause - loudestSpoken >= 12, `music ${quietestPause} dB in the pauses, ${loudestSpoken} dB under words`);

  // Planned once ever: a second run publishes nothing.
  assert.equal((await cli(['main-worker', '--once', '--root', root], ENV)).exitCode, 0);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
});

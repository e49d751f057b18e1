// `clipmill edit`: revision N of a finished task queued as a new task and rendered, the
// original's output untouched; revisions/<id>.json; --undo; wrong usage. The task is a tiny
// colour video with a logo, a voice and music, rendered in process.
import assert from 'node:assert/strict';
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { RenderWorker } from '../../../src/render-worker/index.js';
import { makeLogo, makeTone } from '../../../src/shared/media/generate.js';
import { RevisionsFileSchema, revisionId } from '../../../src/shared/protocol/edit.js';
import { readMetadata } from '../../../src/shared/protocol/task-files.js';
import { TimelineSchema } from '../../../src/shared/timeline/schema.js';
import { binaries, sha256, visible } from '../../helpers.js';
import { colorMeta } from '../../render-worker/color-task.js';
import { workerEnv } from '../../render-worker/env.js';
import { ID } from '../../shared/protocol/fixture.js';
import { runInProcess } from '../in-process.js';

const QUIET = { CLIPMILL_LOG_LEVEL: 'fatal' };

/** The colour of the first frame's centre: [r, g, b]. */
async function firstColor(video: string): Promise<number[]> {
  const r = await execa((await binaries()).ffmpeg.path, ['-v', 'error', '-i', video, '-frames:v', '1', '-vf', 'crop=2:2,format=rgb24', '-f', 'rawvideo', '-'], { encoding: 'buffer' });
  return [...Buffer.from(r.stdout).subarray(0, 3)];
}

test('edit: revision 1 queued and rendered (the original untouched), a revision of the revision, --undo twice, then nothing to undo', async (t) => {
  const env = await workerEnv(t, 0, { tasks: { retryBaseMs: 20 } });
  const { ffmpeg } = await binaries();
  const dir = env.layout.task(ID(1));
  await mkdir(dir, { recursive: true });
  await makeLogo(ffmpeg.path, join(dir, 'logo.png'), 32);
  await makeTone(ffmpeg.path, join(dir, 'voice.mp3'), { seconds: 3, freqs: [440] });
  await makeTone(ffmpeg.path, join(dir, 'music.mp3'), { seconds: 2, freqs: [220] });
  const timeline = TimelineSchema.parse({
    output: { width: 160, height: 90, fps: 30, duration: 3 },
    video: [
      { type: 'color', color: 'red', duration: 1 },
      { type: 'color', color: 'green', duration: 1 },
      { type: 'color', color: 'blue', duration: 1 },
    ],
    layers: [{ type: 'image', file: 'logo.png', scale: 0.2 }],
    audio: [{ file: 'voice.mp3', duration: 3 }, { file: 'music.mp3', volume: 0.25, loop: true }],
  });
  const base = colorMeta(ID(1), { timeline, voice_duration: 3, render: { resolution: '160x90', frame_rate: 30, fit: 'pad', logo: 'logo.png', logo_width: 0.2, output_format: 'mp4' } });
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(base));
  // A voice in scanned/ to swap in.
  const other = 'scanned/story/c/s/voice/chapter_0002.mp3';
  await mkdir(dirname(env.layout.abs(other)), { recursive: true });
  await makeTone(ffmpeg.path, env.layout.abs(other), { seconds: 2, freqs: [660] });
  assert.equal((await new RenderWorker(env).runOnce()).done, 1);
  const originalFinal = join(env.layout.outputTask(ID(1)), 'final.mp4');
  const originalHash = await sha256(originalFinal);
  const root = env.layout.root;

  // Not finished yet / wrong usage: exit 2, the reason on one line.
  const err = (m: string) => `clipmill edit: error: ${m} [USAGE]\n`;
  assert.deepEqual(await runInProcess(['edit', '--root', root, ID(2), '--no-music'], QUIET), { exitCode: 2, stdout: '', stderr: err(`no finished task ${ID(2)} in output/`) });
  assert.deepEqual(await runInProcess(['edit', '--root', root, ID(1)], QUIET), { exitCode: 2, stdout: '', stderr: err('nothing to change: give at least one of --music-volume, --no-music, --logo-position, --logo-scale, --logo-animation, --order, --voice (or --undo)') });
  assert.equal((await runInProcess(['edit', '--root', root, ID(1), '--order', '1,1,2'], QUIET)).exitCode, 2);
  assert.equal((await runInProcess(['edit', '--root', root, ID(1), '--music-volume', 'loud'], QUIET)).exitCode, 2);
  assert.equal((await runInProcess(['edit', '--root', root, ID(1), '--undo'], QUIET)).stderr, err(`task ${ID(1)} has no revisions (revisions/${ID(1)}.json): nothing to undo`));

  const r1 = await runInProcess(['edit', '--root', root, ID(1), '--music-volume', '0.5', '--logo-position', 'right,bottom', '--logo-animation', 'fade', '--order', '3,1,2'], QUIET);
  const rev1 = revisionId(ID(1), 1);
  assert.deepEqual(r1, { exitCode: 0, stdout: `${rev1} revision 1\n`, stderr: '' });
  const m1 = await readMetadata(env.layout.task(rev1));
  assert.deepEqual([m1.revision_of, m1.revision, m1.attempts, m1.timeline?.audio[1]?.volume, m1.timeline?.layers[0]], [ID(1), 1, 0, 0.5, { ...timeline.layers[0]!, position: 'bottom-right', animation: 'fade' }]);
  assert.equal(await readlink(join(env.layout.task(rev1), 'voice.mp3')).catch(() => 'copied'), 'copied', 'files copied as they were');
  assert.equal((await new RenderWorker(env).runOnce()).done, 1);
  const [r, g, b] = await firstColor(join(env.layout.outputTask(rev1), 'final.mp4'));
  assert.ok(b! > 150 && r! < 80 && g! < 80, `revision 1 starts with the third segment (blue): ${[r, g, b]}`);
  assert.equal(await sha256(originalFinal), originalHash, 'the published original is not modified');

  // A revision of the revision, with another voice: from 1, numbered 2.
  const r2 = await runInProcess(['edit', '--root', root, rev1, '--no-music', '--voice', other], QUIET);
  const rev2 = revisionId(ID(1), 2);
  assert.deepEqual(r2, { exitCode: 0, stdout: `${rev2} revision 2\n`, stderr: '' });
  const m2 = await readMetadata(env.layout.task(rev2));
  assert.deepEqual([m2.revision_of, m2.revision, m2.voice_source, Math.round(m2.timeline!.output.duration * 10) / 10, m2.timeline?.audio.map((a) => a.file)], [ID(1), 2, other, 2, ['voice.mp3']]);
  assert.equal(m2.voice_duration, m2.timeline!.output.duration);
  assert.equal(await readlink(join(env.layout.task(rev2), 'voice.mp3')), `../../${other}`);
  const revisions = RevisionsFileSchema.parse(JSON.parse(await readFile(env.layout.revisionsFile(ID(1)), 'utf8')));
  assert.equal(revisions.current, 2);
  assert.deepEqual(revisions.revisions.map((x) => [x.revision, x.task_id, x.from ?? null]), [[0, ID(1), null], [1, rev1, 0], [2, rev2, 1]]);
  assert.deepEqual(revisions.revisions[1]!.changes, ['music volume 0.25 → 0.5', 'logo position top-left → bottom-right', 'logo animation none → fade', 'video order 1,2,3 → 3,1,2']);
  assert.equal(revisions.revisions[2]!.changes[0], 'music removed');
  assert.match(revisions.revisions[2]!.changes[1]!, /^voice scanned\/story\/fantasy\/dragon_flight\/voice\/chapter_0001\.mp3 → scanned\/story\/c\/s\/voice\/chapter_0002\.mp3 \(3 s → 2\.0\d* s\)$/);
  assert.ok(revisions.revisions[1]!.by && revisions.revisions[1]!.by === revisions.history[0]!.by, 'who: the OS user');

  // Undo: current goes back, nothing rendered, nothing removed.
  assert.deepEqual(await runInProcess(['edit', '--root', root, rev2, '--undo'], QUIET), { exitCode: 0, stdout: `${rev1} revision 1 current\n`, stderr: '' });
  assert.deepEqual(await runInProcess(['edit', '--root', root, ID(1), '--undo'], QUIET), { exitCode: 0, stdout: `${ID(1)} revision 0 current\n`, stderr: '' });
  assert.equal((await runInProcess(['edit', '--root', root, ID(1), '--undo'], QUIET)).stderr, err(`revision 0 of ${ID(1)} is the first: nothing to undo`));
  const after = RevisionsFileSchema.parse(JSON.parse(await readFile(env.layout.revisionsFile(ID(1)), 'utf8')));
  assert.deepEqual(after.history.map((h) => [h.action, h.current]), [['edit', 1], ['edit', 2], ['undo', 1], ['undo', 0]]);
  assert.deepEqual(await visible(env.layout.tasks), [rev2], 'revision 2 still queued');
  assert.deepEqual(await visible(env.layout.output), [ID(1), rev1].sort());
  assert.deepEqual(await visible(env.layout.revisions), [`${ID(1)}.json`], 'no lock or temporary left in sight');
});

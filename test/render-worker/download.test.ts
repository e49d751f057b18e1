// Tampered task folders: every path in metadata.json is untrusted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { downloadInputs, resolveInputs } from '../../src/render-worker/download.js';
import { prepare } from '../../src/render-worker/prepare.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { claimNext } from '../../src/shared/protocol/claim.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import type { TaskMetadata } from '../../src/shared/task.js';
import { voiceOverTimeline } from '../../src/shared/timeline/from-metadata.js';
import { workerEnv } from './env.js';

async function taskWith(t: Parameters<typeof workerEnv>[0], edit: (meta: TaskMetadata, dir: string, root: string) => Promise<TaskMetadata>) {
  const env = await workerEnv(t, 1);
  const root = env.layout.root;
  await mkdir(join(root, 'scanned/video/c/mp4_w160_h90'), { recursive: true });
  await writeFile(join(root, 'scanned/video/c/mp4_w160_h90/1.0_clip.mp4'), 'clip');
  await writeFile(join(root, 'scanned/voice.mp3'), 'voice');
  const id = (await claimNext(env.layout, env.node))!;
  const dir = env.layout.processingTask(id);
  await symlink('../../scanned/voice.mp3', join(dir, 'voice.mp3'));
  const base = { ...(await readMetadata(dir)), voice_duration: 1, music_file: null, music_source: null, music_duration: null, render: { ...(await readMetadata(dir)).render, logo: null }, video_files: [{ path: 'scanned/video/c/mp4_w160_h90/1.0_clip.mp4', duration: 1, in: 0, out: 1 }] };
  const edited = await edit(base, dir, root);
  // The timeline is made of the edited fields, as a tampering planner would write it.
  const meta = { ...edited, timeline: voiceOverTimeline(edited) };
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(meta));
  return { env, id, dir, meta };
}

test('an untampered task resolves and downloads', async (t) => {
  const { env, dir, meta } = await taskWith(t, async (m) => m);
  const scratch = join(env.scratch, 'x');
  const d = await downloadInputs(await resolveInputs(env.layout, dir, meta), scratch);
  // Every timeline file copied under a name of the worker's own, extension kept.
  assert.deepEqual([...d.inputs.paths], [
    ['scanned/video/c/mp4_w160_h90/1.0_clip.mp4', join(scratch, 'in/0001.mp4')],
    ['voice.mp3', join(scratch, 'in/0002.mp3')],
  ]);
  assert.equal(await readFile(d.inputs.paths.get('voice.mp3')!, 'utf8'), 'voice');
  assert.equal(d.bytes, 9);
});

test('a job source\'s sound: its kept original (scanned/video/<c>/original/) is copied like every timeline file, extension kept', async (t) => {
  const { env, dir, meta } = await taskWith(t, async (m) => m);
  const root = env.layout.root;
  await mkdir(join(root, 'scanned/video/c/original'), { recursive: true });
  await writeFile(join(root, 'scanned/video/c/original/x y.mkv'), 'original');
  const tl = meta.timeline!;
  const withSound = { ...meta, timeline: { ...tl, audio: [{ ...tl.audio[0]!, file: 'scanned/video/c/original/x y.mkv', in: 0, out: 1 }, ...tl.audio] } };
  const d = await downloadInputs(await resolveInputs(env.layout, dir, withSound), join(env.scratch, 'y'));
  assert.equal(d.inputs.paths.get('scanned/video/c/original/x y.mkv'), join(env.scratch, 'y', 'in/0002.mkv'));
  assert.equal(await readFile(d.inputs.paths.get('scanned/video/c/original/x y.mkv')!, 'utf8'), 'original');
});

test('paths outside the root, links out of it and FIFOs are refused as TASK_INVALID before anything is opened', async (t) => {
  const cases: [string, (m: TaskMetadata, dir: string, root: string) => Promise<TaskMetadata>, RegExp][] = [
    ['a clip path up to /etc/passwd', async (m) => ({ ...m, video_files: [{ path: '../../../../etc/passwd', duration: 1, in: 0, out: 1 }] }), /timeline file \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd .* outside/],
    ['a clip outside the root', async (m, _d, root) => {
      const outside = `${root}-outside`;
      t.after(() => rm(outside, { recursive: true, force: true }));
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, 'valid.mp4'), 'x');
      return { ...m, video_files: [{ path: `../${basename(outside)}/valid.mp4`, duration: 1, in: 0, out: 1 }] };
    }, /outside/],
    ['voice.mp3 relinked out of the root', async (m, dir) => {
      await rm(join(dir, 'voice.mp3'));
      await symlink('/etc/hostname', join(dir, 'voice.mp3'));
      return m;
    }, /timeline file voice\.mp3 resolves to .* outside/],
    ['voice.mp3 as a FIFO', async (m, dir) => {
      await rm(join(dir, 'voice.mp3'));
      execFileSync('mkfifo', [join(dir, 'voice.mp3')]);
      return m;
    }, /timeline file voice\.mp3 is not a regular file \(a FIFO\)/],
  ];
  for (const [name, edit, re] of cases) {
    const { env, dir, meta, id } = await taskWith(t, edit);
    await assert.rejects(resolveInputs(env.layout, dir, meta), (e: unknown) => isClipmillError(e, 'TASK_INVALID') && re.test(e.message), name);
    // Through the worker's stage: the task fails at claim, nothing copied.
    assert.equal(await prepare(env, id), 'failed', name);
    const error = JSON.parse(await readFile(join(env.layout.failedTask(id), 'error.json'), 'utf8')) as { code: string; stage: string };
    assert.deepEqual([error.code, error.stage], ['TASK_INVALID', 'claim'], name);
  }
});

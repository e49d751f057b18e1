// Fault: a worker that loses a task it downloaded ahead (issue "faults", item 11). Its claim is
// taken over while it renders the task before: it renders nothing it does not own, counts the
// task as abandoned (not failed), and leaves the folder exactly as the new owner has it.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { RenderWorker } from '../../src/render-worker/index.js';
import { plainCopy } from '../../src/render-worker/download.js';
import { encoderSpec } from '../../src/shared/media/encoders.js';
import { Layout } from '../../src/shared/layout.js';
import { exists } from '../../src/shared/fs.js';
import { FIXTURES } from '../media.js';
import { binaries, cli, tempDir, testConfig, visible } from '../helpers.js';
import { quietLog } from '../shared/protocol/fixture.js';

test('a task downloaded ahead whose claim is taken over meanwhile is abandoned, not rendered, not failed', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  for (const d of ['raw/video/c', 'raw/music/c', 'raw/story/c/s1/voice', 'raw/story/c/s2/voice']) await mkdir(join(root, d), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 1.5);
  await FIXTURES.musicMp3(join(root, 'raw/music/c/m.mp3'));
  await FIXTURES.voice(join(dir, 'v.mp3'), 1.2);
  for (const s of ['s1', 's2']) await copyFile(join(dir, 'v.mp3'), join(root, `raw/story/c/${s}/voice/chapter_0001.mp3`));
  const env = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_TASKS_VARIATIONS_PER_VOICE: '1' };
  assert.equal((await cli(['main-worker', '--once', '--root', root], env)).exitCode, 0);
  assert.equal((await visible(join(root, 'tasks'))).length, 2);

  const layout = new Layout(root);
  const config = testConfig({ render: { resolution: '160x90', encoders: ['libx264'], prefetch: 1, scratchDir: join(dir, 'scratch') }, disk: { minFreeMb: 0 } });
  const seen: string[] = [];
  let tampered: string | null = null;
  // The download of the second task is where its claim is taken over (recovered, claimed again).
  const copy = async (src: string, dst: string, signal?: AbortSignal) => {
    const rel = relative(join(dir, 'scratch'), dst).split(sep);
    const id = rel[1];
    if (id && rel.length > 2 && !seen.includes(id)) seen.push(id);
    if (id && seen.length === 2 && id === seen[1] && !tampered) {
      tampered = id;
      await writeFile(join(layout.processingTask(id), 'claim.json'), JSON.stringify({ task_id: id, node: 'other-node', pid: 4242, claimed_at: new Date().toISOString() }));
    }
    await plainCopy(src, dst, signal);
  };
  const worker = new RenderWorker({ config, layout, log: quietLog, bins: await binaries(), encoder: encoderSpec('libx264', config), node: 'n1', copy });
  const totals = await worker.runOnce();
  assert.ok(tampered, 'the second task was downloaded ahead');
  assert.deepEqual([totals.done, totals.abandoned, totals.failed, totals.handedBack], [1, 1, 0, 0]);
  assert.deepEqual(await visible(layout.output), [seen[0]]);
  assert.deepEqual(await visible(layout.processing), [tampered], 'left where the new owner has it');
  assert.deepEqual((await readdir(layout.processingTask(tampered))).filter((n) => n === 'final.mp4' || n === 'error.json'), [], 'nothing rendered, nothing failed');
  assert.ok(await exists(layout.leaseLock(tampered)), 'the lease folder is not removed (it may be the new owner\'s)');
  const claim = JSON.parse(await readFile(join(layout.processingTask(tampered), 'claim.json'), 'utf8')) as { node: string };
  assert.equal(claim.node, 'other-node', 'the new owner\'s claim untouched');
  assert.deepEqual(await visible(layout.trashFailed), []);
  const hb = JSON.parse(await readFile(layout.heartbeat('n1'), 'utf8')) as { counters: Record<string, number> };
  assert.equal(hb.counters.abandoned, 1);
});

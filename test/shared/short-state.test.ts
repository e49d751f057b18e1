// shorts/<task id>.json: read back through its schema (a corrupt one left out), and a short at
// "compiling" reported completed or failed from its task's folders.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Layout } from '../../src/shared/layout.js';
import { writeJson } from '../../src/shared/json.js';
import { readShortStates, shortProgress, ShortStateSchema, type ShortState } from '../../src/shared/short-state.js';
import { tempDir } from '../helpers.js';

const state = (key: string, task: string): ShortState => ({ schema_version: 1, key, audio: `scanned/short/${key}`, task_id: task, stage: 'compiling', updated_at: '2026-01-01T00:00:00Z', history: [{ stage: 'uploaded', at: '2026-01-01T00:00:00Z' }, { stage: 'compiling', at: '2026-01-01T00:00:00Z' }] });
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

test('readShortStates and shortProgress: by key; compiling becomes completed or failed from the task folders', async (t) => {
  const layout = new Layout(await tempDir(t));
  await writeJson(ShortStateSchema, layout.shortState(B), state('short/b/x.wav', B));
  await writeJson(ShortStateSchema, layout.shortState(A), state('short/a/x.wav', A));
  await writeJson(ShortStateSchema, layout.shortState(C), state('short/c/x.wav', C));
  await writeFile(join(layout.shorts, 'broken.json'), '{');
  await writeFile(join(layout.shorts, '.tmp.json'), '{}');
  const all = await readShortStates(layout);
  assert.deepEqual(all.map((s) => s.key), ['short/a/x.wav', 'short/b/x.wav', 'short/c/x.wav']);
  await mkdir(layout.outputTask(A), { recursive: true });
  await writeFile(join(layout.outputTask(A), 'final.mp4'), '');
  await mkdir(layout.failedTask(B), { recursive: true });
  await writeFile(join(layout.failedTask(B), 'error.json'), JSON.stringify({ code: 'RENDER_FAILED', message: 'ffmpeg exited 1' }));
  const [a, b, c] = await Promise.all(all.map((s) => shortProgress(layout, s)));
  assert.equal(a!.stage, 'completed');
  assert.deepEqual([b!.stage, b!.failed], ['failed', { stage: 'compiling', code: 'RENDER_FAILED', message: 'ffmpeg exited 1' }]);
  assert.equal(c!.stage, 'compiling');
  assert.deepEqual(await readShortStates(new Layout(join(layout.root, 'none'))), []);
});

test('shortProgress: a failed task retried is compiling again; the latest failure gives the reason; a cancelled task fails as "cancelled"; a short without a task is what its file says', async (t) => {
  const layout = new Layout(await tempDir(t));
  const failed = (key: string, task: string): ShortState => ({ ...state(key, task), stage: 'failed', failed: { stage: 'compiling', code: 'RENDER_FAILED', message: 'old' } });
  // Retried: back in tasks/ (or claimed, in processing/).
  await mkdir(layout.task(A), { recursive: true });
  const a = await shortProgress(layout, failed('short/a/x.wav', A));
  assert.equal(a.stage, 'compiling');
  assert.equal(a.failed, undefined);
  await mkdir(layout.processingTask(B), { recursive: true });
  assert.equal((await shortProgress(layout, failed('short/b/x.wav', B))).stage, 'compiling');
  // Failed twice: trash/failed/<id> and <id>.2, the latest one's error.
  await mkdir(layout.failedTask(C), { recursive: true });
  await mkdir(`${layout.failedTask(C)}.2`, { recursive: true });
  await writeFile(join(`${layout.failedTask(C)}.2`, 'error.json'), JSON.stringify({ code: 'RENDER_TIMEOUT', message: 'again' }));
  assert.deepEqual((await shortProgress(layout, state('short/c/x.wav', C))).failed, { stage: 'compiling', code: 'RENDER_TIMEOUT', message: 'again' });
  const D = '44444444-4444-4444-8444-444444444444';
  await mkdir(join(layout.root, 'trash', 'cancelled', D), { recursive: true });
  const d = await shortProgress(layout, state('short/d/x.wav', D));
  assert.deepEqual([d.stage, d.failed], ['failed', { stage: 'compiling', code: 'CANCELLED', message: 'cancelled' }]);
  // No task yet: a task folder of the same id is not looked for.
  const waiting: ShortState = { ...state('short/a/x.wav', A), stage: 'transcribing', waiting: 'no transcript' };
  assert.deepEqual(await shortProgress(layout, waiting), waiting);
});

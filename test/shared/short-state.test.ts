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

// The task ledger: one entry per task ever published (tasks/.ledger/<id>.json), repaired from
// the task folders when an entry is missing, rebuilt from them when the whole ledger is.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { Ledger, type LedgerEntry } from '../../src/main-worker/ledger.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir } from '../helpers.js';

const U = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
const VOICE = 'scanned/story/c/s/voice/chapter_0001.mp3';

async function root(t: Parameters<typeof tempDir>[0]): Promise<Layout> {
  const dir = await tempDir(t);
  await initRoot(dir);
  return new Layout(dir);
}

/** A task folder with a metadata.json holding `meta` (or no metadata.json when null). */
async function taskFolder(dir: string, meta: Record<string, unknown> | null): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (meta) await writeFile(join(dir, 'metadata.json'), JSON.stringify(meta));
}

async function entry(layout: Layout, id: string): Promise<LedgerEntry> {
  return JSON.parse(await readFile(join(layout.ledger, `${id}.json`), 'utf8')) as LedgerEntry;
}

test('the ledger: an entry per task ever, rebuilt from task folders when lost', async (t) => {
  const layout = await root(t);
  await taskFolder(layout.outputTask(U(7)), { task_id: U(7), voice_source: VOICE, variation: 0, created_at: 'x' });
  const ledger = new Ledger(layout);
  assert.equal(await ledger.rebuildIfMissing(), 1);
  assert.equal(await ledger.rebuildIfMissing(), null, 'only when missing');
  assert.ok(await new Ledger(layout).has(U(7), { voice: 'v', variation: 0 }));
  assert.ok(!(await new Ledger(layout).has(U(8), { voice: 'v', variation: 1 })));
  await ledger.record({ task_id: U(8), voice: 'v', variation: 1, created_at: 'y' });
  assert.ok(await new Ledger(layout).has(U(8), { voice: 'v', variation: 1 }), 'an entry outlives its task folder');
  assert.deepEqual(await entry(layout, U(8)), { task_id: U(8), voice: 'v', variation: 1, created_at: 'y' });
});

test('has(): a task folder without its entry (a crash after publishing) is found and its entry written', async (t) => {
  const layout = await root(t);
  for (const [n, dir] of [[1, layout.task(U(1))], [2, layout.processingTask(U(2))], [3, layout.outputTask(U(3))], [4, layout.failedTask(U(4))]] as const) {
    await taskFolder(dir, null);
    assert.equal(await new Ledger(layout).has(U(n), { voice: VOICE, variation: n }), true, dir);
    const e = await entry(layout, U(n));
    assert.deepEqual({ ...e, created_at: '' }, { task_id: U(n), voice: VOICE, variation: n, created_at: '' });
    assert.ok(!Number.isNaN(Date.parse(e.created_at)), `created_at is a time: ${e.created_at}`);
  }
  // Once recorded, the entry alone says so, after the folder is gone.
  await rm(layout.outputTask(U(3)), { recursive: true });
  assert.equal(await new Ledger(layout).has(U(3), { voice: VOICE, variation: 3 }), true);
});

test('has(): a corrupt entry still says the task was published; an instance remembers what it has seen', async (t) => {
  const layout = await root(t);
  await mkdir(layout.ledger, { recursive: true });
  await writeFile(join(layout.ledger, `${U(1)}.json`), '{ not json');
  assert.equal(await new Ledger(layout).has(U(1), { voice: VOICE, variation: 0 }), true);
  const ledger = new Ledger(layout);
  await ledger.record({ task_id: U(2), voice: VOICE, variation: 0, created_at: '' });
  await rm(join(layout.ledger, `${U(2)}.json`));
  assert.equal(await ledger.has(U(2), { voice: VOICE, variation: 0 }), true, 'known to this instance');
  assert.equal(await new Ledger(layout).has(U(2), { voice: VOICE, variation: 0 }), false, 'a new instance reads the disk');
});

test('record(): the entry passes its schema before it is written; it makes the ledger folder', async (t) => {
  const layout = await root(t);
  await rm(layout.ledger, { recursive: true, force: true });
  const ledger = new Ledger(layout);
  await assert.rejects(ledger.record({ task_id: 'not-a-uuid', voice: VOICE, variation: 0, created_at: '' }), (err: unknown) => isClipmillError(err, 'IO') && /task_id/.test((err as Error).message));
  await assert.rejects(ledger.record({ task_id: U(1), voice: VOICE, variation: -1, created_at: '' }), (err: unknown) => isClipmillError(err, 'IO') && /variation/.test((err as Error).message));
  assert.equal(await new Ledger(layout).has(U(1), { voice: VOICE, variation: 0 }), false, 'nothing recorded');
  await ledger.record({ task_id: U(1), voice: VOICE, variation: 2, created_at: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(await readdir(layout.ledger), [`${U(1)}.json`], 'no temporary left beside it');
});

test('rebuildIfMissing(): every task folder that names its voice and variation, wherever it is; nothing else', async (t) => {
  const layout = await root(t);
  await rm(layout.ledger, { recursive: true, force: true });
  const meta = (n: number, over: Record<string, unknown> = {}) => ({ task_id: U(n), voice_source: `${VOICE}-${n}`, variation: n, created_at: `t${n}`, ...over });
  await taskFolder(layout.task(U(1)), meta(1));
  await taskFolder(layout.processingTask(U(2)), meta(2, { schema_version: 9, future_field: true }));
  await taskFolder(layout.outputTask(U(3)), meta(3, { created_at: undefined }));
  await taskFolder(layout.failedTask(U(4)), meta(4));
  // A task failed twice lands in trash/failed/<id>.2 the second time.
  await taskFolder(join(layout.trashFailed, `${U(5)}.2`), meta(5));
  // Not tasks the ledger can vouch for:
  await taskFolder(layout.outputTask(U(6)), null); // no metadata.json
  await taskFolder(layout.outputTask(U(7)), { task_id: U(7), variation: 0 }); // no voice
  await taskFolder(layout.outputTask(U(8)), meta(8, { task_id: 'nope' })); // no UUID for an entry
  await taskFolder(join(layout.output, 'not-a-task'), meta(9));
  await taskFolder(join(layout.tasks, `.tmp-${U(10)}-ab12cd34`), meta(10));
  assert.equal(await new Ledger(layout).rebuildIfMissing(), 5);
  assert.deepEqual((await readdir(layout.ledger)).sort(), [1, 2, 3, 4, 5].map((n) => `${U(n)}.json`));
  assert.deepEqual(await entry(layout, U(2)), { task_id: U(2), voice: `${VOICE}-2`, variation: 2, created_at: 't2' }, 'only the ledger\'s fields are kept');
  assert.deepEqual(await entry(layout, U(3)), { task_id: U(3), voice: `${VOICE}-3`, variation: 3, created_at: '' }, 'no created_at: empty');
  assert.deepEqual(await entry(layout, U(5)), { task_id: U(5), voice: `${VOICE}-5`, variation: 5, created_at: 't5' });
});

test('rebuildIfMissing(): a root without tasks gets an empty ledger folder, once', async (t) => {
  const layout = await root(t);
  await rm(layout.ledger, { recursive: true, force: true });
  assert.equal(await new Ledger(layout).rebuildIfMissing(), 0);
  assert.deepEqual(await readdir(layout.ledger), []);
  assert.equal(await new Ledger(layout).rebuildIfMissing(), null);
});

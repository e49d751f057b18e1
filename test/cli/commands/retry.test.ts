// `clipmill retry` and `clipmill requeue`: the protocol's retry and requeue by hand. Exit
// codes (0 done, 1 something refused, 2 wrong usage), what goes to stdout (one line per task
// done) and stderr, and the folders afterwards. Run in-process on roots built by the protocol
// fixture; the log lines of a refused retry are checked once through bin/clipmill.
import assert from 'node:assert/strict';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Layout } from '../../../src/shared/layout.js';
import { claimNext } from '../../../src/shared/protocol/claim.js';
import { cli, tempDir, visible } from '../../helpers.js';
import { runInProcess } from '../in-process.js';
import { ID, rootWithTasks, writeTaskFolder } from '../../shared/protocol/fixture.js';

const QUIET = { CLIPMILL_LOG_LEVEL: 'fatal' };

/** trash/failed/<name> for task `id`, as a failure leaves it: attempts used, error.json, stderr.log. */
async function failed(layout: Layout, id: string, name = id, attempts = 3): Promise<void> {
  const dir = join(layout.trashFailed, name);
  await writeTaskFolder(dir, id, attempts);
  await writeFile(join(dir, 'error.json'), JSON.stringify({ task_id: id, code: 'RENDER_FAILED', class: 'fatal', stage: 'render', message: 'boom', attempts, node: 'n1', encoder: 'libx264', failed_at: '2026-11-22T00:00:00.000Z' }));
  await writeFile(join(dir, 'stderr.log'), 'boom\n');
}

const attemptsOf = async (dir: string) => (JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { attempts: number }).attempts;

test('retry: wrong usage exits 2 with a one-line reason; no root exits 1', async (t) => {
  const layout = await rootWithTasks(t, 0);
  const root = layout.root;
  const err = (message: string, code = 'USAGE') => `clipmill retry: error: ${message} [${code}]\n`;
  assert.deepEqual(await runInProcess(['retry', '--root', root], QUIET), { exitCode: 2, stdout: '', stderr: err('missing <task_id> (or --all-failed)') });
  assert.deepEqual(await runInProcess(['retry', '--root', root, '--all-failed', ID(1)], QUIET), { exitCode: 2, stdout: '', stderr: err('give task ids or --all-failed, not both') });
  assert.deepEqual(await runInProcess(['retry', '--root', root, ID(1)], QUIET), { exitCode: 2, stdout: '', stderr: err(`no task ${ID(1)} in trash/failed/`) });
  assert.deepEqual(await runInProcess(['retry', '--all-failed'], QUIET), { exitCode: 1, stdout: '', stderr: err('no project root: pass --root <dir> or set CLIPMILL_ROOT', 'ROOT_MISSING') });
  const plain = await tempDir(t);
  assert.equal((await runInProcess(['retry', '--all-failed'], { ...QUIET, CLIPMILL_ROOT: plain })).exitCode, 1, 'not a root');
});

test('retry --all-failed with nothing failed says so, exit 0; names that are not task ids are ignored', async (t) => {
  const layout = await rootWithTasks(t, 0);
  await writeFile(join(layout.trashFailed, 'notes.txt'), 'operator notes');
  assert.deepEqual(await runInProcess(['retry', '--root', layout.root, '--all-failed'], QUIET), { exitCode: 0, stdout: 'nothing in trash/failed/\n', stderr: '' });
  assert.deepEqual(await readdir(layout.trashFailed), ['notes.txt']);
});

test('retry --all-failed: every failed task back in tasks/, attempts 0, its failure files gone; one id a line', async (t) => {
  const layout = await rootWithTasks(t, 0);
  await failed(layout, ID(1));
  await failed(layout, ID(2), ID(2), 1);
  const r = await runInProcess(['retry', '--root', layout.root, '--all-failed'], QUIET);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').sort(), ['', ID(1), ID(2)]);
  assert.deepEqual(await visible(layout.trashFailed), []);
  assert.deepEqual(await visible(layout.tasks), [ID(1), ID(2)]);
  for (const id of [ID(1), ID(2)]) {
    assert.deepEqual(await readdir(layout.task(id)), ['metadata.json'], 'error.json and stderr.log removed');
    assert.equal(await attemptsOf(layout.task(id)), 0);
  }
});

test('retry <id>: the latest failure of that id only, the id in any case', async (t) => {
  const layout = await rootWithTasks(t, 0);
  await failed(layout, ID(1));
  await failed(layout, ID(1), `${ID(1)}.2`);
  await failed(layout, ID(2));
  const r = await runInProcess(['retry', '--root', layout.root, ID(1).toUpperCase()], QUIET);
  assert.deepEqual(r, { exitCode: 0, stdout: `${ID(1)}\n`, stderr: '' });
  assert.deepEqual(await visible(layout.tasks), [ID(1)]);
  assert.deepEqual(await visible(layout.trashFailed), [ID(1), ID(2)], 'the earlier failure and the other task stay');
});

test('retry: a task whose id is already in tasks/ is refused (exit 1), the others still retried', async (t) => {
  const layout = await rootWithTasks(t, 0);
  await failed(layout, ID(1));
  await failed(layout, ID(1), `${ID(1)}.2`);
  await failed(layout, ID(2));
  assert.equal((await runInProcess(['retry', '--root', layout.root, ID(1)], QUIET)).exitCode, 0);
  // trash/failed/ now holds the first failure of ID(1), whose id is in tasks/, and ID(2).
  const r = await runInProcess(['retry', '--root', layout.root, '--all-failed'], QUIET);
  assert.deepEqual(r, { exitCode: 1, stdout: `${ID(2)}\n`, stderr: '' });
  assert.deepEqual(await visible(layout.trashFailed), [ID(1)]);
  assert.deepEqual(await visible(layout.tasks), [ID(1), ID(2)]);
  // Its log line says why (through bin/clipmill: the log goes to the process's stderr).
  const again = await cli(['retry', '--root', layout.root, ID(1)]);
  assert.equal(again.exitCode, 1);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, new RegExp(`ERROR cli "Retry of ${ID(1)} refused: task ${ID(1)} is already in tasks/${ID(1)}" task=${ID(1)}`));
});

test('retry: a failed task with a broken metadata.json is refused and left as it is', async (t) => {
  const layout = await rootWithTasks(t, 0);
  await failed(layout, ID(1));
  await writeFile(join(layout.failedTask(ID(1)), 'metadata.json'), '{ broken');
  const r = await runInProcess(['retry', '--root', layout.root, '--all-failed'], QUIET);
  assert.deepEqual(r, { exitCode: 1, stdout: '', stderr: '' });
  assert.deepEqual((await readdir(layout.failedTask(ID(1)))).sort(), ['error.json', 'metadata.json', 'stderr.log']);
  assert.deepEqual(await visible(layout.tasks), []);
});

test('requeue: wrong usage exits 2 (before the root is looked at); a task not in processing/ exits 1', async (t) => {
  const layout = await rootWithTasks(t, 1);
  assert.deepEqual(await runInProcess(['requeue'], QUIET), { exitCode: 2, stdout: '', stderr: 'clipmill requeue: error: missing <task_id> [USAGE]\n' });
  const typo = await runInProcess(['requeue', '--root', layout.root, '--forse', ID(1)], QUIET);
  assert.equal(typo.exitCode, 2);
  assert.match(typo.stderr, /^clipmill requeue: error: Unknown option '--forse'.*; see clipmill requeue --help \[USAGE\]\n$/);
  assert.deepEqual(await runInProcess(['requeue', '--root', layout.root, ID(1)], QUIET), { exitCode: 1, stdout: '', stderr: `clipmill requeue: ${ID(1)}: no task ${ID(1)} in processing/\n` });
  assert.deepEqual(await visible(layout.tasks), [ID(1)], 'a task in tasks/ is left alone');
});

test('requeue: a fresh claim is refused unless --force; a stale one goes back at once', async (t) => {
  const layout = await rootWithTasks(t, 2);
  const [a, b] = [(await claimNext(layout, 'n1'))!, (await claimNext(layout, 'n1'))!];
  const refused = await runInProcess(['requeue', '--root', layout.root, a], QUIET);
  assert.deepEqual(refused, { exitCode: 1, stdout: '', stderr: `clipmill requeue: ${a}: its lease is fresh: a worker is still on it (use --force only if you know that worker is dead)\n` });
  assert.deepEqual(await visible(layout.processing), [a, b].sort());
  // b's claim an hour old: stale with the default health.leaseStaleMs (30 s).
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(join(layout.processingTask(b), 'claim.json'), hourAgo, hourAgo);
  const both = await runInProcess(['requeue', '--root', layout.root, a, b.toUpperCase()], QUIET);
  assert.deepEqual(both, { exitCode: 1, stdout: `${b.toUpperCase()} back in tasks/\n`, stderr: `clipmill requeue: ${a}: its lease is fresh: a worker is still on it (use --force only if you know that worker is dead)\n` });
  const forced = await runInProcess(['requeue', '--root', layout.root, a, '--force'], QUIET);
  assert.deepEqual(forced, { exitCode: 0, stdout: `${a} back in tasks/\n`, stderr: '' });
  assert.deepEqual(await visible(layout.processing), []);
  assert.deepEqual(await visible(layout.tasks), [a, b].sort());
  // The dead claim used an attempt.
  for (const id of [a, b]) {
    assert.equal(await attemptsOf(layout.task(id)), 1);
    assert.deepEqual(await readdir(layout.task(id)), ['metadata.json'], 'claim.json gone');
  }
});

test('requeue: a task with its attempts spent goes to trash/failed/ (TOO_MANY_ATTEMPTS), exit 0', async (t) => {
  const layout = await rootWithTasks(t, 1, 3);
  const id = (await claimNext(layout, 'n1'))!;
  const r = await runInProcess(['requeue', '--root', layout.root, id, '--force'], { ...QUIET, CLIPMILL_TASKS_MAX_ATTEMPTS: '3' });
  assert.deepEqual(r, { exitCode: 0, stdout: `${id} moved to trash/failed/ (attempts spent)\n`, stderr: '' });
  assert.deepEqual(await visible(layout.processing), []);
  assert.deepEqual(await visible(layout.trashFailed), [id]);
  const error = JSON.parse(await readFile(join(layout.failedTask(id), 'error.json'), 'utf8')) as { code: string; stage: string; node: string };
  assert.deepEqual([error.code, error.stage, error.node], ['TOO_MANY_ATTEMPTS', 'claim', 'n1']);
});

// One main worker per root: the lock and nodes/main-worker.json, both at Layout's paths.
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { lockRoot } from '../../src/main-worker/root-lock.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { readJson, writeJson } from '../../src/shared/json.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { MainWorkerStatusSchema } from '../../src/shared/node-files.js';
import { tempDir } from '../helpers.js';

const log = createLogger({ format: 'line', level: 'fatal', out: process.stderr });

async function root(t: Parameters<typeof tempDir>[0]): Promise<Layout> {
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.nodes, { recursive: true });
  return layout;
}

test('the lock is layout.mainWorkerLock and its status file names this process', async (t) => {
  const layout = await root(t);
  const release = await lockRoot(layout, log);
  assert.ok((await stat(layout.mainWorkerLock)).isDirectory());
  const status = await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO');
  assert.deepEqual([status.host, status.pid], [hostname(), process.pid]);
  await release();
  await assert.rejects(stat(layout.mainWorkerLock), { code: 'ENOENT' });
});

test('a second holder is refused, naming the first from its status file', async (t) => {
  const layout = await root(t);
  await mkdir(layout.mainWorkerLock);
  await writeJson(MainWorkerStatusSchema, layout.mainWorkerStatus, { host: 'elsewhere', pid: 7, started_at: '2026-01-01T00:00:00Z' });
  await assert.rejects(lockRoot(layout, log), (err: unknown) => isClipmillError(err, 'MAIN_WORKER_RUNNING') && /\(pid 7 on elsewhere, since 2026-01-01T00:00:00Z\)/.test((err as Error).message));
});

test('a lock whose holder on this host is gone is taken over', async (t) => {
  const layout = await root(t);
  await mkdir(layout.mainWorkerLock);
  await writeJson(MainWorkerStatusSchema, layout.mainWorkerStatus, { host: hostname(), pid: 2 ** 22 + 12345, started_at: '2026-01-01T00:00:00Z' });
  const release = await lockRoot(layout, log);
  assert.equal((await readJson(MainWorkerStatusSchema, layout.mainWorkerStatus, 'IO')).pid, process.pid);
  await release();
});

test('a corrupt status file names no holder, and takes nothing over', async (t) => {
  const layout = await root(t);
  await mkdir(layout.mainWorkerLock);
  await writeFile(layout.mainWorkerStatus, JSON.stringify({ host: hostname(), pid: 'gone' }));
  await assert.rejects(lockRoot(layout, log), (err: unknown) => isClipmillError(err, 'MAIN_WORKER_RUNNING') && /holds .*; run one main worker per farm/.test((err as Error).message) && !/\(pid/.test((err as Error).message));
});

test('when the status file cannot be written the lock is released, never left behind', async (t) => {
  const layout = await root(t);
  await mkdir(layout.mainWorkerStatus); // a folder where the file goes: the rename onto it fails
  await assert.rejects(lockRoot(layout, log));
  assert.deepEqual((await readdir(layout.nodes)).filter((n) => n !== 'main-worker.json'), [], 'no lock, no temporary');
});

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { listRaw, StabilityTracker, type RawFile } from '../../src/main-worker/scan.js';
import { tempDir } from '../helpers.js';

const f = (path: string, size: number, mtimeMs: number): RawFile => ({ path, rel: path, size, mtimeMs });

test('a file is stable only after stableMs of unchanged size and mtime, on our clock', () => {
  const t = new StabilityTracker(1000);
  assert.deepEqual(t.observe([f('a', 10, 1)], 0).stable, []);
  assert.deepEqual(t.observe([f('a', 10, 1)], 999).stable, []);
  assert.deepEqual(t.observe([f('a', 10, 1)], 1000).stable.map((x) => x.path), ['a']);
  // A growing file starts over at every change.
  assert.deepEqual(t.observe([f('b', 10, 1)], 0).stable, []);
  assert.deepEqual(t.observe([f('b', 20, 2)], 1500).stable, []);
  assert.equal(t.nextDueIn(1500), 1000);
  assert.deepEqual(t.observe([f('b', 20, 2)], 2499).stable, []);
  assert.deepEqual(t.observe([f('b', 20, 2)], 2500).stable.map((x) => x.path), ['b']);
  // Even an old mtime does not count: the file server's clock may differ from ours.
  assert.deepEqual(new StabilityTracker(1000).observe([f('c', 1, 0)], 10_000_000).stable, []);
});

test('vanished files are forgotten; stableMs 0 takes files at once', () => {
  const t = new StabilityTracker(1000);
  t.observe([f('a', 1, 1)], 0);
  t.observe([], 500);
  assert.deepEqual(t.observe([f('a', 1, 1)], 1200).stable, [], 'the clock restarts for a file that came back');
  assert.deepEqual(new StabilityTracker(0).observe([f('a', 1, 1)], 0).stable.map((x) => x.path), ['a']);
});

test('listRaw skips hidden and temporary names, keeps hostile ones', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'video', 'cat'), { recursive: true });
  await mkdir(join(dir, '.hidden'), { recursive: true });
  for (const n of ["it's \"quoted\".mp4", '-rf.mp4', 'клип ✓.mp4', 'new\nline.mp4', '.partial.mp4', 'x.mp4.part']) await writeFile(join(dir, 'video', 'cat', n), 'x');
  await writeFile(join(dir, '.hidden', 'a.mp4'), 'x');
  const rels = (await listRaw(dir)).map((x) => x.rel);
  assert.deepEqual(rels.sort(), ['video/cat/-rf.mp4', "video/cat/it's \"quoted\".mp4", 'video/cat/new\nline.mp4', 'video/cat/клип ✓.mp4'].sort());
});

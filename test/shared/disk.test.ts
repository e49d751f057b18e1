// Free space, as the disk checks see it, and how sizes are printed in messages.
import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatBytes, freeBytes } from '../../src/shared/disk.js';
import { tempDir } from '../helpers.js';

test('formatBytes: KB below a MB (rounded), then MB and GB with one decimal', () => {
  assert.equal(formatBytes(0), '0KB');
  assert.equal(formatBytes(511), '0KB');
  assert.equal(formatBytes(512), '1KB');
  assert.equal(formatBytes(100 * 1024), '100KB');
  assert.equal(formatBytes(1024 ** 2), '1.0MB');
  assert.equal(formatBytes(1.25 * 1024 ** 2 + 1), '1.3MB');
  assert.equal(formatBytes(1000 * 1024 ** 2), '1000.0MB');
  assert.equal(formatBytes(1024 ** 3), '1.0GB');
  assert.equal(formatBytes(82.4 * 1024 ** 3), '82.4GB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3072.0GB');
});

test('freeBytes: the space available to this process, a whole number of blocks', async (t) => {
  const dir = await tempDir(t);
  const free = await freeBytes(dir);
  const { bsize, blocks } = await statfs(dir);
  assert.ok(Number.isSafeInteger(free) && free >= 0, String(free));
  assert.equal(free % bsize, 0);
  assert.ok(free <= blocks * bsize, 'no more than the file system holds');
  // A file's path gives its file system's figure; a missing path is an error, not 0.
  await assert.rejects(freeBytes(join(dir, 'missing')), { code: 'ENOENT' });
});

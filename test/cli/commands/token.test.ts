import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

test('clipmill token prints the token init made; --rotate replaces it; the file stays 0600', async (t) => {
  const root = join(await tempDir(t), 'r');
  assert.equal((await runInProcess(['init', root])).exitCode, 0);
  const first = await runInProcess(['token', '--root', root]);
  assert.equal(first.exitCode, 0);
  assert.match(first.stdout, /^[A-Za-z0-9_-]{43}\n$/);
  assert.equal((await runInProcess(['token', '--root', root])).stdout, first.stdout);
  const rotated = await runInProcess(['token', '--root', root, '--rotate']);
  assert.notEqual(rotated.stdout, first.stdout);
  assert.equal((await runInProcess(['token', '--root', root])).stdout, rotated.stdout);
  assert.equal((await stat(join(root, 'server', 'token.json'))).mode & 0o777, 0o600);
  assert.equal((await runInProcess(['token', '--root', join(root, 'nope')])).exitCode, 1);
});

import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { Layout } from '../../src/shared/layout.js';
import { ensureToken, readTokenFile, rotateToken, secretsEqual } from '../../src/shared/server-token.js';
import { tempDir, visible } from '../helpers.js';

test('the API token: made once with mode 0600 (folder 0700), kept by a second ensure, replaced by a rotation', async (t) => {
  const layout = new Layout(await tempDir(t));
  const first = await ensureToken(layout);
  assert.equal(first.created, true);
  assert.match(first.file.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await stat(layout.serverToken)).mode & 0o777, 0o600);
  assert.equal((await stat(dirname(layout.serverToken))).mode & 0o777, 0o700);
  const again = await ensureToken(layout);
  assert.equal(again.created, false);
  assert.equal(again.file.token, first.file.token);
  const rotated = await rotateToken(layout);
  assert.notEqual(rotated.token, first.file.token);
  assert.equal((await readTokenFile(layout)).token, rotated.token);
  assert.equal((await stat(layout.serverToken)).mode & 0o777, 0o600);
  assert.deepEqual(await visible(dirname(layout.serverToken)), ['token.json'], 'no temporary left');
});

test('secretsEqual: equal only for the same string, whatever the lengths', () => {
  assert.equal(secretsEqual('abc', 'abc'), true);
  assert.equal(secretsEqual('abc', 'abd'), false);
  assert.equal(secretsEqual('abc', 'abcd'), false);
  assert.equal(secretsEqual('', 'a'), false);
});

test('two ensures at once (two inits or serves): one token made, both get it, none replaced', async (t) => {
  const layout = new Layout(await tempDir(t));
  const all = await Promise.all([ensureToken(layout), ensureToken(layout), ensureToken(layout)]);
  assert.equal(all.filter((r) => r.created).length, 1);
  const token = (await readTokenFile(layout)).token;
  for (const r of all) assert.equal(r.file.token, token);
  assert.deepEqual(await visible(dirname(layout.serverToken)), ['token.json'], 'no temporary left');
});

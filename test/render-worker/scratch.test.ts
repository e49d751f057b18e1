import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanStaleScratch, diskOk, scratchBase, scratchRoot } from '../../src/render-worker/scratch.js';
import { visible, tempDir, testConfig } from '../helpers.js';
import { quietLog } from '../shared/protocol/fixture.js';

test('scratch: one folder per worker process; only this node\'s dead workers\' folders are removed', async (t) => {
  const base = await tempDir(t);
  const config = testConfig({ render: { scratchDir: base } });
  assert.equal(scratchBase(config), base);
  assert.equal(scratchRoot(config, 'gpu.0', 42), join(base, 'gpu.0-42'));
  for (const name of ['gpu.0-999999901', `gpu.0-${process.pid}`, 'gpu.0-1', 'gpux0-999999902', 'other-999999903']) await mkdir(join(base, name));
  // pid 1 is alive (init); the dots in the node id are literal, not regex wildcards.
  const removed = await cleanStaleScratch(config, 'gpu.0');
  assert.deepEqual(removed, [join(base, 'gpu.0-999999901')]);
  assert.deepEqual(await visible(base), ['gpu.0-1', `gpu.0-${process.pid}`, 'gpux0-999999902', 'other-999999903'].sort());
});

test('diskOk: false (and a WARN) when scratch or the root has less than disk.minFreeMb free', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await diskOk(testConfig({ disk: { minFreeMb: 0 } }), join(dir, 's'), dir, quietLog), true);
  assert.equal(await diskOk(testConfig({ disk: { minFreeMb: 1024 * 1024 * 1024 } }), join(dir, 's'), dir, quietLog), false);
});

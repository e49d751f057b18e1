import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, tempDir, visible } from '../../helpers.js';

const ENV = { CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0' };

test('render-worker --node-id names the worker (its heartbeat), over CLIPMILL_NODE_ID; a bad id is CONFIG_INVALID', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  const r = await cli(['render-worker', '--once', '--root', root, '--node-id', 'gpu1'], { ...ENV, CLIPMILL_NODE_ID: 'from-env' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await visible(join(root, 'nodes')), ['gpu1.json']);
  const hb = JSON.parse(await readFile(join(root, 'nodes', 'gpu1.json'), 'utf8')) as { node: string; state: string };
  assert.deepEqual([hb.node, hb.state], ['gpu1', 'stopped']);
  const bad = await cli(['render-worker', '--once', '--root', root, '--node-id', 'bad id'], ENV);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /node\.id .*"bad id".*\[CONFIG_INVALID\]/);
});

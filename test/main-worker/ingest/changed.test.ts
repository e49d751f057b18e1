import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { ingestFile } from '../../../src/main-worker/ingest/index.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import { FIXTURES } from '../../media.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';

test('a file rewritten or removed while it was checked is neither moved nor rejected', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(join(layout.raw, 'video/c'), { recursive: true });
  const ctx = { config: testConfig(), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: await binaries() };
  const good = join(layout.raw, 'video/c/a.mp4');
  await FIXTURES.clip(good, 1);
  const s = await stat(good);
  // What the scan saw is not what is there now: the operator rewrote it meanwhile.
  assert.deepEqual(await ingestFile(ctx, { path: good, rel: 'video/c/a.mp4', size: s.size - 1, mtimeMs: s.mtimeMs }), { status: 'changed' });
  const bad = join(layout.raw, 'video/c/b.mp4');
  await writeFile(bad, 'half a file');
  const b = await stat(bad);
  assert.deepEqual(await ingestFile(ctx, { path: bad, rel: 'video/c/b.mp4', size: b.size, mtimeMs: b.mtimeMs - 1000 }), { status: 'changed' });
  assert.deepEqual((await readdir(join(layout.raw, 'video/c'))).sort(), ['a.mp4', 'b.mp4']);
  assert.deepEqual(await readdir(layout.trashInvalid), []);
  assert.deepEqual(await ingestFile(ctx, { path: join(layout.raw, 'video/c/gone.mp4'), rel: 'video/c/gone.mp4', size: 5, mtimeMs: 1 }), { status: 'gone' });
});

// A generated still is filed like a dropped one: validated (a real PNG made by ffmpeg passes,
// bytes that only claim to be one are PROVIDER_INVALID and removed), its record tagged with the
// beat's keywords, the file in scanned/image/<category>/ and in the catalog.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { Catalog } from '../../../src/shared/catalog.js';
import { fileGenerated } from '../../../src/main-worker/shorts/generated.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { binaries } from '../../helpers.js';
import { ingestEnv } from '../ingest/env.js';

test('fileGenerated: a valid still is filed with its tags; an invalid one is refused and removed', async (t) => {
  const env = await ingestEnv(t);
  const { ffmpeg } = await binaries();
  const dir = join(env.layout.scanned, '.generating');
  await mkdir(dir, { recursive: true });
  const good = join(dir, '0f8fad5b-d9cb-469f-a165-708677289502.png');
  await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=32x48', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', good]);
  const catalog = new Catalog();
  const rel = await fileGenerated(env.ctx, catalog, good, 'city', ['red', 'car'], 'task-1');
  assert.equal(rel, 'scanned/image/city/32x48_0f8fad5b-d9cb-469f-a165-708677289502.png');
  const a = catalog.byId('0f8fad5b-d9cb-469f-a165-708677289502');
  assert.ok(a?.kind === 'image');
  assert.deepEqual(a.tags, ['red', 'car']);
  const bad = join(dir, '1f8fad5b-d9cb-469f-a165-708677289502.png');
  await writeFile(bad, 'not a picture');
  await assert.rejects(fileGenerated(env.ctx, catalog, bad, 'city', ['x'], 'task-2'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID');
  assert.deepEqual(await readdir(dir), []);
});

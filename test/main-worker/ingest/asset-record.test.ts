import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAssetRecord, writeAssetRecord } from '../../../src/main-worker/ingest/asset-record.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { readJson } from '../../../src/shared/json.js';
import { tempDir } from '../../helpers.js';

test('buildAssetRecord: the sidecar\'s facts and the kind\'s, nothing undefined', () => {
  const r = buildAssetRecord('narration', 'cars', 'raw/narration/cars/spring/part_0001.mp3', { tags: ['spring'], transcript: 'Hi' }, { id: 'cars/spring/part_0001', duration: 2, campaign: 'spring', part: 1, take: 1, width: undefined });
  assert.deepEqual({ ...r, filed_at: 'x' }, { schema_version: 1, kind: 'narration', id: 'cars/spring/part_0001', category: 'cars', raw_path: 'raw/narration/cars/spring/part_0001.mp3', filed_at: 'x', tags: ['spring'], transcript: 'Hi', duration: 2, campaign: 'spring', part: 1, take: 1 });
  assert.ok(AssetRecordSchema.safeParse(r).success);
  assert.deepEqual(buildAssetRecord('image', 'c', 'raw/image/c/a.png', null, { id: 'u', width: 2, height: 3 }).tags, []);
});

test('writeAssetRecord: written before the file; the record of a file already filed is kept', async (t) => {
  const dir = await tempDir(t);
  await mkdir(dir, { recursive: true });
  const dest = join(dir, 'a.png');
  const first = buildAssetRecord('image', 'c', 'raw/image/c/a.png', { tags: ['one'] }, { id: 'u', width: 2, height: 3 });
  assert.deepEqual(await writeAssetRecord(dest, first), first);
  // A crash before the rename: the record is written again (the file is not there yet).
  const again = { ...first, tags: ['two'] };
  assert.deepEqual(await writeAssetRecord(dest, again), again);
  await writeFile(dest, 'png');
  // The file is filed: its record is never rewritten (scanned/ is immutable).
  assert.deepEqual(await writeAssetRecord(dest, { ...first, tags: ['three'] }), again);
  assert.deepEqual((await readJson(AssetRecordSchema, `${dest}.json`, 'IO')).tags, ['two']);
});

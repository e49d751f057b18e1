import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssetRecordSchema, assetRecordPath, RawSidecarSchema } from '../../src/shared/assets.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { describeExpected, parseJson } from '../../src/shared/json.js';

const sidecar = (text: string) => parseJson(RawSidecarSchema, text, 'raw/video/c/x.mp4.json', 'SIDECAR_INVALID', describeExpected);
const refused = (re: RegExp) => (err: unknown) => isClipmillError(err, 'SIDECAR_INVALID') && re.test((err as Error).message);

test('raw sidecars: tags normalized; typo\'d keys and bad values named with the field', () => {
  assert.deepEqual(sidecar('{"tags": [" Spring", "RED car", "spring"], "priority": 3, "transcript": "Hi"}'), { tags: ['spring', 'red car'], priority: 3, transcript: 'Hi' });
  assert.deepEqual(sidecar('{}'), {});
  assert.throws(() => sidecar('{"tag": ["spring"]}'), refused(/^raw\/video\/c\/x\.mp4\.json: unknown key "tag"$/));
  assert.throws(() => sidecar('{"tags": "spring"}'), refused(/tags must be a list of tags, got "spring"/));
  assert.throws(() => sidecar('{"tags": ["ok", " "]}'), refused(/tags\[1\] must be a tag \(a non-empty string\)/));
  assert.throws(() => sidecar('{"priority": 1.5}'), refused(/priority must be an integer, got 1\.5/));
  assert.throws(() => sidecar('["spring"]'), refused(/must be an object such as \{"tags": \["spring"\]\}/));
  assert.throws(() => sidecar('{"tags": [}'), refused(/is not valid JSON/));
});

test('asset records: strict, beside their file', () => {
  assert.equal(assetRecordPath('/r/scanned/image/c/1x1_u.png'), '/r/scanned/image/c/1x1_u.png.json');
  const ok = { schema_version: 1, kind: 'image', id: 'u', category: 'c', raw_path: 'raw/image/c/a.png', filed_at: 'now', tags: [], width: 1, height: 1 };
  assert.ok(AssetRecordSchema.safeParse(ok).success);
  assert.ok(!AssetRecordSchema.safeParse({ ...ok, extra: 1 }).success);
  assert.ok(!AssetRecordSchema.safeParse({ ...ok, kind: 'job' }).success);
});

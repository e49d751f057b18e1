// listAssets: the catalog of scanned/ with sizes and tags, filtered by kind, category and tags,
// on a root written by hand (names and records).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAssets } from '../../../src/shared/reports/assets.js';
import { assetId as U, assetsRoot } from './fixture.js';

test('listAssets: every asset with kind, category, id, duration, size (bytes) and tags; filters', async (t) => {
  const layout = await assetsRoot(t);
  const list = await listAssets(layout);
  assert.deepEqual(list.map((a) => [a.kind, a.category, a.id, a.duration, a.size, a.tags]), [
    ['video', 'cars', U(1), 2.5, 1000, ['spring', 'red car']],
    ['video', 'cars', U(2), 3, 2000, []],
    ['music', 'upbeat', U(3), 65, 3 * 1024 * 1024, ['spring']],
    ['image', 'logos', U(4), null, 512, []],
    ['text', 'hooks', `${U(5)}#2`, null, 80, ['spring']],
    ['text', 'hooks', `${U(5)}#3`, null, 80, []],
    ['narration', 'cars', 'cars/spring/part_0001_2', 3.25, 4000, []],
  ]);
  assert.equal(list[4]!.text, 'عروض, "الربيع"');
  const pick = async (filter: Parameters<typeof listAssets>[1]) => (await listAssets(layout, filter)).map((a) => a.id);
  assert.deepEqual(await pick({ kind: 'video' }), [U(1), U(2)]);
  assert.deepEqual(await pick({ category: 'cars' }), [U(1), U(2), 'cars/spring/part_0001_2']);
  assert.deepEqual(await pick({ tags: ['spring'] }), [U(1), U(3), `${U(5)}#2`]);
  assert.deepEqual(await pick({ tags: ['spring', 'red car'] }), [U(1)]);
  assert.deepEqual(await pick({ kind: 'image', tags: ['spring'] }), []);
});

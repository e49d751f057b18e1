import assert from 'node:assert/strict';
import { test } from 'node:test';
import { narrationPartId, parseNarrationPartName, parseScannedImageName, parseScannedTextName, parseVersionedName, scannedImageName, versionedName } from '../../src/shared/asset-names.js';

const U = '0f8fad5b-d9cb-469f-a165-7086772895aa';

test('scanned still names: <W>x<H>_<uuid>.<png|jpg|webp>, both ways', () => {
  assert.equal(scannedImageName(1080, 1920, U, 'jpg'), `1080x1920_${U}.jpg`);
  assert.deepEqual(parseScannedImageName(`1080x1920_${U.toUpperCase()}.JPG`), { width: 1080, height: 1920, id: U, ext: 'jpg' });
  for (const bad of [`0x10_${U}.png`, `10x10_${U}.gif`, `10x10_${U}.png.json`, `10x10_not-a-uuid.png`, `${U}.png`]) assert.equal(parseScannedImageName(bad), null, bad);
});

test('scanned text names: <uuid>.<txt|csv>', () => {
  assert.deepEqual(parseScannedTextName(`${U}.csv`), { id: U, ext: 'csv' });
  assert.equal(parseScannedTextName(`${U}.csv.json`), null);
  assert.equal(parseScannedTextName('hooks.txt'), null);
});

test('narration part names: part_<NNNN>.mp3 is take 1, part_<NNNN>_<k>.mp3 take k >= 2', () => {
  assert.deepEqual(parseNarrationPartName('part_0001.mp3'), { part: 1, take: 1, version: 1 });
  assert.deepEqual(parseNarrationPartName('part_0012_3.mp3'), { part: 12, take: 3, version: 1 });
  assert.deepEqual(parseNarrationPartName('part_12345.mp3'), { part: 12345, take: 1, version: 1 });
  assert.deepEqual(parseNarrationPartName('part_0001.v2.mp3'), { part: 1, take: 1, version: 2 });
  assert.deepEqual(parseNarrationPartName('part_0012_3.v10.mp3'), { part: 12, take: 3, version: 10 });
  for (const bad of ['part_1.mp3', 'part_0000.mp3', 'part_0001_1.mp3', 'part_0001_0.mp3', 'part_0001.MP3', 'part_0001.mp3.json', 'chapter_0001.mp3', 'part_0001.v1.mp3', 'part_0001.v0.mp3', 'part_0001.v.mp3']) assert.equal(parseNarrationPartName(bad), null, bad);
  assert.equal(narrationPartId('cars', 'spring sale', 'part_0002_2.mp3'), 'cars/spring sale/part_0002_2');
});

test('versioned names: <name>.v<N>.mp3 is version N >= 2 of <name>.mp3', () => {
  assert.deepEqual(parseVersionedName('chapter_0001.mp3'), { base: 'chapter_0001.mp3', version: 1 });
  assert.deepEqual(parseVersionedName('chapter_0001.v2.mp3'), { base: 'chapter_0001.mp3', version: 2 });
  assert.deepEqual(parseVersionedName('my take.v12.mp3'), { base: 'my take.mp3', version: 12 });
  for (const odd of ['chapter_0001.v1.mp3', 'chapter_0001.v02.mp3', 'chapter_0001.v2.wav', '.v2.mp3']) assert.equal(parseVersionedName(odd).version, 1, odd);
  assert.equal(versionedName('chapter_0001.mp3', 1), 'chapter_0001.mp3');
  assert.equal(versionedName('part_0001_2.mp3', 3), 'part_0001_2.v3.mp3');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { narrationPartId, parseNarrationPartName, parseScannedImageName, parseScannedTextName, scannedImageName } from '../../src/shared/asset-names.js';

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
  assert.deepEqual(parseNarrationPartName('part_0001.mp3'), { part: 1, take: 1 });
  assert.deepEqual(parseNarrationPartName('part_0012_3.mp3'), { part: 12, take: 3 });
  assert.deepEqual(parseNarrationPartName('part_12345.mp3'), { part: 12345, take: 1 });
  for (const bad of ['part_1.mp3', 'part_0000.mp3', 'part_0001_1.mp3', 'part_0001_0.mp3', 'part_0001.MP3', 'part_0001.mp3.json', 'chapter_0001.mp3']) assert.equal(parseNarrationPartName(bad), null, bad);
  assert.equal(narrationPartId('cars', 'spring sale', 'part_0002_2.mp3'), 'cars/spring sale/part_0002_2');
});

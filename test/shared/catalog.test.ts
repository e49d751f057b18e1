import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { Catalog } from '../../src/shared/catalog.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir } from '../helpers.js';
import { writeJson } from '../../src/shared/json.js';
import { AssetRecordSchema, type AssetRecord } from '../../src/shared/assets.js';

const U = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;

test('the catalog loads scanned/ once and is kept current by add()', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  await mkdir(join(layout.scanned, 'video/c/mp4_w160_h90'), { recursive: true });
  await mkdir(join(layout.scanned, 'video/c/original'), { recursive: true });
  await mkdir(layout.scannedMusicDir('c'), { recursive: true });
  await mkdir(layout.scannedVoiceDir('c', 's'), { recursive: true });
  await writeFile(join(layout.scanned, `video/c/mp4_w160_h90/1.5_${U(1)}.mp4`), '');
  await writeFile(join(layout.scanned, `video/c/mp4_w160_h90/.2.0_${U(2)}.mp4.tmp-ab`), '');
  await writeFile(join(layout.scanned, `video/c/original/${U(3)}.mov`), '');
  await writeFile(join(layout.scannedMusicDir('c'), `6.0_${U(4)}.mp3`), '');
  await writeFile(join(layout.scannedVoiceDir('c', 's'), 'chapter_0001.mp3'), '');
  const cat = await Catalog.load(layout);
  assert.deepEqual(cat.size, { clips: 1, music: 1, voices: 1, images: 0, texts: 0, narration: 0 });
  assert.deepEqual(cat.category('c').video.map((k) => [k.name, k.clips.length]), [['mp4_w160_h90', 1]]);
  assert.ok(cat.add(`scanned/video/c/mp4_w320_h180/2.0_${U(5)}.mp4`));
  assert.ok(!cat.add(`scanned/video/c/mp4_w320_h180/2.0_${U(5)}.mp4`), 'no duplicates');
  assert.ok(!cat.add(`scanned/video/c/original/${U(6)}.mp4`), 'originals are not footage');
  assert.ok(cat.add('scanned/story/c/s2/voice/chapter_0001.mp3'));
  assert.deepEqual(cat.category('c').video.map((k) => k.name), ['mp4_w160_h90', 'mp4_w320_h180']);
  assert.equal(cat.voiceList().length, 2);
});

const rec = (over: Partial<AssetRecord> & Pick<AssetRecord, 'kind' | 'id' | 'category'>): AssetRecord => ({ schema_version: 1, raw_path: 'raw/x', filed_at: '2026-01-01T00:00:00Z', tags: [], ...over });

test('the catalog reads asset records: tags, stills, texts, narration parts, lookups by id', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const clip = `scanned/video/cars/mp4_w160_h90/2.0_${U(1)}.mp4`;
  const image = `scanned/image/logos/320x180_${U(2)}.png`;
  const text = `scanned/text/hooks/${U(3)}.csv`;
  const music = `scanned/music/cars/mp3/9.0_${U(4)}.mp3`;
  const files: [string, AssetRecord | null | 'corrupt'][] = [
    [clip, rec({ kind: 'video', id: U(1), category: 'cars', tags: ['spring', 'red car'], duration: 2, width: 160, height: 90 })],
    [music, 'corrupt'],
    [image, rec({ kind: 'image', id: U(2), category: 'logos', tags: ['brand'], width: 320, height: 180 })],
    [text, rec({ kind: 'text', id: U(3), category: 'hooks', tags: ['file-tag'], texts: [{ text: 'مرحبا 🚗', tags: ['spring'], line: 2 }, { text: 'Hello, world', tags: [], line: 3 }] })],
    ['scanned/narration/cars/spring/part_0001_2.mp3', rec({ kind: 'narration', id: 'cars/spring/part_0001_2', category: 'cars', campaign: 'spring', part: 1, take: 2, duration: 3.5 })],
    ['scanned/narration/cars/spring/part_0001.mp3', rec({ kind: 'narration', id: 'cars/spring/part_0001', category: 'cars', campaign: 'spring', part: 1, take: 1, duration: 3, transcript: 'Hi' })],
    ['scanned/narration/cars/spring/part_0002.mp3', rec({ kind: 'narration', id: 'cars/spring/part_0002', category: 'cars', campaign: 'spring', part: 2, take: 1, duration: 4 })],
    ['scanned/narration/cars/spring/part_0003.mp3', null],
    ['scanned/story/cars/s/voice/chapter_0001.mp3', rec({ kind: 'voice', id: 'cars/s/chapter_0001', category: 'cars', tags: ['spring'], priority: 5, duration: 3 })],
  ];
  for (const [rel, r] of files) {
    await mkdir(join(layout.abs(rel), '..'), { recursive: true });
    await writeFile(layout.abs(rel), 'x');
    if (r === 'corrupt') await writeFile(`${layout.abs(rel)}.json`, '{"tags": [');
    else if (r) await writeJson(AssetRecordSchema, `${layout.abs(rel)}.json`, r);
  }
  const cat = await Catalog.load(layout);
  assert.deepEqual(cat.size, { clips: 1, music: 1, voices: 1, images: 1, texts: 2, narration: 3 }, 'a part without its record (no duration) is left out');
  assert.deepEqual(cat.category('cars').video[0]!.clips[0]!.tags, ['spring', 'red car']);
  assert.deepEqual(cat.category('cars').music[0]!.tags, [], 'a corrupt record: untagged');
  assert.deepEqual(cat.category('logos').images, [{ path: image, id: U(2), category: 'logos', width: 320, height: 180, tags: ['brand'] }]);
  const texts = cat.category('hooks').texts;
  assert.deepEqual(texts.map((x) => [x.id, x.text, x.tags, x.line]), [[`${U(3)}#2`, 'مرحبا 🚗', ['spring'], 2], [`${U(3)}#3`, 'Hello, world', ['file-tag'], 3]]);
  assert.deepEqual(cat.voiceList()[0]!.tags, ['spring']);
  assert.equal(cat.voiceList()[0]!.priority, 5);
  const parts = cat.narration('cars', 'spring');
  assert.deepEqual([...parts.keys()], [1, 2]);
  assert.deepEqual(parts.get(1)!.map((p) => [p.take, p.duration, p.transcript]), [[1, 3, 'Hi'], [2, 3.5, undefined]]);
  assert.equal(cat.narration('cars', 'winter').size, 0);
  assert.equal(cat.byId(U(1))?.kind, 'video');
  assert.equal(cat.byId(U(2))?.kind, 'image');
  const first = cat.byId(U(3));
  assert.ok(first?.kind === 'text' && first.line === 2, 'a text file\'s id: its first text');
  assert.ok(cat.byId(`${U(3)}#3`)?.kind === 'text');
  assert.equal(cat.byId('cars/spring/part_0001_2')?.kind, 'narration');
  assert.equal(cat.byId('nope'), null);
  assert.deepEqual(cat.assets().map((a) => a.kind), ['video', 'music', 'voice', 'image', 'text', 'text', 'narration', 'narration', 'narration']);
  // add() with the record ingest has just written; a text needs its record.
  assert.ok(!cat.add(`scanned/text/hooks/${U(5)}.txt`), 'a text file without its record has no texts');
  assert.ok(cat.add(`scanned/text/hooks/${U(5)}.txt`, rec({ kind: 'text', id: U(5), category: 'hooks', texts: [{ text: 'Only', tags: [], line: 1 }] })));
  assert.ok(cat.add(`scanned/image/logos/64x64_${U(6)}.webp`, rec({ kind: 'image', id: U(6), category: 'logos', tags: ['x'] })));
  assert.ok(!cat.add(`scanned/image/logos/64x64_${U(6)}.webp.json`), 'records are not assets');
  assert.equal(cat.category('logos').images.length, 2);
  assert.equal(cat.category('hooks').texts.length, 3);
  assert.equal(cat.assets().length, 11);
});

test('the catalog gives planners the latest version of each voice and narration take; assets() lists every version', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const voice = layout.scannedVoiceDir('c', 's');
  const parts = layout.scannedNarrationDir('cars', 'spring');
  await mkdir(voice, { recursive: true });
  await mkdir(parts, { recursive: true });
  for (const n of ['chapter_0001.mp3', 'chapter_0001.v2.mp3', 'chapter_0001.v3.mp3', 'chapter_0002.mp3', 'intro.mp3', 'intro.v2.mp3']) await writeFile(join(voice, n), '');
  const rec = (name: string, take: number): AssetRecord => ({ schema_version: 1, kind: 'narration', id: `cars/spring/${name.replace(/\.mp3$/, '')}`, category: 'cars', raw_path: 'raw/x.csv', filed_at: '2026-01-01T00:00:00Z', tags: [], campaign: 'spring', part: 1, take, duration: 2 });
  for (const [n, take] of [['part_0001.mp3', 1], ['part_0001.v2.mp3', 1], ['part_0001_2.mp3', 2]] as const) {
    await writeFile(join(parts, n), '');
    await writeJson(AssetRecordSchema, join(parts, `${n}.json`), rec(n, take));
  }
  const cat = await Catalog.load(layout);
  assert.deepEqual(cat.voiceList().map((v) => [v.name, v.version]), [['chapter_0001.v3.mp3', 3], ['chapter_0002.mp3', 1], ['intro.v2.mp3', 2]]);
  assert.equal(cat.allVoices().length, 6);
  assert.deepEqual([...cat.narration('cars', 'spring')].map(([p, takes]) => [p, takes.map((x) => x.path.split('/').pop())]), [[1, ['part_0001.v2.mp3', 'part_0001_2.mp3']]]);
  assert.equal(cat.byId('cars/spring/part_0001')?.path, 'scanned/narration/cars/spring/part_0001.v2.mp3', 'the id without a version names the latest');
  assert.equal(cat.byId('cars/spring/part_0001.v2')?.path, 'scanned/narration/cars/spring/part_0001.v2.mp3');
  assert.equal(cat.assets().filter((a) => a.kind === 'narration').length, 3);
  // A later version added at run time hides the one before it.
  await writeFile(join(voice, 'chapter_0002.v2.mp3'), '');
  assert.ok(cat.add('scanned/story/c/s/voice/chapter_0002.v2.mp3'));
  assert.deepEqual(cat.voiceList().map((v) => v.name), ['chapter_0001.v3.mp3', 'chapter_0002.v2.mp3', 'intro.v2.mp3']);
});

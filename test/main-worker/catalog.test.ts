import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { Catalog } from '../../src/main-worker/catalog.js';
import { Layout } from '../../src/shared/layout.js';
import { tempDir } from '../helpers.js';

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
  assert.deepEqual(cat.size, { clips: 1, music: 1, voices: 1 });
  assert.deepEqual(cat.category('c').video.map((k) => [k.name, k.clips.length]), [['mp4_w160_h90', 1]]);
  assert.ok(cat.add(`scanned/video/c/mp4_w320_h180/2.0_${U(5)}.mp4`));
  assert.ok(!cat.add(`scanned/video/c/mp4_w320_h180/2.0_${U(5)}.mp4`), 'no duplicates');
  assert.ok(!cat.add(`scanned/video/c/original/${U(6)}.mp4`), 'originals are not footage');
  assert.ok(cat.add('scanned/story/c/s2/voice/chapter_0001.mp3'));
  assert.deepEqual(cat.category('c').video.map((k) => k.name), ['mp4_w160_h90', 'mp4_w320_h180']);
  assert.equal(cat.voiceList().length, 2);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRaw, formatDuration, isIgnoredName, Layout, parseScannedMediaName, resolutionClass, scannedMediaName } from '../../src/shared/layout.js';

test('every path of the root comes from Layout', () => {
  const l = new Layout('/r');
  assert.equal(l.task('t'), '/r/tasks/t');
  assert.equal(l.processingTask('t'), '/r/processing/t');
  assert.equal(l.outputTask('t'), '/r/output/t');
  assert.equal(l.failedTask('t'), '/r/trash/failed/t');
  assert.equal(l.trashInvalid, '/r/trash/invalid');
  assert.equal(l.scannedClipDir('video', 'fantasy', 3840, 2160), '/r/scanned/video/fantasy/mp4_w3840_h2160');
  assert.equal(l.scannedClipDir('frame', 'fantasy', 1920, 1080), '/r/scanned/frame/fantasy/mp4_w1920_h1080');
  assert.equal(l.scannedMusicDir('fantasy'), '/r/scanned/music/fantasy/mp3');
  assert.equal(l.scannedVoiceDir('fantasy', 'dragon flight'), '/r/scanned/story/fantasy/dragon flight/voice');
  assert.equal(l.rel('/r/scanned/x.mp4'), 'scanned/x.mp4');
});

test('scanned names carry the duration, rounded down to a tenth', () => {
  assert.equal(formatDuration(12.4), '12.4');
  assert.equal(formatDuration(12.49), '12.4');
  assert.equal(formatDuration(3), '3.0');
  assert.equal(formatDuration(0.99), '0.9');
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  assert.equal(scannedMediaName(12.4, id, 'mp4'), `12.4_${id}.mp4`);
  assert.deepEqual(parseScannedMediaName(`12.4_${id}.mp4`), { duration: 12.4, id, ext: 'mp4' });
  assert.equal(parseScannedMediaName(`12_${id}.mp4`), null);
  assert.equal(parseScannedMediaName('12.4_notauuid.mp4'), null);
  assert.equal(resolutionClass(1920, 1080), 'mp4_w1920_h1080');
});

test('raw paths are classified by folder; anything else is unexpected', () => {
  assert.deepEqual(classifyRaw('video/action/a.mp4'), { kind: 'video', category: 'action', name: 'a.mp4' });
  assert.deepEqual(classifyRaw('frame/action/a.mp4'), { kind: 'frame', category: 'action', name: 'a.mp4' });
  assert.deepEqual(classifyRaw('music/action/a.mp3'), { kind: 'music', category: 'action', name: 'a.mp3' });
  assert.deepEqual(classifyRaw('story/fantasy/dragon/voice/chapter_0001.mp3'), { kind: 'voice', category: 'fantasy', story: 'dragon', name: 'chapter_0001.mp3' });
  assert.deepEqual(classifyRaw('story/fantasy/dragon/link/x.txt'), { kind: 'link', category: 'fantasy', story: 'dragon', name: 'x.txt' });
  assert.deepEqual(classifyRaw('image/cars/a.webp'), { kind: 'image', category: 'cars', name: 'a.webp' });
  assert.deepEqual(classifyRaw('text/hooks/h.csv'), { kind: 'text', category: 'hooks', name: 'h.csv' });
  assert.deepEqual(classifyRaw('narration/cars/spring/part_0001_2.mp3'), { kind: 'narration', category: 'cars', campaign: 'spring', name: 'part_0001_2.mp3' });
  assert.deepEqual(classifyRaw('narration/cars/spring.csv'), { kind: 'narration-text', category: 'cars', campaign: 'spring', name: 'spring.csv' });
  assert.deepEqual(classifyRaw('job/twenty.json'), { kind: 'job', name: 'twenty.json' });
  assert.deepEqual(classifyRaw('video/cars/clip.mp4.json'), { kind: 'sidecar', of: 'video/cars/clip.mp4', name: 'clip.mp4.json' });
  assert.deepEqual(classifyRaw('story/f/d/voice/chapter_0001.mp3.json'), { kind: 'sidecar', of: 'story/f/d/voice/chapter_0001.mp3', name: 'chapter_0001.mp3.json' });
  assert.deepEqual(classifyRaw('narration/cars/spring/part_0001.mp3.json'), { kind: 'sidecar', of: 'narration/cars/spring/part_0001.mp3', name: 'part_0001.mp3.json' });
  for (const bad of ['a.mp4', 'video/a.mp4', 'video/a/b/c.mp4', 'story/f/d/other/x.mp3', 'stuff/x/y.mp4', 'job/x.txt', 'job/a/b.json', 'narration/c/x.mp3', 'a.mp4.json', 'video/a.mp4.json.json']) assert.ok('unexpected' in classifyRaw(bad), bad);
});

test('temporary and hidden names are ignored', () => {
  for (const n of ['.x.mp4', '.x.mp4.tmp-ab12', 'x.mp4.part', 'x.mp4.crdownload', 'x.mp4~', '~$doc', 'x.filepart', 'Thumbs.db']) assert.ok(isIgnoredName(n), n);
  for (const n of ['x.mp4', "it's a clip.mp4", '-rf.mp4', 'клип.mp4']) assert.ok(!isIgnoredName(n), n);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chapterName, failurePath } from '../../src/shared/narration-discover.js';
import { Layout } from '../../src/shared/layout.js';

test('discover: a chunk names its chapter; failures are filed by a hash of the target', () => {
  assert.equal(chapterName('chunk_0012.txt'), 'chapter_0012.mp3');
  assert.equal(chapterName('chunk_1.txt'), null);
  assert.equal(chapterName('sources.json'), null);
  const layout = new Layout('/r');
  const a = failurePath(layout, '/r/scanned/story/c/s/voice/chapter_0001.mp3');
  assert.match(a, /^\/r\/trash\/narration\/[0-9a-f]{24}\.json$/);
  assert.notEqual(a, failurePath(layout, '/r/scanned/story/c/s/voice/chapter_0002.mp3'));
});

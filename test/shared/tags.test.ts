import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allPair, hasAllTags, normalizeTags, parseTagCell, tagsPair } from '../../src/shared/tags.js';

test('tags are trimmed, lower-cased, deduplicated, empty ones dropped; a CSV cell splits on ;', () => {
  assert.deepEqual(normalizeTags([' Spring', 'RED Car ', 'spring', '', '  ', 'Été', '東京']), ['spring', 'red car', 'été', '東京']);
  assert.deepEqual(parseTagCell('Spring; Red Car;;  x '), ['spring', 'red car', 'x']);
  assert.deepEqual(parseTagCell(''), []);
});

test('pairing: tagged assets pair when they share a tag; untagged pair with anything; selectors need every tag', () => {
  assert.ok(tagsPair(['a', 'b'], ['b']));
  assert.ok(!tagsPair(['a'], ['b']));
  assert.ok(tagsPair([], ['b']) && tagsPair(['a'], []));
  assert.ok(allPair([['a'], [], ['a', 'b']]));
  assert.ok(!allPair([['a'], ['a', 'b'], ['b']]));
  assert.ok(hasAllTags(['spring', 'red car'], ['Spring ', 'red car']));
  assert.ok(!hasAllTags(['spring'], ['spring', 'red car']));
  assert.ok(hasAllTags([], []));
});

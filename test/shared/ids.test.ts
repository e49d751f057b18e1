// Raw file ids and the name-based task ids. Task ids are persisted (one task per voice file
// and variation, ever), so the derivation itself is pinned by a known value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idFromRawName, stableUuid } from '../../src/shared/ids.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids: a UUID raw name keeps its id, anything else gets a new one; task ids are stable', () => {
  assert.equal(idFromRawName('0F8FAD5B-D9CB-469F-A165-70867728950E.mp4'), '0f8fad5b-d9cb-469f-a165-70867728950e');
  const fresh = idFromRawName('holiday video.mp4');
  assert.match(fresh, /^[0-9a-f-]{36}$/);
  assert.notEqual(fresh, idFromRawName('holiday video.mp4'));
  assert.equal(stableUuid('a', 'b'), stableUuid('a', 'b'));
  assert.notEqual(stableUuid('a', 'b'), stableUuid('ab', ''));
  assert.match(stableUuid('x'), UUID_V8);
});

test('stableUuid: a version 8, RFC 4122 variant UUID of the sha256 of the parts joined by NUL', () => {
  assert.equal(stableUuid('a', 'b'), '59b271ae-1bbc-81d3-9d41-929817f4b16f');
  // The separator keeps part boundaries: ("a", "b") is not ("a\0b") split differently.
  assert.notEqual(stableUuid('a', 'b'), stableUuid('a\0', 'b'));
  assert.notEqual(stableUuid('a', 'b'), stableUuid('b', 'a'));
  assert.match(stableUuid(), UUID_V8);
  assert.match(stableUuid('é', '🎬'), UUID_V8);
});

test('idFromRawName: a non-UUID name with its identity gets the same derived id on every run', () => {
  const identity = { rel: 'video/c/holiday.mp4', size: 1234, mtimeMs: 1_700_000_000_000 };
  const id = idFromRawName('holiday.mp4', identity);
  assert.equal(id, stableUuid('clipmill-raw', 'video/c/holiday.mp4', '1234', '1700000000000'));
  assert.equal(idFromRawName('holiday.mp4', { ...identity }), id);
  // Any change of the file (size, mtime) or of where it lies is another file.
  assert.notEqual(idFromRawName('holiday.mp4', { ...identity, size: 1235 }), id);
  assert.notEqual(idFromRawName('holiday.mp4', { ...identity, mtimeMs: 1_700_000_000_001 }), id);
  assert.notEqual(idFromRawName('holiday.mp4', { ...identity, rel: 'video/d/holiday.mp4' }), id);
  // A UUID name wins over the identity.
  assert.equal(idFromRawName('7c9e6679-7425-40de-944b-e07fc1f90ae7.mov', identity), '7c9e6679-7425-40de-944b-e07fc1f90ae7');
});

test('idFromRawName: only the last extension is stripped; a leading dot is not an extension', () => {
  const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  assert.equal(idFromRawName(id), id, 'no extension at all');
  assert.equal(idFromRawName(`${id}.MP4`), id);
  assert.notEqual(idFromRawName(`${id}.tar.gz`), id, 'the stem is "<uuid>.tar"');
  assert.notEqual(idFromRawName(`.${id}`), id, 'a dot-name is all stem');
  assert.notEqual(idFromRawName(`${id}x.mp4`), id);
  assert.match(idFromRawName(`${id}x.mp4`), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/, 'a random (v4) id');
});

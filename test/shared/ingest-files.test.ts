// Reason files and a story's sources.json: one schema each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReasonFileSchema, StorySourcesSchema } from '../../src/shared/ingest-files.js';
import { validate } from '../../src/shared/json.js';

const reason = { code: 'TOO_SHORT', message: 'the clip lasts 0.20 s', raw_path: 'raw/video/c/a.mp4', rejected_at: '2026-01-01T00:00:00Z', probe: { duration: 0.2 }, details: {} };

test('a reason file carries a code of the catalog', () => {
  assert.deepEqual(validate(ReasonFileSchema, reason, 'a.mp4.reason.json', 'IO'), reason);
  assert.ok(validate(ReasonFileSchema, { ...reason, probe: null }, 'a.mp4.reason.json', 'IO'));
  for (const code of ['NOPE', 'toString']) assert.throws(() => validate(ReasonFileSchema, { ...reason, code }, 'a.mp4.reason.json', 'IO'), new RegExp(`a\\.mp4\\.reason\\.json: code: .*error catalog.*got "${code}"`));
  assert.throws(() => validate(ReasonFileSchema, { ...reason, raw_path: undefined }, 'r.json', 'IO'), /r\.json: raw_path: .*got nothing/);
});

test('sources.json: the main worker\'s, and `clipmill crawl --chunks`\'s without the story', () => {
  const page = { url: 'http://x/a', final_url: 'http://x/a', title: 'A', byline: null, fetched_at: '2026-01-01T00:00:00Z', charset: 'utf-8', method: 'readability', words: 12 };
  const link = { url: 'http://x/a', words: 12, chunks: ['chunk_0001.txt'], pages: [page] };
  assert.ok(validate(StorySourcesSchema, { category: 'c', story: 's', links: [{ ...link, link_file: 'link/a.txt', final_url: 'http://x/a' }] }, 'sources.json', 'IO'));
  assert.ok(validate(StorySourcesSchema, { links: [link] }, 'sources.json', 'IO'));
  assert.throws(() => validate(StorySourcesSchema, { links: [{ ...link, pages: [{ ...page, method: 'guess' }] }] }, 'sources.json', 'IO'), /sources\.json: links\[0\]\.pages\[0\]\.method: .*got "guess"/);
});

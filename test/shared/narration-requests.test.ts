// `clipmill narrate` requests: one file per (story or campaign, provider, voice); what each voices.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { hasRequests, listRequests, requestItems, requestKinds, requestPath, writeRequest, type NarrateRequest } from '../../src/shared/narration-requests.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { writeJson } from '../../src/shared/json.js';
import { Layout } from '../../src/shared/layout.js';
import { NarrationPlanSchema } from '../../src/shared/narration.js';
import { tempDir } from '../helpers.js';

test('requests: named by what they ask, listed, and each voices a story\'s chunks or a campaign\'s plan items', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const story = join(layout.scanned, 'story/tales/the keeper');
  await mkdir(story, { recursive: true });
  await writeFile(join(story, 'chunk_0002.txt'), 'Second.\n');
  await writeFile(join(story, 'chunk_0001.txt'), ' First. \n');
  await writeFile(join(story, 'chunk_0003.txt'), '  \n');
  await writeFile(join(story, 'sources.json'), '{}');
  const text = join(layout.scannedNarrationDir('ads', 'spring'), 'text');
  await mkdir(text, { recursive: true });
  await writeJson(NarrationPlanSchema, join(text, 'a.csv.plan.json'), {
    schema_version: 1, category: 'ads', campaign: 'spring', raw_path: 'raw/narration/ads/spring.csv', filed_at: '2026-01-01T00:00:00Z',
    items: [{ target: 'part_0001.mp3', part: 1, take: 1, text: 'Hi.', tags: ['x'], line: 2 }, { target: 'part_0001_2.mp3', part: 1, take: 2, text: 'Hello.', tags: [], line: 3 }],
  });

  const items = await requestItems(layout, { kind: 'story', category: 'tales', name: 'the keeper' });
  assert.deepEqual(items.map((i) => [i.base, i.text, i.dir]), [['chapter_0001.mp3', 'First.', layout.scannedVoiceDir('tales', 'the keeper')], ['chapter_0002.mp3', 'Second.', layout.scannedVoiceDir('tales', 'the keeper')]], 'an empty chunk is left out');
  const parts = await requestItems(layout, { kind: 'campaign', category: 'ads', name: 'spring' });
  assert.deepEqual(parts.map((i) => [i.base, i.text, i.rawPath]), [['part_0001.mp3', 'Hi.', 'raw/narration/ads/spring.csv'], ['part_0001_2.mp3', 'Hello.', 'raw/narration/ads/spring.csv']]);
  await assert.rejects(requestItems(layout, { kind: 'campaign', category: 'tales', name: 'the keeper' }), (e) => isClipmillError(e, 'NARRATION_NOTHING') && /scanned\/narration\/tales\/the keeper\/text/.test(e.message));
  assert.deepEqual(await requestKinds(layout, 'tales', 'the keeper'), ['story']);
  assert.deepEqual(await requestKinds(layout, 'ads', 'spring'), ['campaign']);
  assert.deepEqual(await requestKinds(layout, 'ads', 'nothing'), []);

  assert.equal(await hasRequests(layout), false);
  const r: NarrateRequest = { schema_version: 1, kind: 'story', category: 'tales', name: 'the keeper', provider: 'espeak-ng', voice: 'en-us', requested_at: '2026-01-01T00:00:00Z' };
  const path = await writeRequest(layout, r);
  assert.equal(path, requestPath(layout, { ...r }), 'the same request, the same file');
  assert.equal(await writeRequest(layout, { ...r, requested_at: '2026-01-02T00:00:00Z' }), path, 'asked again: one request');
  assert.notEqual(requestPath(layout, { ...r, voice: 'en-gb' }), path);
  assert.notEqual(requestPath(layout, { ...r, voice: undefined }), path);
  await writeFile(join(layout.narrationRequestsDir, 'broken.json'), '{"kind": "story"');
  assert.equal(await hasRequests(layout), true);
  await writeFile(join(layout.narrationRequestsDir, 'broken2.json'), '{}');
  assert.deepEqual((await listRequests(layout)).map((x) => [x.path, x.request.requested_at]), [[path, '2026-01-02T00:00:00Z']], 'an unreadable request is skipped');
});

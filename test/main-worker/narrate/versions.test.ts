// Versions of a voice: where a person's recording goes, which version is the latest, and the
// lock that keeps two writers from taking one version number.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSynthesized, latestVersion, listVersions, personVoiceDest, personVoiceWelcome, withVersionLock } from '../../../src/main-worker/narrate/versions.js';
import { AssetRecordSchema, type AssetRecord } from '../../../src/shared/assets.js';
import { writeJson } from '../../../src/shared/json.js';
import { tempDir } from '../../helpers.js';

const rec = (over: Partial<AssetRecord>): AssetRecord => ({ schema_version: 1, kind: 'voice', id: 'c/s/chapter_0001', category: 'c', raw_path: 'raw/x.mp3', filed_at: '2026-01-01T00:00:00Z', tags: [], ...over });

test('versions: the latest wins; a person\'s voice follows a synthesized one, never another person\'s', async (t) => {
  const dir = join(await tempDir(t), 'voice');
  await mkdir(dir, { recursive: true });
  const base = join(dir, 'chapter_0001.mp3');
  assert.equal(await latestVersion(dir, 'chapter_0001.mp3'), null);
  assert.equal(await personVoiceDest(base, null), base, 'nothing filed: version 1');
  assert.ok(await personVoiceWelcome(base));

  await writeFile(base, 'synth');
  await writeJson(AssetRecordSchema, `${base}.json`, rec({ origin: 'synthesized', voice_key: 'k1' }));
  await writeFile(join(dir, 'chapter_0002.v2.mp3'), 'other chapter');
  await writeFile(join(dir, '.chapter_0001.v2.mp3.tmp-x'), 'half made');
  assert.deepEqual((await listVersions(dir, 'chapter_0001.mp3')).map((v) => [v.name, v.version]), [['chapter_0001.mp3', 1]]);
  assert.equal(await personVoiceDest(base, null), join(dir, 'chapter_0001.v2.mp3'), 'after a synthesized voice: the next version');
  assert.ok(await personVoiceWelcome(base));

  const v2 = join(dir, 'chapter_0001.v2.mp3');
  await writeFile(v2, 'person');
  await writeJson(AssetRecordSchema, `${v2}.json`, rec({ origin: 'person', version: 2 }));
  const raw = join(dir, '..', 'raw.mp3');
  await writeFile(raw, 'person');
  assert.equal(await personVoiceDest(base, raw), v2, 'the same bytes: the file filed before a crash');
  await writeFile(raw, 'another person');
  assert.equal(await personVoiceDest(base, raw), v2, "after a person's voice: its path (the caller refuses a duplicate)");
  assert.equal(await personVoiceWelcome(base), false);
  assert.equal((await latestVersion(dir, 'chapter_0001.mp3'))?.version, 2);

  // Records before `origin`: a voice made from a chunk is synthesized, a dropped one is not.
  assert.equal(isSynthesized(rec({ raw_path: 'scanned/story/c/s/chunk_0001.txt' })), true);
  assert.equal(isSynthesized(rec({ raw_path: 'raw/story/c/s/voice/chapter_0001.mp3' })), false);
  assert.equal(isSynthesized(null), false);
});

test('versions: the lock runs one writer at a time per voice, and goes on after a failure', async () => {
  const order: string[] = [];
  const slow = (name: string, ms: number) => withVersionLock('/d', 'a.mp3', async () => {
    order.push(`${name}+`);
    await new Promise((r) => setTimeout(r, ms));
    order.push(`${name}-`);
  });
  const failing = withVersionLock('/d', 'a.mp3', async () => {
    throw new Error('boom');
  });
  await Promise.all([slow('x', 20), failing.catch(() => {}), slow('y', 0)]);
  assert.deepEqual(order, ['x+', 'x-', 'y+', 'y-']);
});

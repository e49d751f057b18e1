// The main worker's bookkeeping files under scanned/: <original>.source.json and the
// .publish-<id>.json manifest. Strict schemas: a corrupt or foreign file is not taken for one.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PublishManifestSchema, SOURCE_SUFFIX, SourceRecordSchema, type PublishManifest, type SourceRecord } from '../../../src/main-worker/ingest/records.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { readJson, readJsonOrNull, writeJson } from '../../../src/shared/json.js';
import { tempDir } from '../../helpers.js';

const LOUDNESS = { inputI: -23.1, inputTp: -4.2, inputLra: 5.5, inputThresh: -33.4, targetOffset: 0.3 };
const RECORD: SourceRecord = {
  raw_path: 'raw/music/fantasy/theme.wav',
  moved_at: '2026-11-22T00:00:00.000Z',
  why: 'WAV: normalized to MP3',
  probe: { format: 'wav', duration: 6 },
  extra: { loudness: LOUDNESS },
};
const MANIFEST: PublishManifest = {
  renames: [['scanned/story/f/s/.chunks-tmp/0001.txt', 'scanned/story/f/s/text/0001.txt']],
  link: { from: 'raw/story/f/s/link/page.txt', to: 'scanned/story/f/s/link/page.txt' },
};

const ok = (schema: typeof SourceRecordSchema | typeof PublishManifestSchema, v: unknown) => schema.safeParse(v).success;

test('the source record lies beside its original as <original>.source.json', () => {
  assert.equal(SOURCE_SUFFIX, '.source.json');
});

test('SourceRecordSchema: a record with or without the measured loudness', () => {
  assert.deepEqual(SourceRecordSchema.parse(RECORD), RECORD);
  assert.ok(ok(SourceRecordSchema, { ...RECORD, extra: {} }), 'footage: nothing measured');
  assert.ok(ok(SourceRecordSchema, { ...RECORD, why: '', probe: {} }));
});

test('SourceRecordSchema: strict, every field required, no empty raw_path or moved_at', () => {
  const bad: [string, unknown][] = [
    ['unknown key', { ...RECORD, note: 'x' }],
    ['unknown key in extra', { ...RECORD, extra: { loudness: LOUDNESS, other: 1 } }],
    ['unknown key in loudness', { ...RECORD, extra: { loudness: { ...LOUDNESS, inputX: 1 } } }],
    ['empty raw_path', { ...RECORD, raw_path: '' }],
    ['empty moved_at', { ...RECORD, moved_at: '' }],
    ['no extra', { ...RECORD, extra: undefined }],
    ['no probe', { ...RECORD, probe: undefined }],
    ['probe not an object', { ...RECORD, probe: [] }],
    ['loudness incomplete', { ...RECORD, extra: { loudness: { ...LOUDNESS, targetOffset: undefined } } }],
    ['loudness as text', { ...RECORD, extra: { loudness: { ...LOUDNESS, inputI: '-23.1' } } }],
    ['not an object', null],
  ];
  for (const [what, v] of bad) assert.equal(ok(SourceRecordSchema, v), false, what);
});

test('PublishManifestSchema: renames are [from, to] pairs of non-empty paths; the link has both ends', () => {
  assert.deepEqual(PublishManifestSchema.parse(MANIFEST), MANIFEST);
  assert.ok(ok(PublishManifestSchema, { ...MANIFEST, renames: [] }), 'nothing left to rename');
  const bad: [string, unknown][] = [
    ['a rename of three', { ...MANIFEST, renames: [['a', 'b', 'c']] }],
    ['a rename of one', { ...MANIFEST, renames: [['a']] }],
    ['an empty path', { ...MANIFEST, renames: [['a', '']] }],
    ['no link.to', { ...MANIFEST, link: { from: 'a' } }],
    ['empty link.from', { ...MANIFEST, link: { from: '', to: 'b' } }],
    ['unknown key', { ...MANIFEST, done: true }],
    ['unknown key in link', { ...MANIFEST, link: { ...MANIFEST.link, at: 1 } }],
  ];
  for (const [what, v] of bad) assert.equal(ok(PublishManifestSchema, v), false, what);
});

test('written validated, read validated: a corrupt record reads as none, and the error names the field', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, `theme.wav${SOURCE_SUFFIX}`);
  await writeJson(SourceRecordSchema, path, RECORD);
  assert.deepEqual(await readJson(SourceRecordSchema, path, 'IO'), RECORD);
  await assert.rejects(writeJson(SourceRecordSchema, join(dir, 'bad.json'), { ...RECORD, raw_path: '' }), (err: unknown) => isClipmillError(err) && /raw_path/.test(err.message));
  await writeFile(path, JSON.stringify({ ...RECORD, extra: { loudness: { ...LOUDNESS, inputI: null } } }));
  assert.equal(await readJsonOrNull(SourceRecordSchema, path), null);
  await assert.rejects(readJson(SourceRecordSchema, path, 'IO'), (err: unknown) => isClipmillError(err, 'IO') && /extra\.loudness\.inputI/.test(err.message));
});

// metadata.json schema_version 3 (docs/chunks.md, docs/timeline.md): `chunk` and `join` need it, each
// checked field by field; a version above 3 is still a newer clipmill's (handed back, not failed).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import { readMetadata } from '../../src/shared/protocol/task-files.js';
import { metadataVersionFor, validateMetadata } from '../../src/shared/task.js';
import { colorMeta } from './../render-worker/color-task.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const range = { index: 1, from_frame: 30, to_frame: 60, start_frame: 0, segment: 0 };

const invalid = (value: unknown, field: RegExp) =>
  assert.throws(() => validateMetadata(value), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && field.test(err.message));

test('a chunk task and a joined task are schema_version 3; their fields are checked', () => {
  assert.equal(validateMetadata({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'video', range } }).chunk?.range?.from_frame, 30);
  assert.equal(validateMetadata({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'audio' } }).chunk?.kind, 'audio');
  assert.equal(validateMetadata({ ...colorMeta(ID), schema_version: 3, join: { fps: 30, frames: 90, chunks: [range, { ...range, index: 2 }], audio: true } }).join?.frames, 90);
  invalid({ ...colorMeta(ID), chunk: { of: ID, kind: 'audio' } }, /schema_version/);
  // Version 3 without anything new is still valid (a task edited back to plain elements).
  assert.equal(validateMetadata({ ...colorMeta(ID), schema_version: 3 }).schema_version, 3);
  assert.deepEqual(validateMetadata({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'video', range, encoder_argv: ['-c:v', 'libx264'] } }).chunk?.encoder_argv, ['-c:v', 'libx264']);
  invalid({ ...colorMeta(ID), schema_version: 3, join: { fps: 30, frames: 90, chunks: [range, { ...range, index: 2 }], audio: true, encoder_argv: '-c:v libx264' } }, /join\.encoder_argv/);
  invalid({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'video' } }, /chunk\.range/);
  invalid({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'video', range: { ...range, to_frame: 30 } } }, /to_frame/);
  invalid({ ...colorMeta(ID), schema_version: 3, chunk: { of: ID, kind: 'video', range: { ...range, start_frame: 31 } } }, /start_frame/);
  invalid({ ...colorMeta(ID), schema_version: 3, join: { fps: 30, frames: 90, chunks: [range], audio: false } }, /join\.chunks/);
});

test('schema_version 4 is a newer clipmill\'s: TASK_NEWER_VERSION (handed back), not TASK_INVALID', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'clipmill-v4-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...colorMeta(ID), schema_version: 4, something_new: 1 }));
  await assert.rejects(readMetadata(dir), (err: unknown) => isClipmillError(err, 'TASK_NEWER_VERSION'));
});

test('metadataVersionFor: 3 for chunk, join, short, notes, ducked audio, boxed or Ken Burns image layers and border rects; else 2', () => {
  const base = colorMeta(ID);
  assert.equal(metadataVersionFor(base), 2);
  assert.equal(metadataVersionFor({ ...base, notes: [{ code: 'BORDER_FALLBACK', message: 'x' }] }), 3);
  assert.equal(metadataVersionFor({ ...base, chunk: { of: ID, kind: 'audio' } }), 3);
  const tl = (extra: object) => ({ ...base, timeline: { ...base.timeline!, ...extra } });
  assert.equal(metadataVersionFor(tl({ layers: [{ type: 'text', box: {} }] })), 2, 'a text box is version 2');
  assert.equal(metadataVersionFor(tl({ layers: [{ type: 'image', box: { width: 1, height: 1 } }] })), 3);
  assert.equal(metadataVersionFor(tl({ layers: [{ type: 'border', rect: { x: 0, y: 0, width: 1, height: 1 } }] })), 3);
  assert.equal(metadataVersionFor(tl({ audio: [{ file: 'm.mp3', duck: { db: 12, spans: [] } }] })), 3);
  invalid({ ...base, notes: [{ code: 'BORDER_FALLBACK', message: 'x' }] }, /schema_version must be 3 \(the task has notes\)/);
});

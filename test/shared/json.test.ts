// The schema reader every JSON file of the tree goes through: messages name the file, the
// field and the bad value; unknown keys are errors; writes are validated before they land.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { isClipmillError } from '../../src/shared/errors.js';
import { describeExpected, parseJson, readJson, readJsonOrNull, validate, writeJson } from '../../src/shared/json.js';
import { tempDir } from '../helpers.js';

const Thing = z.strictObject({ name: z.string().min(1), sizes: z.array(z.number().int()), inner: z.strictObject({ on: z.boolean() }).optional() });

function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected an error');
}

test('a bad value is refused naming the file, the field and the value, with the caller\'s code', () => {
  const err = thrown(() => validate(Thing, { name: 'a', sizes: [1, 2.5] }, 'thing.json', 'TASK_INVALID'));
  assert.ok(isClipmillError(err, 'TASK_INVALID'));
  assert.match(err.message, /^thing\.json: sizes\[1\]: .*, got 2\.5$/);
  assert.deepEqual(err.details, { file: 'thing.json', field: 'sizes[1]' });
  assert.match(thrown(() => validate(Thing, { name: 'a', sizes: [], inner: { on: 'yes' } }, 'thing.json', 'IO')).message, /thing\.json: inner\.on: .*got "yes"/);
  assert.match(thrown(() => validate(Thing, { sizes: [] }, 'thing.json', 'IO')).message, /thing\.json: name: .*got nothing/);
});

test('unknown keys are errors, at any depth', () => {
  assert.match(thrown(() => validate(Thing, { name: 'a', sizes: [], colour: 'red' }, 'thing.json', 'IO')).message, /thing\.json: colour: unknown key/);
  assert.match(thrown(() => validate(Thing, { name: 'a', sizes: [], inner: { on: true, off: false } }, 'thing.json', 'IO')).message, /thing\.json: inner\.off: unknown key/);
});

test('"must be" messages for schemas whose errors say what is expected', () => {
  const S = z.strictObject({ n: z.number({ error: 'an integer >= 1' }).int({ error: 'an integer >= 1' }).min(1, { error: 'an integer >= 1' }) });
  const err = thrown(() => validate(S, { n: 0, x: 1 }, 'f.json', 'IO', describeExpected));
  assert.match(err.message, /^f\.json: n must be an integer >= 1, got 0; unknown key "x"$/);
});

test('text that is not JSON names the file', () => {
  const err = thrown(() => parseJson(Thing, '{ name: ', 'thing.json', 'TASK_INVALID'));
  assert.ok(isClipmillError(err, 'TASK_INVALID'));
  assert.match(err.message, /^thing\.json is not valid JSON: /);
});

test('readJson: a missing file is IO, bad content the caller\'s code; readJsonOrNull: null for both', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'good.json');
  const bad = join(dir, 'bad.json');
  await writeFile(good, JSON.stringify({ name: 'a', sizes: [1] }));
  await writeFile(bad, JSON.stringify({ name: '', sizes: [1] }));
  assert.deepEqual(await readJson(Thing, good, 'TASK_INVALID'), { name: 'a', sizes: [1] });
  await assert.rejects(readJson(Thing, join(dir, 'nope.json'), 'TASK_INVALID'), (err: unknown) => isClipmillError(err, 'IO') && /cannot read .*nope\.json/.test((err as Error).message));
  await assert.rejects(readJson(Thing, bad, 'TASK_INVALID', 'bad.json'), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /^bad\.json: name: .*got ""$/.test((err as Error).message));
  assert.equal(await readJsonOrNull(Thing, bad), null);
  assert.equal(await readJsonOrNull(Thing, join(dir, 'nope.json')), null);
});

test('writeJson writes only what passes the schema, atomically', async (t) => {
  const dir = join(await tempDir(t), 'd');
  await mkdir(dir);
  const file = join(dir, 'thing.json');
  await assert.rejects(writeJson(Thing, file, { name: '', sizes: [] }), /thing\.json: name: /);
  assert.deepEqual(await readdir(dir), [], 'nothing written, no temporary left');
  await writeJson(Thing, file, { name: 'a', sizes: [3] });
  assert.deepEqual(await readJson(Thing, file, 'IO'), { name: 'a', sizes: [3] });
  assert.deepEqual(await readdir(dir), ['thing.json']);
});

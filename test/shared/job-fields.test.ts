// The field builders every job file schema shares (src/shared/job-fields.ts): the same wording
// of errors everywhere; job.ts re-exports them (the template schemas import them from here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fields from '../../src/shared/job-fields.js';
import * as job from '../../src/shared/job.js';

const message = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, v: unknown) => schema.safeParse(v).error?.issues[0]?.message;

test('builders: ranges, integers, non-empty strings, strict objects and lists say what they expect', () => {
  assert.equal(message(fields.between(1, 5), 7), 'a number from 1 to 5');
  assert.equal(message(fields.intBetween(1, 5), 1.5), 'an integer from 1 to 5');
  assert.equal(message(fields.above(0), 0), 'a number > 0');
  assert.equal(message(fields.nonEmpty(), '   '), 'a non-empty string');
  assert.equal(message(fields.list(fields.bool(), 'a list of flags'), []), 'a list of flags');
  assert.equal(fields.object({ a: fields.bool() }).safeParse({ a: true, b: 1 }).error?.issues[0]?.code, 'unrecognized_keys');
  assert.equal(message(fields.SelectorSchema, {}), 'a selector: {"id": ...} or {"category": ..., "tags": [...]}');
  assert.equal(fields.MAX_VARIATIONS, 1000);
});

test('job.ts re-exports the same builders and schemas', () => {
  assert.equal(job.SelectorSchema, fields.SelectorSchema);
  assert.equal(job.between, fields.between);
  assert.equal(job.MAX_VARIATIONS, fields.MAX_VARIATIONS);
});

test('resolutionField: even WIDTHxHEIGHT from 16 to 8192, one wording for every template', () => {
  const r = fields.resolutionField();
  assert.equal(r.parse('1080x1920'), '1080x1920');
  for (const bad of ['1080x1921', '8x8', '10000x100', '1080 x 1920', 1080]) assert.match(String(r.safeParse(bad).error?.issues[0]?.message), /"WIDTHxHEIGHT" with even sizes from 16 to 8192/);
});

// Ducking: the schema refuses spans out of order or overlapping (naming the span), and the
// filter is one volume filter enabled over the spans at the gain of `db`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duckFilter, DuckSchema } from '../../../src/shared/timeline/duck.js';
import { AudioTrackSchema } from '../../../src/shared/timeline/schema.js';

test('duck: schema and filter', () => {
  assert.equal(duckFilter({ duck: { db: 20, spans: [{ start: 0.5, end: 1.25 }, { start: 2, end: 3 }] } }), "volume=volume=0.1:enable='between(t,0.5,1.25)+between(t,2,3)'");
  assert.equal(duckFilter({}), null);
  assert.equal(duckFilter({ duck: { db: 0, spans: [{ start: 0, end: 1 }] } }), null);
  const bad = DuckSchema.safeParse({ db: 12, spans: [{ start: 1, end: 2 }, { start: 1.5, end: 3 }] });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues[0]!.path, ['spans', 1, 'start']);
  assert.ok(!DuckSchema.safeParse({ db: 61, spans: [] }).success);
  assert.ok(!AudioTrackSchema.safeParse({ file: 'm.mp3', duck: { db: 12, spans: [{ start: 2, end: 1 }] } }).success);
});

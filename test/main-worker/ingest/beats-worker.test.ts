// Beat analysis in a worker thread: the beats of the synchronous detector, while the event
// loop keeps turning; an abort rejects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectBeatsInWorker } from '../../../src/main-worker/ingest/beats-worker.js';
import { detectBeats } from '../../../src/shared/media/beats.js';

test('detectBeatsInWorker: the same beats as detectBeats, computed off the event loop (it keeps turning meanwhile); an abort rejects', async () => {
  const s = new Int16Array(22050 * 4);
  for (let k = 0; k < 7; k++) for (let i = 0; i < 100; i++) s[Math.round((0.3 + k * 0.5) * 22050) + i] = Math.round(20000 * Math.sin(i));
  const expected = detectBeats(s);
  let turns = 0;
  let spinning = true;
  const spin = () => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  // A synchronous analysis would resolve before any setImmediate callback ran.
  const got = await detectBeatsInWorker(s.slice());
  spinning = false;
  assert.deepEqual(got, expected);
  assert.ok(turns > 0, 'the event loop turned during the analysis');
  const ac = new AbortController();
  const p = detectBeatsInWorker(s.slice(), ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
});

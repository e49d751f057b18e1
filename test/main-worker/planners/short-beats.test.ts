// Beats: 2 to 6 s, cut at sentence ends first, at clauses when a sentence runs long; a target
// length ends the short at the last sentence that fits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BEAT, planBeats, shortEnd } from '../../../src/main-worker/planners/short-beats.js';
import { speak } from './speak.js';

test('beats: 2 to 6 s, cut at sentence ends first, clauses when a sentence runs long; every word in one beat', () => {
  const words = speak('I saw a red car today. It was parked by the old harbour near the water, under a bridge, beside a long row of shops and cafes, where people walked slowly in the evening light. Then we went home.');
  const end = words[words.length - 1]!.end + 0.5;
  const beats = planBeats(words, end);
  assert.ok(beats.length >= 3);
  assert.equal(beats[0]!.start, 0);
  assert.equal(beats[beats.length - 1]!.end, end);
  for (const [i, b] of beats.entries()) {
    assert.ok(b.end - b.start >= BEAT.min - 1e-9 && b.end - b.start <= BEAT.max + 1e-9, `beat ${i} lasts ${b.end - b.start} s`);
    if (i > 0) assert.equal(b.start, beats[i - 1]!.end);
  }
  assert.equal(beats.map((b) => b.text).join(' '), words.map((w) => w.word).join(' '));
  assert.equal(beats[0]!.text, 'I saw a red car today.', 'the first sentence is a beat of its own');
  // The long sentence is cut at its clauses.
  assert.ok(beats.slice(1, -1).some((b) => /,$/.test(b.text)), JSON.stringify(beats.map((b) => b.text)));
});

test('shortEnd: a target ends the short at the last sentence that fits', () => {
  const words = speak('One two three four five six. Seven eight nine ten eleven twelve. Thirteen fourteen.');
  assert.equal(shortEnd(words, 20), 20);
  const end = shortEnd(words, 20, 5);
  const firstEnd = words[5]!.end;
  assert.ok(end >= firstEnd && end <= 5, `${end}`);
});

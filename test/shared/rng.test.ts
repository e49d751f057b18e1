// The seeded PRNG behind every random choice of a plan: a stored seed must give the same plan
// on any machine, in any version, so the sequence itself is pinned here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, newSeed, shuffle, type Rng } from '../../src/shared/rng.js';

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng());

test('createRng is mulberry32: the reference sequence for seed 42, the same for the same seed', () => {
  // mulberry32(42)'s first three outputs, as every reference implementation gives them.
  assert.deepEqual(take(createRng(42), 3), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  assert.deepEqual(take(createRng(1234), 50), take(createRng(1234), 50));
  assert.notDeepEqual(take(createRng(1), 5), take(createRng(2), 5));
});

test('seeds are taken as unsigned 32-bit integers; every output is in [0, 1)', () => {
  assert.deepEqual(take(createRng(-1), 5), take(createRng(0xffff_ffff), 5));
  assert.deepEqual(take(createRng(2 ** 32 + 5), 5), take(createRng(5), 5));
  assert.deepEqual(take(createRng(7.9), 5), take(createRng(7), 5));
  for (const v of take(createRng(0), 10_000)) assert.ok(v >= 0 && v < 1, String(v));
});

test('newSeed gives 32 random bits as a non-negative integer', () => {
  const seeds = Array.from({ length: 200 }, newSeed);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32, String(s));
  assert.ok(new Set(seeds).size > 190, 'not a constant');
});

test('shuffle is Fisher-Yates driven by the rng: a permutation, reproducible, the input untouched', () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8] as const;
  const out = shuffle(items, createRng(7));
  assert.deepEqual(out, [5, 7, 2, 3, 4, 6, 8, 1]);
  assert.deepEqual(shuffle(items, createRng(7)), out);
  assert.deepEqual(items, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.notEqual(shuffle(items, createRng(7)), items, 'a new array');
  // An rng stuck at 0 swaps each position with the first; one just below 1 swaps nothing.
  assert.deepEqual(shuffle([1, 2, 3, 4], () => 0), [2, 3, 4, 1]);
  assert.deepEqual(shuffle([1, 2, 3, 4], () => 0.999999), [1, 2, 3, 4]);
  assert.deepEqual(shuffle([], createRng(1)), []);
  assert.deepEqual(shuffle(['only'], createRng(1)), ['only']);
});

// Keywords of what is said: stop words removed, stemmed, once each, any script.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keywords, nameTerms, stem } from '../../../src/main-worker/planners/short-keywords.js';

test('keywords: stop words removed, stemmed, once each', () => {
  assert.deepEqual(keywords('The cars were running by the sea at night, and the sea was calm.'), ['car', 'run', 'sea', 'night', 'calm']);
  assert.equal(stem('cities'), 'city');
  assert.equal(stem('boxes'), 'box');
  assert.equal(stem('hopped'), 'hop');
  assert.equal(stem('glass'), 'glass');
  assert.deepEqual(keywords('Ça va, café! 東京'), ['ça', 'va', 'café', '東京']);
});


test('nameTerms: a file name split at camelCase, dashes and underscores, without its extension', () => {
  assert.deepEqual(nameTerms('RedCar_at-the-SEA.final.jpg'), ['red', 'car', 'sea', 'final']);
});

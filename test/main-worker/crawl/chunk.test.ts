import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkFileName, chunkParagraphs, countWords } from '../../../src/main-worker/crawl/chunk.js';
import { createRng } from '../../../src/shared/rng.js';

function randomText(rng: () => number): string[] {
  const paras: string[] = [];
  const n = 1 + Math.floor(rng() * 30);
  for (let i = 0; i < n; i++) {
    const sentences: string[] = [];
    const s = 1 + Math.floor(rng() * (rng() < 0.1 ? 200 : 8));
    for (let j = 0; j < s; j++) {
      const w = 1 + Math.floor(rng() * (rng() < 0.05 ? 400 : 25));
      sentences.push(`${Array.from({ length: w }, (_, k) => `w${i}x${j}x${k}`).join(' ')}.`);
    }
    paras.push(sentences.join(' '));
  }
  return paras;
}

test('property: every chunk fits, no word is lost, split or reordered', () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 200; trial++) {
    const paras = randomText(rng);
    const max = 10 + Math.floor(rng() * 300);
    const chunks = chunkParagraphs(paras, max);
    for (const c of chunks) assert.ok(countWords(c.join('\n\n')) <= max, `chunk of ${countWords(c.join(' '))} > ${max}`);
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    assert.deepEqual(chunks.flat().flatMap(words), paras.flatMap(words));
  }
});

test('breaks at paragraphs first, then sentences, then words', () => {
  const p = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ') + '.';
  assert.deepEqual(chunkParagraphs([p(4, 'a'), p(4, 'b'), p(4, 'c')], 8), [[p(4, 'a'), p(4, 'b')], [p(4, 'c')]]);
  const long = `${p(5, 'x')} ${p(5, 'y')} ${p(5, 'z')}`;
  assert.deepEqual(chunkParagraphs([long], 10), [[`${p(5, 'x')} ${p(5, 'y')}`], [p(5, 'z')]]);
  const sentence = p(25, 'q');
  assert.deepEqual(chunkParagraphs([sentence], 10).map((c) => countWords(c.join(' '))), [10, 10, 5]);
  assert.equal(chunkFileName(7), 'chunk_0007.txt');
});

test('words are counted without spaces too (Japanese)', () => {
  const ja = '吾輩は猫である。名前はまだ無い。';
  assert.ok(countWords(ja) >= 6);
  const chunks = chunkParagraphs([ja.repeat(50)], 40);
  assert.ok(chunks.length > 1);
  for (const c of chunks) assert.ok(countWords(c.join('')) <= 40);
  assert.equal(chunks.flat().join(''), ja.repeat(50));
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { ClipmillError } from '../../src/shared/errors.js';
import { alignTranscript, readWords, speechUnits, splitSentences, splitWords, wordsFromCharacters, writeWords } from '../../src/shared/words.js';
import { tempDir } from '../helpers.js';

test('words: a character alignment becomes words, spaces and line breaks between them', () => {
  const chars = [...'Hi, you\nthere'];
  const starts = chars.map((_, i) => i * 0.1);
  const ends = chars.map((_, i) => i * 0.1 + 0.1);
  assert.deepEqual(wordsFromCharacters(chars, starts, ends, 1), [
    { word: 'Hi,', start: 1, end: 1.3 },
    { word: 'you', start: 1.4, end: 1.7 },
    { word: 'there', start: 1.8, end: 2.3 },
  ]);
});

test('words: Han and kana are a word per character (punctuation after it stays); their pace counts 1.5 characters a word', () => {
  const chars = [...'你好，世界。 OK'];
  const t = chars.map((_, i) => i * 0.2);
  assert.deepEqual(wordsFromCharacters(chars, t, t.map((x) => x + 0.2)).map((w) => w.word), ['你', '好，', '世', '界。', 'OK']);
  assert.equal(speechUnits('one two three'), 3);
  assert.ok(Math.abs(speechUnits('你好世界。') - 4 / 1.5) < 1e-9);
  assert.ok(Math.abs(speechUnits('iPhone买了') - (1 + 2 / 1.5)) < 1e-9);
  assert.deepEqual(splitWords('iPhone买了, ok 「好」'), ['iPhone', '买', '了,', 'ok', '「好」']);
});

test('words: sentences end at . ! ? … and their CJK and Arabic forms, with closing quotes', () => {
  assert.deepEqual(splitSentences('One. "Two!" Three? Four… 五。六！ سبعة؟ eight\nnine'), ['One.', '"Two!"', 'Three?', 'Four…', '五。', '六！', 'سبعة؟', 'eight', 'nine']);
  assert.deepEqual(splitWords('  a  b\tc\n'), ['a', 'b', 'c']);
});

test('words: a transcript laid on the stretches of sound, one sentence per stretch and a breath inside one', () => {
  const spans = [
    { start: 0.5, end: 1.5 },
    { start: 2.0, end: 2.6 }, // "Second part" ...
    { start: 2.8, end: 3.4 }, // ... "goes on." after a breath
    { start: 4.0, end: 5.0 },
  ];
  const w = alignTranscript('One two three. Second part goes on. Last one here!', spans, 6);
  assert.deepEqual(w.map((x) => x.word), ['One', 'two', 'three.', 'Second', 'part', 'goes', 'on.', 'Last', 'one', 'here!']);
  assert.equal(w[0]!.start, 0.5);
  assert.equal(w[3]!.start, 2.0, 'the second sentence starts at the second stretch');
  assert.equal(w[7]!.start, 4.0, 'the third at the fourth: the breath stays inside the second');
  assert.ok(w[2]!.end <= 1.5 && w[9]!.end <= 5.0);
  // "goes" starts after the breath: words never span a pause.
  assert.ok(w[5]!.start >= 2.8 - 0.05, JSON.stringify(w[5]));
  for (let i = 1; i < w.length; i++) assert.ok(w[i]!.start >= w[i - 1]!.end);
  // Fewer stretches than sentences: they share, in order.
  const few = alignTranscript('A b. C d. E f.', [{ start: 0, end: 3 }], 3);
  assert.equal(few.length, 6);
  for (let i = 1; i < few.length; i++) assert.ok(few[i]!.start >= few[i - 1]!.end);
  assert.deepEqual(alignTranscript('   ', spans, 6), []);
});

test('words: the file is validated, naming the field', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'v.mp3.words.json');
  await writeWords(p, { source: 'espeak-ng', words: [{ word: 'a', start: 0, end: 0.5 }] });
  assert.deepEqual((await readWords(p)).words, [{ word: 'a', start: 0, end: 0.5 }]);
  await writeFile(p, JSON.stringify({ source: 'espeak-ng', words: [{ word: 'a', start: 1, end: 0.5 }] }));
  await assert.rejects(readWords(p), (e: ClipmillError) => e.code === 'WORDS_INVALID' && /words\[0\]\.end/.test(e.message));
  await assert.rejects(readWords(join(dir, 'missing.json')), (e: ClipmillError) => e.code === 'WORDS_INVALID' && /missing/.test(e.message));
});

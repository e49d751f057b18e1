// Line breaking and block placement, with a fake measure (every character 10 px, so widths
// are character counts) and the fake metrics of the ASS tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignOf, layoutText, widthOf, wrapRuns } from '../../../../src/shared/timeline/text/layout.js';
import { fakeMetrics, textLayer } from './fixtures.js';

const measure = (_family: string, text: string) => [...text].length * 10;
const lines = (text: string, max: number, family = 'A') => wrapRuns([{ text, family }], max, measure).map((l) => l.map((r) => r.text).join('|'));

test('wrapRuns: greedy by words; spaces at the breaks dropped; a word too long alone is cut', () => {
  assert.deepEqual(lines('the quick brown fox', 100), ['the quick', 'brown fox']);
  assert.deepEqual(lines('the quick brown fox', 80), ['the', 'quick', 'brown', 'fox']);
  assert.deepEqual(lines('  lead and trail  ', 1000), ['lead and trail']);
  assert.deepEqual(lines('a supercalifragilistic b', 80), ['a', 'supercal', 'ifragili', 'stic b']);
  assert.deepEqual(lines('x', 1), ['x'], 'one character wider than the line stays whole');
});

test('wrapRuns: explicit line breaks; empty lines kept', () => {
  assert.deepEqual(lines('one\n\ntwo three\n', 1000), ['one', '', 'two three', '']);
});

test('wrapRuns: CJK breaks between characters, never before closing punctuation or small kana', () => {
  assert.deepEqual(lines('東京の夜です。とても', 40), ['東京の夜', 'です。と', 'ても']);
  assert.deepEqual(lines('東京の夜です。', 60), ['東京の夜で', 'す。']);
  assert.deepEqual(lines('ちょっと待って', 30), ['ちょっ', 'と待っ', 'て']);
  assert.deepEqual(lines('Tokyo東京', 60), ['Tokyo東', '京']);
});

test('wrapRuns: runs of other families stay runs; a line joins neighbours of one family', () => {
  const runs = [{ text: '✨ ', family: 'S' }, { text: 'Luxury Beauty', family: 'A' }, { text: '✨', family: 'S' }];
  assert.deepEqual(wrapRuns(runs, 90, measure), [[{ text: '✨ ', family: 'S' }, { text: 'Luxury', family: 'A' }], [{ text: 'Beauty', family: 'A' }, { text: '✨', family: 'S' }]]);
  assert.equal(widthOf([{ text: 'ab', family: 'A' }, { text: 'c', family: 'S' }], measure), 30);
  const rtl = wrapRuns([{ text: 'مرحبا بالعالم وداعا', family: 'Ar' }], 130, measure);
  assert.deepEqual(rtl.map((l) => l[0]!.text), ['مرحبا بالعالم', 'وداعا'], 'in logical order: the first words on the first line');
});

test('alignOf: the layer\'s own, else the column of its position; left with x', () => {
  assert.deepEqual(['top-left', 'left', 'bottom-left', 'top', 'center', 'bottom', 'top-right', 'right', 'bottom-right'].map((position) => alignOf(textLayer({ text: 'x', position: position as 'top' }))), ['left', 'left', 'left', 'center', 'center', 'center', 'right', 'right', 'right']);
  assert.equal(alignOf(textLayer({ text: 'x', position: 'right', x: 5 })), 'left');
  assert.equal(alignOf(textLayer({ text: 'x', position: 'right', x: 5, align: 'center' })), 'center');
});

test('layoutText: the block, the box and each line\'s anchor', () => {
  const m = fakeMetrics();
  const layer = textLayer({ text: 'ab\nabcdef', size: 20, position: 'bottom-right', margin: 10, line_spacing: 6, box: { color: 'black', padding: 5 } });
  const l = layoutText(layer, [{ text: layer.text, family: 'M' }], { width: 400, height: 200, scale: 1 }, () => m, 'M');
  // 60 x (20 + 26) text; box 70 x 56 ending 10 px from the right and bottom edges
  assert.deepEqual(l.box, { x: 320, y: 134, w: 70, h: 56 });
  assert.deepEqual(l.text, { x: 325, y: 139, w: 60, h: 46 });
  assert.equal(l.align, 'right');
  assert.deepEqual(l.lines.map((line) => [line.x, line.y, line.width]), [[385, 137, 20], [385, 163, 60]]);
  assert.equal(l.em, 20);
});

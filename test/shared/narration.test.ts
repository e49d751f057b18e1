import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClipmillError } from '../../src/shared/errors.js';
import { assignTakes, decodeNarration, parseNarrationCsv, parseNarrationTxt, partName } from '../../src/shared/narration.js';

const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: ClipmillError) => e.code === 'NARRATION_TEXT_INVALID' && re.test(e.message));

test('narration CSV: BOM, quoted commas and line breaks, tags, any column order', () => {
  const csv = decodeNarration(new TextEncoder().encode('\ufeffcampaign_part,text,tags\n1,"Hello, world.",Spring; Sale \n\n2,"Two lines,\nwith ""quotes""",\n1,Another take of one,\n'));
  assert.deepEqual(parseNarrationCsv(csv), [
    { text: 'Hello, world.', part: 1, tags: ['spring', 'sale'], line: 2 },
    { text: 'Two lines,\nwith "quotes"', part: 2, tags: [], line: 4 },
    { text: 'Another take of one', part: 1, tags: [], line: 6 },
  ]);
  assert.deepEqual(parseNarrationCsv('text,campaign_part\nx,7\n'), [{ text: 'x', part: 7, tags: [], line: 2 }]);
});

test('narration CSV: a bad row names its line; a bad header names the column', () => {
  bad(() => parseNarrationCsv('text,campaign_part\nfine,1\n"never closed,2\n'), /^line 3: a quoted field is never closed/);
  bad(() => parseNarrationCsv('text,campaign_part\nfine,1\nx,0\n'), /^line 3: campaign_part must be a whole number from 1 to 9999, got "0"/);
  bad(() => parseNarrationCsv('text,campaign_part\nfine,1\nx,two\n'), /^line 3: campaign_part .* got "two"/);
  bad(() => parseNarrationCsv('text,campaign_part\n,1\n'), /^line 2: the text cell is empty/);
  bad(() => parseNarrationCsv('text,campain_part\nx,1\n'), /^line 1: unknown column "campain_part"/);
  bad(() => parseNarrationCsv('text,tags\nx,a\n'), /no column campaign_part/);
  bad(() => parseNarrationCsv('text,campaign_part\nx,1,extra\n'), /^line 2: the row has a different number of cells/);
  bad(() => parseNarrationCsv('text,campaign_part\n'), /a header and no row/);
  bad(() => parseNarrationCsv(''), /no header/);
  bad(() => decodeNarration(new Uint8Array([0x61, 0x0a, 0xff, 0x0a])), /^line 2: not valid UTF-8/);
});

test('narration TXT: paragraphs grouped into parts of at most maxPartWords words', () => {
  const txt = 'One two three.\nFour five.\n\n\nSix seven eight nine.\n\nTen.\n';
  assert.deepEqual(parseNarrationTxt(txt, 100), [{ text: 'One two three.\nFour five.\n\nSix seven eight nine.\n\nTen.', part: 1, tags: [], line: 1 }]);
  assert.deepEqual(parseNarrationTxt(txt, 5).map((p) => [p.part, p.line, p.text]), [
    [1, 1, 'One two three.\nFour five.'],
    [2, 5, 'Six seven eight nine.\n\nTen.'],
  ]);
  assert.deepEqual(parseNarrationTxt(txt, 1).map((p) => p.part), [1, 2, 3], 'a paragraph longer than the limit is a part of its own');
  bad(() => parseNarrationTxt(' \n\n', 10), /no text/);
  bad(() => parseNarrationTxt('ok\n\nbad\u0007bell', 10), /^line 3: the text holds the control character U\+0007/);
});

test('narration: takes follow the parts already filed or planned', () => {
  const rows = [1, 2, 1, 1].map((part, i) => ({ text: `t${i}`, part, tags: [], line: i + 2 }));
  assert.deepEqual(assignTakes(rows, new Map()).map((i) => i.target), ['part_0001.mp3', 'part_0002.mp3', 'part_0001_2.mp3', 'part_0001_3.mp3']);
  assert.deepEqual(assignTakes(rows, new Map([[1, new Set([1, 2])]])).map((i) => i.target), ['part_0001_3.mp3', 'part_0002.mp3', 'part_0001_4.mp3', 'part_0001_5.mp3']);
  assert.equal(partName(12, 1), 'part_0012.mp3');
});

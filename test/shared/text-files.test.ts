import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkControl, decodeUtf8Strict, parseCsvTable } from '../../src/shared/text-files.js';

const invalid = (message: string, line?: number) => Object.assign(new Error(line === undefined ? message : `line ${line}: ${message}`), { line });
const COLUMNS = { required: ['text', 'campaign_part'], optional: ['tags'] };

test('parseCsvTable: columns in any order and case, quoted commas, quotes and line breaks, each row with the line it starts on (CRLF files too)', () => {
  for (const nl of ['\n', '\r\n']) {
    const src = ['\ufeffTags,TEXT,campaign_part', 'a;b,"one, two",1', '', ',"three', 'lines ""quoted""', 'here",2', 'x,four,3', ''].join(nl);
    const rows = parseCsvTable(src, COLUMNS, invalid);
    assert.deepEqual(rows.map((r) => [r.line, r.cells.get('text'), r.cells.get('campaign_part'), r.cells.get('tags')]), [
      [2, 'one, two', '1', 'a;b'],
      [4, 'three\nlines "quoted"\nhere', '2', ''],
      [7, 'four', '3', 'x'],
    ], JSON.stringify(nl));
  }
  // An optional column may be absent.
  assert.deepEqual(parseCsvTable('campaign_part,text\n1,hi\n', COLUMNS, invalid).map((r) => r.cells.get('tags')), [undefined]);
});

test('parseCsvTable: every error names its line and what the columns are', () => {
  const bad = (src: string, re: RegExp) => assert.throws(() => parseCsvTable(src, COLUMNS, invalid), re);
  bad('text,campaign_part\nok,1\n"never closed,2\nnext,3\n', /: line 3: a quoted field is never closed/);
  bad('text,campaign_part\nok,1\nalone\n', /: line 3: the row has a different number of cells than the header/);
  bad('text,campain_part\n', /: line 1: unknown column "campain_part" in the header: the columns are text, campaign_part and, optionally, tags$/);
  bad('text,text,campaign_part\n', /: line 1: the column text appears twice/);
  bad('\n\ntext,tags\n', /: line 3: the header has no column campaign_part/);
  bad('', /: the file holds no header \(expected the columns text, campaign_part and, optionally, tags\)$/);
});

test('decodeUtf8Strict drops the BOM and names the first line that is not UTF-8; checkControl names the line of a control character', () => {
  assert.equal(decodeUtf8Strict(new TextEncoder().encode('\ufeffعروض 春 🚗'), invalid), 'عروض 春 🚗');
  assert.throws(() => decodeUtf8Strict(new Uint8Array([0x61, 0x0a, 0x62, 0x0a, 0xe9, 0x0a]), invalid), /: line 3: not valid UTF-8/);
  assert.equal(checkControl('tab\tand\nnewline', 5, invalid), 'tab\tand\nnewline');
  assert.throws(() => checkControl('a\nb\u0007', 5, invalid), /: line 6: the text holds the control character U\+0007$/);
});

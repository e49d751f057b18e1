// fontconfig through fc-match and fc-list: patterns escaped, answers parsed, the installed
// fonts found, and a hanging fc-match canceled (a fake on PATH, STYLE 11).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../../../src/shared/errors.js';
import { familyPattern, fcListCharset, fcMatch, parseFaces, splitValues } from '../../../../src/shared/timeline/text/fontconfig.js';
import { tempDir, writeScript } from '../../../helpers.js';

test('familyPattern escapes what the pattern syntax reads; properties follow', () => {
  assert.equal(familyPattern('Noto Sans'), 'Noto Sans');
  assert.equal(familyPattern('A-B:C,D\\E', { weight: 'bold' }), 'A\\-B\\:C\\,D\\\\E:weight=bold');
});

test('parseFaces reads file, index, families, PostScript name and weight; splitValues honours \\,', () => {
  assert.deepEqual(parseFaces('/f/a.ttc\t3\tNoto Sans CJK TC,Noto Sans CJK TC Regular\tNotoSansCJKtc-Regular\t80\nbad line\n\n/f/b.ttf\t0\tX\\,Y\tXY\t200\n'), [
    { file: '/f/a.ttc', index: 3, families: ['Noto Sans CJK TC', 'Noto Sans CJK TC Regular'], postscriptName: 'NotoSansCJKtc-Regular', weight: 80 },
    { file: '/f/b.ttf', index: 0, families: ['X,Y'], postscriptName: 'XY', weight: 200 },
  ]);
  assert.deepEqual(splitValues('a,b\\,c,,d'), ['a', 'b,c', 'd']);
});

test('fcMatch resolves a family and its bold face; an unknown family gets fontconfig\'s default (the caller checks)', async () => {
  const regular = await fcMatch('DejaVu Sans', false);
  assert.ok(regular && regular.families.includes('DejaVu Sans') && /DejaVuSans\.ttf$/.test(regular.file), JSON.stringify(regular));
  const bold = await fcMatch('Noto Sans CJK JP', true);
  assert.ok(bold && /NotoSansCJK-Bold\.ttc$/.test(bold.file) && bold.postscriptName === 'NotoSansCJKjp-Bold' && bold.weight === 200, JSON.stringify(bold));
  const unknown = await fcMatch('No Such Family 42', false);
  assert.ok(unknown && !unknown.families.includes('No Such Family 42'));
});

test('fcListCharset lists the outline fonts that have a code point, none for a private-use one', async () => {
  const sparkles = await fcListCharset(0x2728);
  assert.ok(sparkles.some((f) => f.families.includes('Symbola')), JSON.stringify(sparkles));
  assert.deepEqual(await fcListCharset(0x10fffd), []);
});

test('a hanging fc-match is canceled by the signal: SUBPROCESS_FAILED, not remembered', async (t) => {
  const dir = await tempDir(t);
  await writeScript(join(dir, 'fc-match'), 'exec sleep 30');
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved ?? ''}`;
  try {
    const started = Date.now();
    await assert.rejects(fcMatch('Hang Family', false, AbortSignal.timeout(200)), (err) => isClipmillError(err, 'SUBPROCESS_FAILED') && err.details.canceled === true);
    assert.ok(Date.now() - started < 5000);
  } finally {
    process.env.PATH = saved;
  }
  assert.ok(await fcMatch('Hang Family', false), 'the failure was not cached: the real fc-match answers now');
});

// Font files through fontkit: faces and their names, outlines, the metrics libass uses, faces
// found in a collection by PostScript name, a fonts folder read as libass reads it, and the
// parse cache.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fcMatch } from '../../../../src/shared/timeline/text/fontconfig.js';
import { facesOfDir, facesOfFile, loadFace } from '../../../../src/shared/timeline/text/font-files.js';
import { tempDir } from '../../../helpers.js';
import { patchedFont } from './fixtures.js';

test('facesOfFile: DejaVu Sans, its names, weight, outlines and metrics in libass terms', async () => {
  const file = (await fcMatch('DejaVu Sans', false))!.file;
  const [face, ...more] = await facesOfFile(file);
  assert.deepEqual(more, []);
  assert.deepEqual([face!.families, face!.postscriptName, face!.weight, face!.italic, face!.outlines, face!.index], [['DejaVu Sans'], 'DejaVuSans', 400, false, true, 0]);
  const m = face!.metrics;
  // unitsPerEm 2048; hhea 1901 / -483 / 0; OS/2 winAscent 1901, winDescent 483
  assert.deepEqual([m.ascent, m.descent, m.lineGap, m.assSize, m.assAscent], [1901 / 2048, 483 / 2048, 0, 2384 / 2048, 1901 / 2048]);
  assert.equal(m.has(0x41), true);
  assert.equal(m.has(0x2728), false);
  assert.equal(m.advance(''), 0);
  assert.ok(Math.abs(m.advance('HH') - 2 * m.advance('H')) < 1e-9);
  assert.ok(m.advance('AV') < m.advance('A') + m.advance('V'), 'kerning applies');
});

test('loadFace: one face of a collection by PostScript name, else by index; parsed once', async () => {
  const bold = (await fcMatch('Noto Sans CJK JP', true))!;
  const jp = await loadFace(bold.file, 'NotoSansCJKjp-Bold');
  assert.ok(jp);
  assert.deepEqual([jp.families[0], jp.weight, jp.outlines, jp.index], ['Noto Sans CJK JP', 700, true, bold.index]);
  assert.equal(jp.metrics.has(0x6771), true);
  // Noto Sans CJK: unitsPerEm 1000, winAscent 1160, winDescent 288
  assert.deepEqual([jp.metrics.assSize, jp.metrics.assAscent], [1.448, 1.16]);
  const byIndex = await loadFace(bold.file, '', 1);
  assert.ok(byIndex && byIndex.index === 1 && byIndex.families[0] !== 'Noto Sans CJK JP');
  assert.equal(await loadFace(bold.file, 'NotoSansCJKjp-Bold'), jp, 'the same face object: the file was not parsed again');
  assert.equal(await loadFace(bold.file, 'No-Such', 99), null);
});

test('a face without glyf, CFF or CFF2 has no outlines (bitmap-only, as colour emoji fonts)', async (t) => {
  const dir = await tempDir(t);
  const [face] = await facesOfFile(await patchedFont(dir, 'bitmap.ttf', 'Clipmill Bm', { outlines: false }));
  assert.deepEqual([face!.families, face!.outlines], [['Clipmill Bm'], false]);
});

test('facesOfDir: font files directly in the folder, as libass loads them; other files and subfolders skipped', async (t) => {
  const dir = await tempDir(t);
  await patchedFont(dir, 'a.ttf', 'Clipmill Aa');
  await patchedFont(dir, 'B.TTF', 'Clipmill Bb');
  await writeFile(join(dir, 'not-a-font.ttf'), 'hello');
  await writeFile(join(dir, 'readme.txt'), 'hello');
  await mkdir(join(dir, 'sub'));
  await patchedFont(join(dir, 'sub'), 'c.ttf', 'Clipmill Cc');
  await patchedFont(dir, '.hidden.ttf', 'Clipmill Hh');
  assert.deepEqual((await facesOfDir(dir)).map((f) => f.families[0]), ['Clipmill Bb', 'Clipmill Aa']);
  await assert.rejects(facesOfDir(join(dir, 'missing')), { code: 'ENOENT' });
});

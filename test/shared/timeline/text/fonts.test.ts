// planFonts with the fonts of a Debian machine set up by scripts/setup.mjs (Noto, Noto CJK,
// Symbola, DejaVu): runs per family, fallbacks logged once per layer, a missing family
// replaced, the fonts folder searched first, bitmap-only faces refused, and a character no
// font has failing with TEXT_UNRENDERABLE before anything renders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../../src/shared/errors.js';
import { assSafeFamily, cjkLanguage, codePointName, fallbackRank, faceKey, isIgnorable, normalizeText, planFonts } from '../../../../src/shared/timeline/text/fonts.js';
import { tempDir } from '../../../helpers.js';
import { captureLog, patchedFont, timeline } from './fixtures.js';

const warnings = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.level === 40);

test('planFonts: a text the family draws whole is one run; no warning', async () => {
  const { log, lines } = captureLog();
  const fonts = await planFonts(timeline([{ text: `it's 100% "done": a\\b; c,d [e] {f}` }, { text: 'Привет, мир', bold: true }, { text: 'x', font: 'dejavu sans' }]), { fontsDirs: [], log });
  assert.deepEqual(fonts.runs.get(0), [{ text: `it's 100% "done": a\\b; c,d [e] {f}`, family: 'Noto Sans' }]);
  assert.deepEqual(fonts.runs.get(1), [{ text: 'Привет, мир', family: 'Noto Sans' }]);
  assert.deepEqual(fonts.runs.get(2), [{ text: 'x', family: 'DejaVu Sans' }], 'the name as fontconfig writes it');
  assert.deepEqual([...fonts.primary], [[0, 'Noto Sans'], [1, 'Noto Sans'], [2, 'DejaVu Sans']]);
  assert.deepEqual([...fonts.faces.keys()].sort(), [faceKey('DejaVu Sans', false), faceKey('Noto Sans', false), faceKey('Noto Sans', true)].sort());
  assert.ok(fonts.faces.get(faceKey('Noto Sans', true))!.advance('Wide') > fonts.faces.get(faceKey('Noto Sans', false))!.advance('Wide'), 'bold is measured with the bold face');
  assert.deepEqual(fonts.fontsDirs, []);
  assert.deepEqual(warnings(lines), []);
});

test('planFonts: characters the family lacks go to a font that has them (Noto first, never bitmaps), logged once per layer', async () => {
  const { log, lines } = captureLog();
  const fonts = await planFonts(timeline([{ text: '✨ Luxury Beauty Secrets Revealed!' }, { text: '東京の夜' }, { text: 'Hi مرحبا بالعالم!' }, { text: '北京' }, { text: '서울 Seoul' }]), { fontsDirs: [], log });
  assert.deepEqual(fonts.runs.get(0), [{ text: '✨ ', family: 'Symbola' }, { text: 'Luxury Beauty Secrets Revealed!', family: 'Noto Sans' }]);
  assert.deepEqual(fonts.runs.get(1), [{ text: '東京の夜', family: 'Noto Sans CJK JP' }], 'kana: the Japanese forms');
  assert.deepEqual(fonts.runs.get(2), [{ text: 'Hi ', family: 'Noto Sans' }, { text: 'مرحبا بالعالم', family: 'Noto Sans Arabic' }, { text: '!', family: 'Noto Sans' }]);
  assert.deepEqual(fonts.runs.get(3), [{ text: '北京', family: 'Noto Sans CJK SC' }], 'Han alone: the Simplified Chinese forms');
  assert.deepEqual(fonts.runs.get(4), [{ text: '서울 ', family: 'Noto Sans CJK KR' }, { text: 'Seoul', family: 'Noto Sans' }]);
  for (const family of ['Symbola', 'Noto Sans CJK JP', 'Noto Sans Arabic']) assert.ok(fonts.faces.has(faceKey(family, false)), family);
  const warned = warnings(lines);
  assert.deepEqual(warned.map((l) => l.layer), [0, 1, 2, 3, 4], 'one warning per layer');
  assert.deepEqual(warned[0]!.fallbacks, { Symbola: ['U+2728'] });
  assert.equal(warned[0]!.font, 'Noto Sans');
  assert.match(String(warned[0]!.msg), /Text layer 0: font "Noto Sans" lacks some characters; drawn with "Symbola" for ✨ \(U\+2728\)/);
  assert.deepEqual(warned[1]!.fallbacks, { 'Noto Sans CJK JP': ['U+6771', 'U+4EAC', 'U+306E', 'U+591C'] });
});

test('planFonts: a family that is not installed falls back to Noto Sans, with a log line', async () => {
  const { log, lines } = captureLog();
  const fonts = await planFonts(timeline([{ text: 'Hello', font: 'No Such Family 42', bold: true }]), { fontsDirs: [], log });
  assert.deepEqual(fonts.runs.get(0), [{ text: 'Hello', family: 'Noto Sans' }]);
  assert.equal(fonts.primary.get(0), 'Noto Sans');
  assert.ok(fonts.faces.has(faceKey('Noto Sans', true)));
  const [warned, ...more] = warnings(lines);
  assert.deepEqual(more, []);
  assert.deepEqual([warned!.layer, warned!.font, warned!.using], [0, 'No Such Family 42', 'Noto Sans']);
  assert.match(String(warned!.msg), /font "No Such Family 42" is not installed; using "Noto Sans"/);
});

test('planFonts: a character no installed font has is TEXT_UNRENDERABLE, naming the layer, the characters and the font', async () => {
  const tl = timeline([{ text: 'fine' }, { text: 'bad \u{10FFFD} and \u0378 and \u{10FFFD}', font: 'DejaVu Sans' }]);
  await assert.rejects(planFonts(tl, { fontsDirs: [] }), (err) => {
    assert.ok(isClipmillError(err, 'TEXT_UNRENDERABLE'));
    assert.equal(err.errorClass, 'fatal');
    assert.match(err.message, /^Text layer 1 cannot be drawn: no installed font has U\+10FFFD, U\+0378 \(tried "DejaVu Sans"/);
    assert.deepEqual(err.details, { layer: 1, characters: ['U+10FFFD', 'U+0378'], font: 'DejaVu Sans' });
    return true;
  });
});

test('planFonts: the first fonts folder is searched first (fontkit reads the family); more folders are not read, and said so', async (t) => {
  const dir = await tempDir(t);
  const other = await tempDir(t);
  await patchedFont(dir, 'brand.ttf', 'Clipmill Ty');
  await patchedFont(other, 'other.ttf', 'Clipmill Tz');
  const { log, lines } = captureLog();
  const fonts = await planFonts(timeline([{ text: 'Brand ✨', font: 'clipmill ty' }, { text: 'x', font: 'Clipmill Tz' }]), { fontsDirs: [dir, other], log });
  assert.deepEqual(fonts.fontsDirs, [dir]);
  // the copy of DejaVu Sans in the folder lacks U+2728, as DejaVu Sans does: Symbola draws it
  assert.deepEqual(fonts.runs.get(0), [{ text: 'Brand ', family: 'Clipmill Ty' }, { text: '✨', family: 'Symbola' }]);
  assert.deepEqual(fonts.runs.get(1), [{ text: 'x', family: 'Noto Sans' }], 'the second folder is not read');
  const messages = warnings(lines).map((l) => String(l.msg));
  assert.equal(messages.length, 3);
  assert.match(messages[0]!, /only the first fonts folder/);
  assert.match(messages[1]!, /Text layer 0: font "Clipmill Ty" lacks some characters; drawn with "Symbola"/);
  assert.match(messages[2]!, /Text layer 1: font "Clipmill Tz" is not installed/);
});

test('planFonts: a bitmap-only face is refused (libass cannot draw it); an unreadable folder is logged and skipped', async (t) => {
  const dir = await tempDir(t);
  await patchedFont(dir, 'bitmap.ttf', 'Clipmill Bm', { outlines: false });
  const { log, lines } = captureLog();
  const fonts = await planFonts(timeline([{ text: 'x', font: 'Clipmill Bm' }]), { fontsDirs: [dir], log });
  assert.deepEqual(fonts.runs.get(0), [{ text: 'x', family: 'Noto Sans' }]);
  assert.match(String(warnings(lines)[0]!.msg), /"Clipmill Bm" is a bitmap-only font \(libass cannot draw it\); using "Noto Sans"/);
  const missing = captureLog();
  const f2 = await planFonts(timeline([{ text: 'x' }]), { fontsDirs: [`${dir}/nope`], log: missing.log });
  assert.deepEqual(f2.fontsDirs, []);
  assert.match(String(warnings(missing.lines)[0]!.msg), /cannot be read/);
});

test('planFonts: line breaks and spaces normalized; invisible characters the face lacks dropped, those it has kept', async () => {
  const fonts = await planFonts(timeline([{ text: 'a\r\nb\tc\u2028d\u0007 e\u200df\uFE0F' }, { text: '  \n ' }]), { fontsDirs: [] });
  // Noto Sans has ZWJ (U+200D) but not VS16 (U+FE0F)
  assert.deepEqual(fonts.runs.get(0), [{ text: 'a\nb c\nd e\u200df', family: 'Noto Sans' }]);
  assert.deepEqual(fonts.runs.get(1), [{ text: '  \n ', family: 'Noto Sans' }]);
  assert.equal(normalizeText('1\r2\r\n3\u20294\t5\u0000'), '1\n2\n3\n4 5');
});

test('planFonts: a timeline without text layers asks nothing; a canceled plan rejects', async () => {
  const none = await planFonts(timeline([]), { fontsDirs: ['/does/not/matter'] });
  assert.deepEqual([none.runs.size, none.fontsDirs], [0, []]);
  await assert.rejects(planFonts(timeline([{ text: 'x' }]), { fontsDirs: [], signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('fallback order, CJK language, ignorable characters, safe names, U+XXXX', () => {
  const order = ['DejaVu Sans', 'Noto Serif CJK JP', 'Noto Sans Mono CJK JP', 'Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Kufi Arabic', 'Noto Sans Arabic', 'Symbola'];
  const sorted = [...order].sort((a, b) => fallbackRank(a, 'JP').join().localeCompare(fallbackRank(b, 'JP').join()) || a.localeCompare(b));
  assert.deepEqual(sorted, ['Noto Sans Arabic', 'Noto Sans CJK JP', 'Noto Sans CJK SC', 'Noto Sans Mono CJK JP', 'Noto Serif CJK JP', 'Noto Kufi Arabic', 'DejaVu Sans', 'Symbola']);
  assert.deepEqual(['東京の夜', '서울', '北京', 'abc'].map(cjkLanguage), ['JP', 'KR', 'SC', 'SC']);
  assert.deepEqual([0x20, 0x0a, 0x200d, 0x2060, 0xfe0f, 0xe0101, 0xad].map(isIgnorable), [true, true, true, true, true, true, true]);
  assert.deepEqual([0x41, 0xa0, 0x3000, 0x0600, 0x2728].map(isIgnorable), [false, false, false, false, false], 'NBSP and the ideographic space need a glyph; U+0600 is visible');
  assert.deepEqual(['Noto Sans', 'A-B: C'].map(assSafeFamily), [true, true]);
  assert.deepEqual(['a,b', 'a\\b', 'a{b', 'a}b', 'f(x)', '@Vertical', '0', ' pad', 'tab\tx', ''].map(assSafeFamily), Array(10).fill(false));
  assert.deepEqual([0x41, 0x2728, 0x10fffd].map(codePointName), ['U+0041', 'U+2728', 'U+10FFFD']);
});

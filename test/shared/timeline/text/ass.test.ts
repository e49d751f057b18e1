// The ASS document of text layers, exactly (fake metrics: every character 0.5 em wide, ascent
// 0.8, descent 0.2, libass size 1.25 em and ascender 0.9 em), then real renders through
// ffmpeg's ass filter with the installed fonts: the text lands where the layout says, in every
// script the farm meets, with stroke and box; ffmpeg and libass report no missing glyph.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { assColor, assColorTags, assFilter, assTime, buildAss, centiseconds, escapeAssText } from '../../../../src/shared/timeline/text/ass.js';
import type { TextLayer } from '../../../../src/shared/timeline/schema.js';
import { tempDir } from '../../../helpers.js';
import { fakeFonts, fakeMetrics, grow, inside, patchedFont, pixels, render, textLayer, white } from './fixtures.js';

const MONO = fakeMetrics();
const SYM = fakeMetrics({ advance: 1, ascent: 1, descent: 0.25, lineGap: 0.1, assSize: 1.5, assAscent: 1.1 });
const canvas = { width: 400, height: 200, scale: 1 };

/** The Text field of a Dialogue line. */
const textOf = (e: string) => e.slice(e.indexOf(',,0,0,0,,') + 9);

/** The document's lines after [Events]' Format line, and its style lines. */
function doc(layers: Array<Partial<TextLayer> & { text: string }>, opts: { runs?: Record<number, Array<{ text: string; family: string }>>; primary?: Record<number, string>; canvas?: typeof canvas; duration?: number } = {}) {
  const entries = layers.map((l, index) => ({ layer: textLayer(l), index }));
  const runs = opts.runs ?? Object.fromEntries(entries.map(({ layer, index }) => [index, [{ text: layer.text, family: 'Mono' }]]));
  const ass = buildAss(entries, opts.canvas ?? canvas, fakeFonts(runs, { Mono: MONO, Sym: SYM }, opts.primary), opts.duration ?? 5);
  const lines = ass.split('\n');
  return { ass, styles: lines.filter((l) => l.startsWith('Style: ')), events: lines.filter((l) => l.startsWith('Dialogue: ')) };
}

test('buildAss: the whole document for one layer', () => {
  const { ass } = doc([{ text: 'abcd', size: 20, margin: 10, start: 0.5, end: 2 }]);
  assert.equal(ass, [
    '[Script Info]',
    '; The text layers of a clipmill timeline (src/shared/timeline/text/ass.ts)',
    'ScriptType: v4.00+',
    'PlayResX: 400',
    'PlayResY: 200',
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    'Kerning: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // size 20 px of em = ASS size 25 (1.25 em); white; no stroke; auto base direction
    'Style: T0,Mono,25,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,-1',
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    // top-left, margin 10: the line's top at 10 + ascent 16 - libass ascender 18 = 8
    'Dialogue: 1,0:00:00.50,0:00:02.00,T0,,0,0,0,,{\\an7\\pos(10,8)}abcd',
    '',
  ].join('\n'));
});

test('buildAss: the 9 grid positions and x/y place the block and align its lines', () => {
  // "abcd" at 20 px: 40 x 20 (ascent 16 + descent 4); libass puts the baseline 18 below \pos.
  const cases: Array<[Partial<TextLayer>, string]> = [
    [{ position: 'top-left' }, '\\an7\\pos(10,8)'],
    [{ position: 'top' }, '\\an8\\pos(200,8)'],
    [{ position: 'top-right' }, '\\an9\\pos(390,8)'],
    [{ position: 'left' }, '\\an7\\pos(10,88)'],
    [{ position: 'center' }, '\\an8\\pos(200,88)'],
    [{ position: 'right' }, '\\an9\\pos(390,88)'],
    [{ position: 'bottom-left' }, '\\an7\\pos(10,168)'],
    [{ position: 'bottom' }, '\\an8\\pos(200,168)'],
    [{ position: 'bottom-right' }, '\\an9\\pos(390,168)'],
    [{ x: 33, y: 44 }, '\\an7\\pos(33,42)'],
    [{ position: 'bottom-right', x: 33 }, '\\an7\\pos(33,168)'],
    [{ position: 'bottom-right', y: 44, align: 'center' }, '\\an8\\pos(370,42)'],
  ];
  for (const [l, want] of cases) assert.equal(doc([{ text: 'abcd', size: 20, margin: 10, ...l }]).events[0], `Dialogue: 1,0:00:00.00,0:00:05.00,T0,,0,0,0,,{${want}}abcd`, JSON.stringify(l));
});

test('buildAss: a draft canvas scales size, positions, stroke and padding', () => {
  const { styles, events } = doc([{ text: 'abcd', size: 20, margin: 10, position: 'bottom-right', stroke: { color: 'black', width: 4 }, box: { color: 'black', padding: 6 } }], { canvas: { width: 200, height: 100, scale: 0.5 } });
  assert.equal(styles[0], 'Style: T0,Mono,12.5,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,7,0,0,0,-1');
  // block 20 x 10 + padding 3: right edge 200 - 5 - 3 = 192, bottom 100 - 5 - 3 = 92
  assert.deepEqual(events, [
    'Dialogue: 0,0:00:00.00,0:00:05.00,T0,,0,0,0,,{\\an7\\pos(169,79)\\p1\\bord0\\shad0\\1c&H000000&\\1a&H00&}m 0 0 l 26 0 26 16 0 16{\\p0}',
    'Dialogue: 1,0:00:00.00,0:00:05.00,T0,,0,0,0,,{\\an9\\pos(192,81)}abcd',
  ]);
});

test('buildAss: lines wrap at wrap_width (or the width less the margins) and keep the line spacing', () => {
  // words of 3 characters are 30 px at 20 px; "aaa bbb" is 70 px
  assert.deepEqual(doc([{ text: 'aaa bbb ccc', size: 20, wrap_width: 75 }]).events.map(textOf), ['{\\an7\\pos(0,-2)}aaa bbb', '{\\an7\\pos(0,18)}ccc']);
  assert.deepEqual(doc([{ text: 'aaa bbb ccc', size: 20, wrap_width: 60, line_spacing: 5 }]).events.map(textOf), ['{\\an7\\pos(0,-2)}aaa', '{\\an7\\pos(0,23)}bbb', '{\\an7\\pos(0,48)}ccc']);
  // default: 400 - 2 * 125 = 150 px: 15 characters
  assert.deepEqual(doc([{ text: 'aaaa bbbb cccc dddd', size: 20, margin: 125 }]).events.map(textOf), ['{\\an7\\pos(125,123)}aaaa bbbb cccc', '{\\an7\\pos(125,143)}dddd']);
  // an explicit line break, an empty line that keeps its place, centred lines
  assert.deepEqual(doc([{ text: 'ab\n\nabcdef', size: 20, position: 'top' }]).events.map(textOf), ['{\\an8\\pos(200,-2)}ab', '{\\an8\\pos(200,38)}abcdef']);
});

test('buildAss: colours are &HAABBGGRR with the alpha inverted; names and #rrggbbaa', () => {
  assert.equal(assColor('#112233'), '&H00332211');
  assert.equal(assColor('#112233ff'), '&H00332211');
  assert.equal(assColor('#11223380'), '&H7F332211');
  assert.equal(assColor('#aabbcc00'), '&HFFCCBBAA');
  assert.equal(assColor('White'), '&H00FFFFFF');
  assert.equal(assColor('orange'), '&H0000A5FF');
  assert.equal(assColor('transparent'), '&HFF000000');
  assert.equal(assColorTags('#11223380'), '\\1c&H332211&\\1a&H7F&');
  const { styles } = doc([{ text: 'x', color: '#ff000080', bold: true, stroke: { color: 'yellow', width: 3 } }]);
  assert.equal(styles[0], 'Style: T0,Mono,80,&H7F0000FF,&H7F0000FF,&H0000FFFF,&H00000000,-1,0,0,0,100,100,0,0,1,3,0,7,0,0,0,-1');
});

test('buildAss: times cover [start, end): the start rounded down, the end up, to centiseconds; no end: the duration', () => {
  assert.equal(assTime(0), '0:00:00.00');
  assert.equal(assTime(372550), '1:02:05.50');
  assert.equal(centiseconds(1 / 3, 'down'), 33);
  assert.equal(centiseconds(0.29, 'down'), 29, 'not 28 (0.29 * 100 = 28.999999999999996)');
  assert.equal(centiseconds(1.001, 'up'), 101);
  assert.equal(centiseconds(0.57, 'up'), 57, 'not 58 (0.57 * 100 = 56.99999999999999)');
  assert.equal(centiseconds(2 / 3, 'up'), 67);
  const { events } = doc([{ text: 'a', start: 1 / 3, end: 2 / 3 }, { text: 'b', start: 1.5 }], { duration: 3725.5 });
  assert.match(events[0]!, /^Dialogue: 1,0:00:00\.33,0:00:00\.67,T0,/);
  assert.match(events[1]!, /^Dialogue: 3,0:00:01\.50,1:02:05\.50,T1,/);
});

test('escapeAssText: braces escaped, a backslash before a code letter or an override block broken by a zero-width joiner', () => {
  assert.equal(escapeAssText('a\\b {f} \\N \\n \\h \\{x}'), 'a\\b \\{f\\} \\\u2060N \\\u2060n \\\u2060h \\\\{x\\}');
  assert.equal(escapeAssText('end\\'), 'end\\');
  assert.equal(escapeAssText('end\\', '\u200b', true), 'end\\\u200b');
  assert.equal(escapeAssText('\\\\N'), '\\\\\u2060N');
  // in a document: the joiner is one the run's face has
  const lacks = fakeMetrics({ lacks: [0x2060] });
  const fonts = fakeFonts({ 0: [{ text: 'x\\N', family: 'L' }] }, { L: lacks });
  assert.match(buildAss([{ layer: textLayer({ text: 'x\\N' }), index: 0 }], canvas, fonts, 1), /\}x\\\u200bN\n/);
});

test('buildAss: fallback runs switch font and size with \\fn and \\fs, and back; the line sits by its tallest font', () => {
  const runs = { 0: [{ text: 'a\\', family: 'Mono' }, { text: '✨', family: 'Sym' }, { text: ' b', family: 'Mono' }] };
  const { events } = doc([{ text: 'a\\✨ b', size: 20 }], { runs });
  // Sym's ascent (1 em) sets the block's ascent: baseline at 20; its libass ascender 22
  assert.deepEqual(events, ['Dialogue: 1,0:00:00.00,0:00:05.00,T0,,0,0,0,,{\\an7\\pos(0,-2)}a\\\u2060{\\fnSym\\fs30}✨{\\fnMono\\fs25} b']);
  // a line with no run of the style's family still sets its own font
  assert.equal(doc([{ text: '✨' }], { runs: { 0: [{ text: '✨', family: 'Sym' }] }, primary: { 0: 'Mono' } }).events.map(textOf)[0], '{\\an7\\pos(0,-6.4)}{\\fnSym\\fs96}✨');
  assert.deepEqual(doc([{ text: 'ab' }], { runs: { 0: [{ text: 'ab', family: 'Sym' }] } }).styles, ['Style: T0,Sym,96,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,-1']);
});

test('buildAss: the box is one drawing below the text, the block grown by the padding; layers stack in order', () => {
  const { events } = doc([{ text: 'abcd', size: 20, position: 'center', box: { color: '#0000ffc0', padding: 10 } }, { text: 'z', size: 20 }]);
  assert.deepEqual(events, [
    'Dialogue: 0,0:00:00.00,0:00:05.00,T0,,0,0,0,,{\\an7\\pos(170,80)\\p1\\bord0\\shad0\\1c&HFF0000&\\1a&H3F&}m 0 0 l 60 0 60 40 0 40{\\p0}',
    'Dialogue: 1,0:00:00.00,0:00:05.00,T0,,0,0,0,,{\\an8\\pos(200,88)}abcd',
    'Dialogue: 3,0:00:00.00,0:00:05.00,T1,,0,0,0,,{\\an7\\pos(0,-2)}z',
  ]);
});

test('buildAss: a layer without planned fonts, or a family name ASS cannot carry, is a programming error; blank text draws nothing', () => {
  assert.throws(() => buildAss([{ layer: textLayer({ text: 'x' }), index: 4 }], canvas, fakeFonts({}, {}), 1), /text layer 4 has no planned fonts/);
  assert.throws(() => buildAss([{ layer: textLayer({ text: 'x' }), index: 0 }], canvas, fakeFonts({ 0: [{ text: 'x', family: 'A,B' }] }, { 'A,B': MONO }), 1), /"A,B" cannot be written/);
  assert.deepEqual(doc([{ text: ' \n ', box: { color: 'black', padding: 4 } }]).events, []);
});

test('assFilter: complex shaping at the canvas size; the path escaped for the filter graph; one fonts folder', () => {
  assert.equal(assFilter('/tmp/a.ass', canvas, []), 'ass=filename=/tmp/a.ass:original_size=400x200:shaping=complex');
  assert.equal(assFilter('/tmp/a.ass', canvas, ['/f1', '/f2']), 'ass=filename=/tmp/a.ass:original_size=400x200:shaping=complex:fontsdir=/f1');
  assert.equal(assFilter("/t/it's [a], b; c:d\\e.ass", canvas, ['/x:y']), "ass=filename=/t/it\\\\\\'s \\[a\\]\\, b\\; c\\\\:d\\\\\\\\e.ass:original_size=400x200:shaping=complex:fontsdir=/x\\\\:y");
});

// Real renders: 320x180, one frame. The text's white pixels lie in its layout's block (grown
// by a few pixels of antialiasing and side bearing) and fill most of its width.
const SAMPLES = [`it's 100% "done": a\\b; c,d [e] {f}`, '✨ Luxury Beauty Secrets Revealed!', 'Привет, мир', '東京の夜', 'مرحبا بالعالم'];
for (const text of SAMPLES) {
  test(`render: ${JSON.stringify(text)} draws where its layout says`, async (t) => {
    const dir = await tempDir(t);
    const img = await render(dir, [{ text, size: 18, position: 'center' }]);
    const block = img.layouts[0]!.text;
    const ink = pixels(img, white);
    assert.ok(ink.box && ink.count > 40, `text pixels: ${ink.count}`);
    assert.ok(inside(ink.box, grow(block, 3)), `ink ${JSON.stringify(ink.box)} within block ${JSON.stringify(block)}`);
    assert.ok(Math.abs(ink.box.w - block.w) <= 4, `ink ${ink.box.w} px wide, measured ${block.w}: libass drew every character, as wide as measured`);
    for (const run of img.fonts.runs.get(0)!) assert.match(img.stderr, new RegExp(`fontselect: \\(${run.family}, 400, 0\\)`), `libass opened ${run.family}`);
  });
}

test('render: a line break makes two lines, line_spacing apart', async (t) => {
  const dir = await tempDir(t);
  const img = await render(dir, [{ text: 'HHHH\nHHHH', size: 20, position: 'top-left', margin: 8, line_spacing: 10 }]);
  const rows = Array.from({ length: img.height }, (_, y) => pixels(img, white, { x: 0, y, w: img.width, h: 1 }).count > 0);
  const bands = rows.map((on, y) => (on && !rows[y - 1] ? y : -1)).filter((y) => y >= 0);
  assert.equal(bands.length, 2, `two bands of rows with text, starting at ${bands}`);
  const lines = img.layouts[0]!.lines;
  assert.ok(Math.abs(lines[1]!.y - lines[0]!.y - (20 * (1.069 + 0.293) + 10)) < 1e-9, 'Noto Sans: ascent 1.069 + descent 0.293 em, plus the spacing');
  assert.ok(Math.abs(bands[1]! - bands[0]! - (lines[1]!.y - lines[0]!.y)) <= 1, `cap tops ${bands} are one line height apart`);
});

test('render: top-left and bottom-right text land in their quadrants', async (t) => {
  const dir = await tempDir(t);
  for (const [position, quadrant] of [['top-left', { x: 0, y: 0, w: 160, h: 90 }], ['bottom-right', { x: 160, y: 90, w: 160, h: 90 }]] as const) {
    const img = await render(dir, [{ text: 'Quad', size: 24, position, margin: 6 }], { name: `${position}.ass` });
    const ink = pixels(img, white);
    assert.ok(ink.box && inside(ink.box, quadrant), `${position}: ink ${JSON.stringify(ink.box)} in ${JSON.stringify(quadrant)}`);
  }
});

test('render: the stroke and the box show in their colours around the text', async (t) => {
  const dir = await tempDir(t);
  const img = await render(dir, [{ text: 'Box', size: 28, position: 'center', stroke: { color: '#ff0000', width: 3 }, box: { color: '#0000ff', padding: 12 } }]);
  const { text, box } = img.layouts[0]!;
  const red = pixels(img, (r, g, b) => r > 150 && g < 90 && b < 90);
  const blue = pixels(img, (r, g, b) => b > 150 && r < 90 && g < 90);
  assert.ok(red.count > 30 && red.box && inside(red.box, grow(text, 6)), `stroke pixels ${red.count} at ${JSON.stringify(red.box)}`);
  assert.ok(box && blue.box && inside(blue.box, grow(box, 1)) && inside(grow(box, -1), blue.box), `box ${JSON.stringify(blue.box)} is ${JSON.stringify(box)}`);
  // the padding: a band of pure box colour between the box's edge and the text
  const top = { x: box.x + 1, y: box.y + 1, w: box.w - 2, h: 8 };
  assert.equal(pixels(img, (r, g, b) => b > 150 && r < 90 && g < 90, top).count, pixels(img, () => true, top).count, 'the top padding is all box');
});

test('render: a family from the fonts folder is drawn from it (the filter passes fontsdir)', async (t) => {
  // Paths the filter graph must escape, for the ASS file and the fonts folder (libass loads
  // every file of the folder as a font: the ASS file is written elsewhere).
  const dir = await tempDir(t, "clipmill fonts [x], y; it's: ü-");
  const fonts = join(dir, 'fonts, [1]; a:b');
  await mkdir(fonts);
  await patchedFont(fonts, 'tst.ttf', 'Clipmill Tx');
  const img = await render(dir, [{ text: 'Fonts dir', font: 'Clipmill Tx', size: 24, position: 'center' }], { fontsDirs: [fonts], name: "it's [x].ass" });
  assert.deepEqual(img.fonts.runs.get(0), [{ text: 'Fonts dir', family: 'Clipmill Tx' }]);
  assert.match(img.stderr, /Loading font file '.*\/tst\.ttf'/);
  // a font of the folder is a memory font, named by its PostScript name, not by a path
  assert.match(img.stderr, /fontselect: \(Clipmill Tx, 400, 0\) -> DejaVuSans, 0/);
  assert.ok(pixels(img, white).count > 40);
});

test('render: a right-to-left line keeps its alignment: right-aligned at the right margin, left-aligned at the left one', async (t) => {
  const dir = await tempDir(t);
  for (const [position, edge] of [['top-right', 'right'], ['bottom-left', 'left']] as const) {
    const img = await render(dir, [{ text: 'مرحبا بالعالم!', size: 20, position, margin: 10 }], { name: `${position}.ass` });
    const ink = pixels(img, white).box!;
    if (edge === 'right') assert.ok(Math.abs(ink.x + ink.w - 310) <= 3, `${position}: the line ends at ${ink.x + ink.w}, the margin at 310`);
    else assert.ok(Math.abs(ink.x - 10) <= 3, `${position}: the line starts at ${ink.x}, the margin at 10`);
  }
});

// Filter escaping: each level on its own, then both through a real ffmpeg, whose ass filter
// must open an ASS file and a fonts folder at paths holding every character the two parsers
// treat specially (spaces, quotes, colons, brackets, commas, semicolons, backslashes) and
// Unicode. The ASS file draws a rectangle (a \p1 drawing needs no font), so its pixels prove
// the file was read.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { filterValue, graphValue, optionValue } from '../../../src/shared/timeline/escape.js';
import { assFilter } from '../../../src/shared/timeline/text/ass.js';
import { binaries, tempDir } from '../../helpers.js';

test('optionValue escapes what the option parser reads: backslash, quote, colon', () => {
  assert.equal(optionValue("a\\b'c:d[e],f;g h"), "a\\\\b\\'c\\:d[e],f;g h");
  assert.equal(optionValue('plain/ü.ass'), 'plain/ü.ass');
});

test('graphValue escapes what the graph parser reads: backslash, quote, brackets, comma, semicolon', () => {
  assert.equal(graphValue("a\\b'c:d[e],f;g h"), "a\\\\b\\'c:d\\[e\\]\\,f\\;g h");
});

test('filterValue applies both levels, option first; line breaks and NUL are refused', () => {
  assert.equal(filterValue("it's"), "it\\\\\\'s");
  assert.equal(filterValue('a:b'), 'a\\\\:b');
  assert.equal(filterValue('a\\b'), 'a\\\\\\\\b');
  assert.equal(filterValue('[x],y;z'), '\\[x\\]\\,y\\;z');
  for (const bad of ['a\nb', 'a\rb', 'a\u0000b']) assert.throws(() => filterValue(bad), /cannot contain a line break/);
});

const RECT_ASS = [
  '[Script Info]',
  'ScriptType: v4.00+',
  'PlayResX: 64',
  'PlayResY: 36',
  '',
  '[V4+ Styles]',
  'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
  'Style: D,DejaVu Sans,20,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,1',
  '',
  '[Events]',
  'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  'Dialogue: 0,0:00:00.00,0:00:05.00,D,,0,0,0,,{\\an7\\pos(8,4)\\p1}m 0 0 l 16 0 16 10 0 10{\\p0}',
  '',
].join('\n');

test('a real ffmpeg opens an ASS file and a fonts folder at hostile paths through filterValue', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, `it's "a" dir [1], b; c: d\\e — ü 東`);
  const fonts = join(dir, "fonts: [x], y; it's");
  await mkdir(fonts, { recursive: true });
  const path = join(dir, "sub's: [t], 1; 2 ü.ass");
  await writeFile(path, RECT_ASS);
  const { ffmpeg } = await binaries();
  const filter = `format=gray,${assFilter(path, { width: 64, height: 36, scale: 1 }, [fonts])}`;
  const r = await execa(ffmpeg.path, ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=64x36:r=1:d=1', '-vf', filter, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', reject: false, timeout: 60_000 });
  assert.equal(r.exitCode, 0, Buffer.from(r.stderr).toString());
  assert.equal(Buffer.from(r.stderr).toString(), '', 'no error line: both paths were opened');
  const px = Buffer.from(r.stdout);
  const at = (x: number, y: number) => px[y * 64 + x]!;
  for (const [x, y] of [[8, 4], [23, 4], [8, 13], [23, 13], [15, 8]]) assert.ok(at(x, y) > 200, `(${x},${y}) is inside the rectangle: ${at(x, y)}`);
  for (const [x, y] of [[7, 4], [24, 8], [15, 3], [15, 14], [40, 20]]) assert.ok(at(x, y) < 30, `(${x},${y}) is outside it: ${at(x, y)}`);
});

// Timeline colours as ffmpeg writes them: names and hex, alpha kept or dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorArg, parseColor } from '../../../src/shared/timeline/color.js';
import { COLOR_NAMES } from '../../../src/shared/timeline/schema.js';

test('parseColor: #rrggbb, #rrggbbaa (alpha last), names in any case', () => {
  assert.deepEqual(parseColor('#ff8000'), { r: 255, g: 128, b: 0, a: 1 });
  assert.deepEqual(parseColor('#FF800080'), { r: 255, g: 128, b: 0, a: 128 / 255 });
  assert.deepEqual(parseColor('#00000000'), { r: 0, g: 0, b: 0, a: 0 });
  assert.deepEqual(parseColor('green'), { r: 0, g: 128, b: 0, a: 1 });
  assert.deepEqual(parseColor('White'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('transparent'), { r: 0, g: 0, b: 0, a: 0 });
  for (const [name, hex] of Object.entries(COLOR_NAMES)) assert.match(hex, /^#[0-9a-f]{6}([0-9a-f]{2})?$/, name);
});

test('colorArg: 0xrrggbb, @alpha only when not opaque, never for opaque-only sources', () => {
  assert.equal(colorArg('red'), '0xff0000');
  assert.equal(colorArg('#0A0b0C'), '0x0a0b0c');
  assert.equal(colorArg('#ffffffff'), '0xffffff');
  assert.equal(colorArg('#000000b0'), '0x000000@0.69');
  assert.equal(colorArg('#ff000080'), '0xff0000@0.502');
  assert.equal(colorArg('transparent'), '0x000000@0');
  assert.equal(colorArg('#ff000080', true), '0xff0000');
  assert.equal(colorArg('transparent', true), '0x000000');
});
